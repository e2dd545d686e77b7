import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { classifyExit, classifyUnobservedExit } from '../../src/driver/guest-exit.js';

test('an observed exit: requested shutdown, reboot (code 0), crash (code or signal)', () => {
  assert.equal(classifyExit({ code: 0, signal: null }, true), 'shutdown');
  assert.equal(classifyExit({ code: 1, signal: null }, true), 'shutdown');
  assert.equal(classifyExit({ code: 0, signal: null }, false), 'reboot');
  assert.equal(classifyExit({ code: 1, signal: null }, false), 'crash');
  assert.equal(classifyExit({ code: null, signal: 'SIGKILL' }, false), 'crash');
});

test('an unobserved exit: the kernel\'s messages since the start tell a reboot', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fcvirt-exit-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const log = path.join(dir, 'd.log');
  await fs.writeFile(log, '[ 1.0] reboot: Restarting system\r\n--- a new run starts here ---\r\n');
  const offset = (await fs.stat(log)).size;
  assert.equal(await classifyUnobservedExit(log, offset, false), 'crash', 'an earlier run\'s reboot does not count');
  await fs.appendFile(log, '[ 2.0] reboot: Restarting system\r\n');
  assert.equal(await classifyUnobservedExit(log, offset, false), 'reboot');
  await fs.writeFile(log, 'Kernel panic - not syncing\r\nRebooting in 1 seconds..\r\n');
  assert.equal(await classifyUnobservedExit(log, 0, false), 'reboot');
  assert.equal(await classifyUnobservedExit(log, 0, true), 'shutdown');
  assert.equal(await classifyUnobservedExit(path.join(dir, 'missing.log'), 0, false), 'crash');
});
