// A one-shot console client in its own process, like `fcvirt console` in embed mode: opens
// the console of the guest PID, copies its stdin to the console and the console to its
// stdout, prints "opened" first and "ended REASON" last. On a refusal it prints
// "error CODE MESSAGE" and exits 1.
// usage: node console-client.js LOG FIFO OWNER PID [--force]
import { openConsoleStream } from '../../src/driver/console/console-stream.js';
import { readProcessStartTime } from '../../src/firecracker/process-info.js';
import { watchProcessExit } from '../../src/firecracker/process-watch.js';
import { VirError } from '../../src/errors.js';

const [logFile, inputFifo, ownerFile, pidText, flag] = process.argv.slice(2);
if (logFile === undefined || inputFifo === undefined || ownerFile === undefined || pidText === undefined) {
  process.stderr.write('usage: console-client LOG FIFO OWNER PID [--force]\n');
  process.exit(2);
}
const pid = Number(pidText);
const startTime = await readProcessStartTime(pid);
if (startTime === undefined) {
  process.stdout.write(`error none process ${pid} is not running\n`);
  process.exit(1);
}
const exited = watchProcessExit(pid, startTime, { pollMs: 50 });
try {
  const stream = await openConsoleStream({ logFile, inputFifo, ownerFile }, { force: flag === '--force', processExited: exited });
  process.stdout.write('opened\n');
  stream.on('data', (chunk: Buffer) => process.stdout.write(chunk));
  process.stdin.on('data', (chunk: Buffer) => stream.write(chunk));
  stream.on('close', () => {
    exited.cancel();
    process.stdout.write(`\nended ${stream.endReason ?? 'unknown'}\n`);
    process.exit(0);
  });
} catch (error) {
  exited.cancel();
  const code = error instanceof VirError ? error.codeName ?? String(error.code) : 'none';
  process.stdout.write(`error ${code} ${(error as Error).message}\n`);
  process.exit(1);
}
