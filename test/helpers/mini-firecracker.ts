// A minimal stand-in for the firecracker binary, enough to test the launcher before the
// project's test double exists: Firecracker's command line (--version, --api-sock, --id,
// --level), its panic on an invalid --id, an API socket answering GET /, serial output on
// stdout and its log on stderr. Knobs (environment):
//   MINI_FC_VERSION_OUTPUT  what --version prints (default: v1.3.3's output)
//   MINI_FC_COUNT_FILE      a file that gets one line per run (to count probes)
//   MINI_FC_LISTEN_DELAY_MS listen only after this long; a plain file holds the path before
//   MINI_FC_IGNORE_TERM     ignore SIGTERM (to test SIGKILL escalation)
import fs from 'node:fs';
import http from 'node:http';

const env = process.env;
if (env.MINI_FC_COUNT_FILE !== undefined) fs.appendFileSync(env.MINI_FC_COUNT_FILE, 'run\n');
const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = argv.indexOf(name);
  return at < 0 ? undefined : argv[at + 1];
};

if (argv.includes('--version')) {
  process.stdout.write(env.MINI_FC_VERSION_OUTPUT ?? 'Firecracker v1.3.3\n\nSupported snapshot data format versions: v0.23.0, v1.3.0\n\n');
  process.exit(0);
}
const id = option('--id') ?? 'anonymous-instance';
const bad = id.search(/[^A-Za-z0-9-]/);
if (bad >= 0 || id.length === 0 || id.length > 64) {
  const why = bad >= 0 ? `InvalidChar('${id[bad] ?? ''}', ${bad})` : `InvalidLen(${id.length}, 1, 64)`;
  process.stderr.write(`[anonymous-instance:main:ERROR] Firecracker panicked at src/firecracker/src/main.rs:269:48:\nInvalid instance ID: ${why}\n`);
  process.kill(process.pid, 'SIGABRT');
}
const socketPath = option('--api-sock') ?? '/run/firecracker.socket';
if (env.MINI_FC_IGNORE_TERM === '1') process.on('SIGTERM', () => undefined);
process.stdout.write(`serial: ${id} up, level ${option('--level') ?? 'default'}\n`);

const server = http.createServer((request, response) => {
  response.setHeader('Content-Type', 'application/json');
  response.end(JSON.stringify({ app_name: 'Firecracker', id, state: 'Not started', vmm_version: '1.3.3' }));
});
const listen = (): void => {
  fs.rmSync(socketPath, { force: true });
  server.listen(socketPath);
};
const delayMs = Number(env.MINI_FC_LISTEN_DELAY_MS ?? '0');
if (delayMs > 0) {
  fs.writeFileSync(socketPath, '');
  setTimeout(listen, delayMs);
} else {
  listen();
}
