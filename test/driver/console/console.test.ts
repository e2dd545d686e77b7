import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openConsoleStream } from '../../../src/driver/console/console-stream.js';
import { readConsoleOwner } from '../../../src/driver/console/console-owner.js';
import { prepareConsoleFiles, removeConsoleFiles } from '../../../src/driver/console/console-files.js';
import { VirError } from '../../../src/errors.js';
import { Collector } from '../../helpers/stream-reader.js';
import { waitFor } from '../../helpers/wait.js';
import { helpersDir, wireGuest, type WiredGuest } from '../../helpers/console-guest.js';

async function logText(guest: WiredGuest): Promise<string> {
  return readFile(guest.paths.logFile, 'utf8');
}

/** Runs console-client.js in a process of its own; its stdout is collected. */
function startClient(guest: WiredGuest, force = false) {
  const args = [path.join(helpersDir, 'console-client.js'), guest.paths.logFile, guest.paths.inputFifo, guest.paths.ownerFile, String(guest.pid)];
  if (force) args.push('--force');
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const output = new Collector(child.stdout);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      resolve(code);
    });
  });
  return { child, output, exited };
}

test('a process that did not start the guest opens its console, sees output and types', async (t) => {
  const guest = await wireGuest(t);
  await waitFor(async () => (await logText(guest)).includes('guest: ready'), 'the guest banner in the log');
  const console = await openConsoleStream(guest.paths, { processExited: guest.exited });
  t.after(() => console.destroy());
  const seen = new Collector(console);
  console.write('hello there\n');
  await seen.waitForText('echo: hello there\n');
  // Reading starts at the end of the log at open time: the banner was before it.
  assert.ok(!seen.text.includes('guest: ready'));
  // Everything is in the log too, stdout and stderr alike.
  const log = await logText(guest);
  assert.match(log, /guest: ready\n/);
  assert.match(log, /guest: a line on stderr\n/);
  assert.match(log, /echo: hello there\n/);
  const owner = await readConsoleOwner(guest.paths.ownerFile);
  assert.equal(owner?.pid, process.pid);
});

test('a second console is refused, in this process and in another one', async (t) => {
  const guest = await wireGuest(t);
  const first = await openConsoleStream(guest.paths, { processExited: guest.exited });
  t.after(() => first.destroy());
  await assert.rejects(openConsoleStream(guest.paths, { processExited: guest.exited }), (error: unknown) => {
    assert.ok(error instanceof VirError);
    assert.equal(error.codeName, 'VIR_ERR_OPERATION_FAILED');
    assert.equal(error.message, 'operation failed: Active console session exists for this domain');
    return true;
  });
  const other = startClient(guest);
  assert.equal(await other.exited, 1);
  assert.match(other.output.text, /^error VIR_ERR_OPERATION_FAILED operation failed: Active console session exists for this domain/);
  // The refusals took nothing away from the holder.
  const seen = new Collector(first);
  first.write('still mine\n');
  await seen.waitForText('echo: still mine\n');
});

test('a forced console from another process ends the holder\'s stream; closing frees the console', async (t) => {
  const guest = await wireGuest(t);
  const first = await openConsoleStream(guest.paths, { processExited: guest.exited });
  const firstSeen = new Collector(first);
  const other = startClient(guest, true);
  t.after(() => other.child.kill());
  await other.output.waitForText('opened\n');
  await firstSeen.waitForEnd();
  assert.equal(first.endReason, 'forced');
  other.child.stdin.write('from the other one\n');
  await other.output.waitForText('echo: from the other one\n');
  // The holder's process goes away without closing: its record is stale, not an owner.
  other.child.kill('SIGKILL');
  await other.exited;
  const third = await openConsoleStream(guest.paths, { processExited: guest.exited });
  const thirdSeen = new Collector(third);
  third.write('third\n');
  await thirdSeen.waitForText('echo: third\n');
  third.destroy();
  await waitFor(async () => (await readConsoleOwner(guest.paths.ownerFile)) === undefined, 'the owner record to go');
  assert.equal(third.endReason, 'closed');
});

test('a forced console in the same process ends the first stream', async (t) => {
  const guest = await wireGuest(t);
  const first = await openConsoleStream(guest.paths, { processExited: guest.exited });
  const firstSeen = new Collector(first);
  const second = await openConsoleStream(guest.paths, { processExited: guest.exited, force: true });
  t.after(() => second.destroy());
  await firstSeen.waitForEnd();
  assert.equal(first.endReason, 'forced');
  const seen = new Collector(second);
  second.write('second\n');
  await seen.waitForText('echo: second\n');
  // The first session closing afterwards does not remove the second one's record.
  first.destroy();
  await waitFor(() => first.closed, 'the first stream to close');
  assert.equal((await readConsoleOwner(guest.paths.ownerFile))?.token !== undefined, true);
  await assert.rejects(openConsoleStream(guest.paths, { processExited: guest.exited }), /Active console session exists/);
});

test('an owner record of a dead process or an unreadable one is stale', async (t) => {
  const guest = await wireGuest(t);
  await writeFile(guest.paths.ownerFile, JSON.stringify({ pid: 2 ** 22 + 7, startTime: 1, token: 'gone' }));
  const first = await openConsoleStream(guest.paths, { processExited: guest.exited });
  first.destroy();
  await waitFor(() => first.closed, 'the first stream to close');
  await writeFile(guest.paths.ownerFile, '{ not json');
  const second = await openConsoleStream(guest.paths, { processExited: guest.exited });
  second.destroy();
});

test('the guest never stalls when nobody reads, nor when a reader stops reading', async (t) => {
  const guest = await wireGuest(t);
  const console = await openConsoleStream(guest.paths, { processExited: guest.exited });
  t.after(() => console.destroy());
  // Nobody reads this stream: it is paused from the start.
  console.pause();
  console.write('flood 16777216\n');
  await waitFor(async () => (await logText(guest)).includes('flood done'), 'the flood to be written', 20_000);
  assert.ok((await stat(guest.paths.logFile)).size > 16 * 1024 * 1024);
  // The paused reader held back at most what its buffers take, not the flood.
  assert.ok(console.readableLength <= 256 * 1024, `buffered ${console.readableLength}`);
});

test('output in bursts arrives exactly once, in order, as the log has it', async (t) => {
  const guest = await wireGuest(t);
  const console = await openConsoleStream(guest.paths, { processExited: guest.exited });
  t.after(() => console.destroy());
  const start = (await stat(guest.paths.logFile)).size;
  const seen = new Collector(console);
  console.write('bursts 3000 97\n');
  await seen.waitForText('bursts done\n', 20_000);
  const log = await readFile(guest.paths.logFile);
  const expected = log.subarray(start);
  assert.equal(seen.bytes.length, expected.length);
  assert.ok(seen.bytes.equals(expected));
  const records = seen.text.split('\n').filter((line) => line.startsWith('['));
  assert.equal(records.length, 3000);
  records.forEach((line, index) => {
    assert.equal(line.slice(0, 10), `[${String(index).padStart(8, '0')}]`);
  });
});

test('typing into a guest that does not read stops at a bounded buffer (backpressure)', async (t) => {
  const guest = await wireGuest(t);
  const console = await openConsoleStream(guest.paths, { processExited: guest.exited });
  t.after(() => console.destroy());
  const seen = new Collector(console);
  console.write('deaf\n');
  await seen.waitForText('deaf\n');
  const chunk = Buffer.alloc(16 * 1024, 'y');
  let written = 0;
  // Type as a well-behaved client does (wait for 'drain'), up to 4 MiB. With the guest not
  // reading, the FIFO fills and 'drain' stops coming: no drain within a second is "stuck".
  while (written < 4 * 1024 * 1024) {
    written += chunk.length;
    if (console.write(chunk)) continue;
    const drained = await Promise.race([once(console, 'drain').then(() => true), delay(1000).then(() => false)]);
    if (!drained) break;
  }
  const flushed = written - console.writableLength;
  assert.ok(written < 4 * 1024 * 1024, 'typing into a deaf guest never blocked');
  // What left this process fits in the FIFO (64 KiB) plus what the guest read before going
  // deaf; what did not is bounded by the stream's own buffer.
  assert.ok(flushed <= 512 * 1024, `flushed ${flushed} bytes into a FIFO nobody reads`);
  assert.ok(console.writableLength <= 64 * 1024, `buffered ${console.writableLength} bytes`);
});

test('the stream ends when the guest exits, after everything it wrote', async (t) => {
  const guest = await wireGuest(t);
  const console = await openConsoleStream(guest.paths, { processExited: guest.exited });
  const seen = new Collector(console);
  console.write('exit\n');
  await seen.waitForEnd();
  assert.match(seen.text, /bye\n$/);
  assert.equal(console.endReason, 'exited');
  await waitFor(async () => (await readConsoleOwner(guest.paths.ownerFile)) === undefined, 'the owner record to go');
  // With no VM reading the FIFO, a console cannot be opened.
  await assert.rejects(openConsoleStream(guest.paths), /no process reads it/);
});

test('console files: prepared before spawn, removed after; the log stays', async (t) => {
  const guest = await wireGuest(t);
  assert.ok((await stat(guest.paths.inputFifo)).isFIFO());
  await assert.rejects(prepareConsoleFiles({ ...guest.paths, logFile: path.join(guest.paths.logFile, 'under-a-file') }), (error: unknown) => {
    assert.ok(error instanceof VirError);
    assert.equal(error.codeName, 'VIR_ERR_SYSTEM_ERROR');
    return true;
  });
  await removeConsoleFiles(guest.paths);
  await assert.rejects(stat(guest.paths.inputFifo), { code: 'ENOENT' });
  assert.ok((await stat(guest.paths.logFile)).isFile());
});

test('without processExited: a write that finds no VM, or the files being removed, ends the stream', async (t) => {
  const guest = await wireGuest(t);
  const console = await openConsoleStream(guest.paths);
  const seen = new Collector(console);
  console.write('exit\n');
  await seen.waitForText('bye\n');
  await guest.exited;
  // Keep typing: the FIFO has no reader any more (EPIPE), so the VM is gone.
  const timer = setInterval(() => console.write('anyone?\n'), 20);
  t.after(() => { clearInterval(timer); });
  await seen.waitForEnd();
  clearInterval(timer);
  assert.equal(console.endReason, 'exited');

  const other = await wireGuest(t);
  const second = await openConsoleStream(other.paths);
  const secondSeen = new Collector(second);
  await removeConsoleFiles(other.paths);
  await secondSeen.waitForEnd();
  assert.equal(second.endReason, 'exited');
});
