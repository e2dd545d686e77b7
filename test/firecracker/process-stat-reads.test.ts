// readProcessStat keeps /proc/PID/stat open between reads: a process that is gone must read as
// gone, and reads must stay fresh (CPU time grows), whatever was cached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readProcessStat } from '../../src/firecracker/process-info.js';
import { waitFor } from '../helpers/wait.js';

test('a cached stat file reads fresh values and reads as gone once its process is', async () => {
  // A busy child: its CPU time must grow between two reads of the same open file.
  const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  const pid = child.pid ?? -1;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const first = await readProcessStat(pid);
    assert.ok(first !== undefined);
    assert.equal(first.ppid, process.pid);
    await waitFor(async () => {
      const later = await readProcessStat(pid);
      return later !== undefined && later.utime + later.stime > first.utime + first.stime;
    }, 'the child\'s CPU time to grow', 10_000);
    assert.equal((await readProcessStat(pid))?.startTime, first.startTime);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  // Reaped: the open file no longer names a process.
  assert.equal(await readProcessStat(pid), undefined);
  assert.equal(await readProcessStat(-1), undefined);
});
