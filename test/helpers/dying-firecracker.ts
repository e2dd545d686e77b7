// A Firecracker stand-in that dies while being configured: it prints a version, listens on its
// API socket, and at the first request writes an error on stderr and exits 1 without answering.
// For the test of a process that dies between spawn and InstanceStart (the double never does).
import net from 'node:net';

const args = process.argv.slice(2);
if (args.includes('--version')) {
  process.stdout.write('Firecracker v1.16.1\n');
  process.exit(0);
}
const socketPath = args[args.indexOf('--api-sock') + 1];
if (socketPath === undefined) process.exit(153);
const server = net.createServer((connection) => {
  connection.once('data', () => {
    process.stderr.write('fatal: simulated VMM failure while configuring\n');
    process.exit(1);
  });
});
server.listen(socketPath);
