// Starts the stand-in guest the way the driver starts Firecracker — console files prepared,
// detached in its own session, the parent's copies closed — prints its pid and exits, so
// that tests meet the guest from a process that did not start it.
// usage: node wire-guest.js LOG FIFO OWNER [GUEST_SCRIPT]
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareConsoleFiles } from '../../src/driver/console/console-files.js';

const [logFile, inputFifo, ownerFile, script] = process.argv.slice(2);
if (logFile === undefined || inputFifo === undefined || ownerFile === undefined) {
  process.stderr.write('usage: wire-guest LOG FIFO OWNER [SCRIPT]\n');
  process.exit(2);
}
const guest = script ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'echo-guest.js');
const files = await prepareConsoleFiles({ logFile, inputFifo, ownerFile });
const child = spawn(process.execPath, [guest], { stdio: files.stdio, detached: true });
await files.close();
child.unref();
process.stdout.write(`${JSON.stringify({ pid: child.pid })}\n`);
