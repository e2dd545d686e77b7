// Spawns a firecracker binary with spawnFirecracker() the way the driver does (console files
// wired), prints {"pid","startTime"} and exits: the VM must outlive this process.
// usage: node spawn-detached.js BINARY API_SOCKET ID LOG FIFO OWNER
import { prepareConsoleFiles } from '../../src/driver/console/console-files.js';
import { probeFirecrackerVersion, spawnFirecracker, waitForApiSocket } from '../../src/firecracker/launcher.js';

const [binary, apiSocket, id, logFile, inputFifo, ownerFile] = process.argv.slice(2);
if (binary === undefined || apiSocket === undefined || id === undefined || logFile === undefined || inputFifo === undefined || ownerFile === undefined) {
  process.stderr.write('usage: spawn-detached BINARY API_SOCKET ID LOG FIFO OWNER\n');
  process.exit(2);
}
const files = await prepareConsoleFiles({ logFile, inputFifo, ownerFile });
const version = await probeFirecrackerVersion(binary);
const vm = await spawnFirecracker({ binary, version, apiSocket, id, stdio: files.stdio });
await files.close();
await waitForApiSocket(apiSocket, { exited: vm.exited, logFile });
process.stdout.write(`${JSON.stringify({ pid: vm.pid, startTime: vm.startTime })}\n`);
