import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  clockTicksPerSecond, isProcessAlive, parseProcStat, readCpuTime, readProcessStartTime,
} from '../../src/firecracker/process-info.js';
import { terminate, watchProcessExit } from '../../src/firecracker/process-watch.js';
import { waitFor } from '../helpers/wait.js';

/** A child that runs until killed; `ignoreTerm` makes it shrug off SIGTERM. */
async function sleeper(ignoreTerm = false): Promise<{ pid: number; startTime: number; exited: Promise<void> }> {
  const code = ignoreTerm ? "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)" : "console.log('ready'); setInterval(() => {}, 1000)";
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  // Ready once it printed: its SIGTERM handler is in place.
  await new Promise<void>((resolve) => child.stdout.once('data', () => { resolve(); }));
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  const pid = child.pid;
  if (pid === undefined) throw new Error('no pid');
  const startTime = await readProcessStartTime(pid);
  if (startTime === undefined) throw new Error('no start time');
  return { pid, startTime, exited };
}

test('/proc/PID/stat parsing survives any command name', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
  fields[0] = 'S';
  const stat = parseProcStat(`1234 (a) b (c ${fields.join(' ')}`.replace('(c ', '(c) '));
  assert.deepEqual(stat, { state: 'S', ppid: 4, utime: 14, stime: 15, startTime: 22 });
  assert.equal(parseProcStat('garbage'), undefined);
});

test('identity: start time, liveness, CPU time of this process; nothing for a free pid', async () => {
  const startTime = await readProcessStartTime(process.pid);
  assert.ok(startTime !== undefined && startTime > 0);
  assert.equal(await isProcessAlive(process.pid, startTime), true);
  // Same pid, other start time: a recycled pid is not the process.
  assert.equal(await isProcessAlive(process.pid, startTime + 1), false);
  assert.equal(await readProcessStartTime(2 ** 22 + 11), undefined);
  assert.ok(clockTicksPerSecond() > 0);
  const burn = Date.now() + 30;
  while (Date.now() < burn) Math.sqrt(Math.random());
  const cpu = await readCpuTime(process.pid);
  assert.ok(cpu !== undefined && cpu > 0n);
  assert.equal(await readCpuTime(process.pid, startTime + 1), undefined);
});

test('terminate: SIGTERM; SIGKILL after the grace period; never a recycled pid', async () => {
  const polite = await sleeper();
  assert.equal(await terminate(polite.pid, polite.startTime), 'terminated');
  assert.equal(await terminate(polite.pid, polite.startTime), 'gone');

  const stubborn = await sleeper(true);
  assert.equal(await terminate(stubborn.pid, stubborn.startTime, { graceMs: 200 }), 'killed');

  const other = await sleeper();
  assert.equal(await terminate(other.pid, other.startTime + 1), 'gone');
  assert.equal(await isProcessAlive(other.pid, other.startTime), true);
  assert.equal(await terminate(other.pid, other.startTime), 'terminated');
});

test('watchProcessExit without a socket polls /proc; cancel() releases it', async () => {
  const child = await sleeper();
  const watch = watchProcessExit(child.pid, child.startTime, { pollMs: 20, ref: true });
  let done = false;
  void watch.then(() => {
    done = true;
  });
  process.kill(child.pid, 'SIGTERM');
  await waitFor(() => done, 'the exit to be seen');

  const another = await sleeper();
  const cancelled = watchProcessExit(another.pid, another.startTime, { pollMs: 20, ref: true });
  cancelled.cancel();
  // A cancelled watch holds nothing: this test ends although the promise never settles.
  await terminate(another.pid, another.startTime);
});

test('watchProcessExit on an already dead process resolves at once', async () => {
  const child = await sleeper();
  process.kill(child.pid, 'SIGKILL');
  await child.exited;
  await watchProcessExit(child.pid, child.startTime, { pollMs: 600_000 });
});
