// The shipped unit: systemd accepts it, it starts virtfcd as the system instance, and stopping
// it leaves the VMs (firecracker processes in the service's cgroup) running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseCommandLine } from '../../src/daemon/options.js';
import { repoRoot } from '../helpers/paths.js';
import { run, which } from '../helpers/run.js';

const UNIT = path.join(repoRoot, 'systemd', 'virtfcd.service');
const ANALYZE = which('systemd-analyze');

function settings(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) values.set(match[1], match[2]);
  }
  return values;
}

test('virtfcd.service runs /usr/sbin/virtfcd as the system instance and stops only the daemon', async () => {
  const values = settings(await fs.readFile(UNIT, 'utf8'));
  const [binary, ...args] = (values.get('ExecStart') ?? '').split(' ');
  // Where the stock client's direct-mode auto-spawn also looks (README: the symlink).
  assert.equal(binary, '/usr/sbin/virtfcd');
  assert.deepEqual(parseCommandLine(args, true), { action: 'run', options: { mode: 'system', root: undefined, timeoutSeconds: 0, verbose: false } });
  assert.equal(values.get('KillMode'), 'process');
  assert.equal(values.get('WantedBy'), 'multi-user.target');
});

test('systemd-analyze verify accepts virtfcd.service without a warning', { skip: ANALYZE === null ? 'systemd-analyze is not installed' : false }, async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fcvirt-unit-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  // The unit as installed, but with a binary that exists here.
  const binary = path.join(dir, 'virtfcd');
  await fs.writeFile(binary, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const unit = path.join(dir, 'virtfcd.service');
  await fs.writeFile(unit, (await fs.readFile(UNIT, 'utf8')).replace('/usr/sbin/virtfcd', binary));
  const result = await run(ANALYZE ?? 'systemd-analyze', ['verify', unit]);
  assert.deepEqual(result, { status: 0, stdout: '', stderr: '' });
});
