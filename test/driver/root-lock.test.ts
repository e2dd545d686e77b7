import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readProcessStartTime } from '../../src/firecracker/process-info.js';
import { currentHolder, RootLock } from '../../src/driver/root-lock.js';
import { VirError } from '../../src/errors.js';
import { repoRoot } from '../helpers/paths.js';
import { Collector } from '../helpers/stream-reader.js';

const holderScript = path.join(repoRoot, 'dist', 'test', 'helpers', 'lock-holder-child.js');

function holder(directory: string, kind: string, uri?: string): { child: ChildProcessWithoutNullStreams; output: Collector } {
  const child = spawn(process.execPath, [holderScript, directory, kind, ...(uri === undefined ? [] : [uri])], { stdio: ['pipe', 'pipe', 'pipe'] });
  return { child, output: new Collector(child.stdout) };
}

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'fcvirt-lock-'));
  t.after(() => fs.rm(directory, { recursive: true, force: true }));
  return directory;
}

const options = (waitMs: number) => ({ kind: 'embed' as const, waitMs, rootName: "'R'", startTimeOf: readProcessStartTime, pollMs: 10 });

test('the lock is taken, released, and taken again', async (t) => {
  const directory = await tempDir(t);
  const lock = await RootLock.acquire(directory, options(100));
  assert.equal((await currentHolder(directory, readProcessStartTime))?.pid, process.pid);
  await lock.release();
  assert.equal(await currentHolder(directory, readProcessStartTime), undefined);
  const again = await RootLock.acquire(directory, options(100));
  await again.release();
  // Old generations are removed by each new holder.
  assert.equal((await fs.readdir(directory)).filter((entry) => entry.startsWith('driver.lock')).length, 1);
});

test('an embed holder makes others wait, then time out with a clear error', async (t) => {
  const directory = await tempDir(t);
  const { child, output } = holder(directory, 'embed');
  t.after(() => { child.kill('SIGKILL'); });
  await output.waitForText('locked');
  await assert.rejects(RootLock.acquire(directory, options(200)), (error: unknown) =>
    error instanceof VirError && error.codeName === 'VIR_ERR_OPERATION_TIMEOUT'
    && error.message.includes(`another fcvirt process (pid ${child.pid}) is using the driver root 'R'`));
  // Released while we wait: we get it.
  const waiting = RootLock.acquire(directory, options(10_000));
  child.stdin.end();
  const lock = await waiting;
  await lock.release();
});

test('a daemon holder is refused at once, pointing at its URI', async (t) => {
  const directory = await tempDir(t);
  const { child, output } = holder(directory, 'daemon', 'fc:///system?socket=/tmp/x/virtfcd-sock');
  t.after(() => { child.kill('SIGKILL'); });
  await output.waitForText('locked');
  const started = Date.now();
  await assert.rejects(RootLock.acquire(directory, options(10_000)), (error: unknown) =>
    error instanceof VirError && error.codeName === 'VIR_ERR_OPERATION_INVALID'
    && error.message.endsWith(`is served by the daemon virtfcd (pid ${child.pid}); connect to fc:///system?socket=/tmp/x/virtfcd-sock instead`));
  assert.ok(Date.now() - started < 2_000);
});

test('a killed holder\'s lock is stale and taken over; racing takers get it one at a time', async (t) => {
  const directory = await tempDir(t);
  const { child, output } = holder(directory, 'embed');
  await output.waitForText('locked');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  // Several processes race for the stale lock: each gets it exclusively in turn.
  const racers = Array.from({ length: 4 }, () => holder(directory, 'embed'));
  t.after(() => { for (const racer of racers) racer.child.kill('SIGKILL'); });
  let holders = 0;
  for (let round = 0; round < racers.length; round++) {
    const deadline = Date.now() + 10_000;
    let current: (typeof racers)[number] | undefined;
    while (current === undefined) {
      const locked = racers.filter((racer) => racer.output.text.includes('locked') && !racer.output.text.includes('released'));
      assert.ok(locked.length <= 1, 'two processes hold the lock at once');
      current = locked[0];
      if (Date.now() > deadline) assert.fail('nobody took the lock');
      if (current === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    holders++;
    current.child.stdin.end();
    await current.output.waitForText('released');
  }
  assert.equal(holders, 4);
});

test('a contender that stalls while others take and pass generations does not take a stale one', async (t) => {
  const directory = await tempDir(t);
  const file = (generation: number) => path.join(directory, `driver.lock.${generation}`);
  const record = (pid: number) => `${JSON.stringify({ pid, startTime: 1, kind: 'embed' })}\n`;
  await fs.writeFile(file(5), record(5));
  // While this contender checks generation 5's holder (gone), two others take 6 then 7 and
  // remove the older files: the contender then links 6, which no longer exists.
  let stalled = false;
  const startTimeOf = async (pid: number): Promise<number | undefined> => {
    if (pid === process.pid) return readProcessStartTime(pid);
    if (pid === 5 && !stalled) {
      stalled = true;
      await fs.writeFile(file(7), record(7));
      await fs.rm(file(5));
      return undefined;
    }
    return pid === 7 ? 1 : undefined;
  };
  await assert.rejects(
    RootLock.acquire(directory, { kind: 'embed', waitMs: 100, rootName: "'R'", startTimeOf, pollMs: 10 }),
    (error: unknown) => error instanceof VirError && /pid 7/.test(error.message),
  );
  assert.deepEqual((await fs.readdir(directory)).filter((entry) => entry.startsWith('driver.lock')), ['driver.lock.7']);
});
