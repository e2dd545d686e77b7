// A user's fc:///session with nobody listening: the TS client starts the session daemon
// ($VIRTD_PATH/virtfcd here: virtfcd's command line over the in-memory hypervisor), once even
// for clients racing, and the daemon goes away by itself when idle. Run as the user nobody,
// since root's fc:///session means the system daemon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { run } from '../helpers/run.js';
import { forNobody, makeUserSandbox, userCannotRunCheckout, processesWithEnv, type UserSandbox } from '../helpers/user-sandbox.js';
import { waitFor } from '../helpers/wait.js';

const asUser = { skip: userCannotRunCheckout() };

// Run by the user nobody: paths it can reach.
const CLIENT = forNobody(path.join(repoRoot, 'dist', 'test', 'helpers', 'session-client.js'));
const MEMORY_VIRTFCD = forNobody(path.join(repoRoot, 'dist', 'test', 'helpers', 'memory-virtfcd.js'));

/** $VIRTD_PATH/virtfcd: records how it was started, then runs with a short idle timeout. */
async function standIn(user: UserSandbox, body?: string): Promise<string> {
  const spawns = path.join(user.base, 'spawns');
  await fs.writeFile(
    path.join(user.bin, 'virtfcd'),
    `#!/bin/sh\necho "$*" >> '${spawns}'\n${body ?? `exec '${process.execPath}' '${MEMORY_VIRTFCD}' "$@" --timeout=1`}\n`,
    { mode: 0o755 },
  );
  await fs.writeFile(spawns, '');
  await fs.chmod(spawns, 0o666);
  return spawns;
}

function client(user: UserSandbox, env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, [CLIENT], { uid: user.uid, gid: user.gid, cwd: user.home, env: { ...user.env, VIRTD_PATH: user.bin, ...env } });
}

test('fc:///session starts virtfcd --session --timeout=120 once for racing clients; it exits when idle', asUser, async (t) => {
  const user = await makeUserSandbox(t);
  const spawns = await standIn(user);
  const results = await Promise.all([client(user), client(user), client(user)]);
  for (const result of results) {
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { type: 'FC', domains: [] });
  }
  assert.equal(await fs.readFile(spawns, 'utf8'), '--session --timeout=120\n');
  const socket = path.join(user.runtime, 'libvirt', 'virtfcd-sock');
  const stat = await fs.stat(socket);
  assert.equal(stat.uid, user.uid);
  // The lock is gone once the clients are done.
  assert.deepEqual(await fs.readdir(path.join(user.runtime, 'libvirt')), ['virtfcd-sock']);

  // With no client left, the daemon goes away by itself and removes its socket.
  await waitFor(async () => (await processesWithEnv('XDG_RUNTIME_DIR', user.runtime)).length === 0, 'the idle daemon to exit', 10_000);
  await assert.rejects(fs.lstat(socket), { code: 'ENOENT' });
});

test('LIBVIRT_AUTOSTART=0 starts nothing and reports the socket as libvirt does', asUser, async (t) => {
  const user = await makeUserSandbox(t);
  const spawns = await standIn(user);
  const result = await client(user, { LIBVIRT_AUTOSTART: '0' });
  assert.equal(result.status, 1);
  assert.deepEqual(JSON.parse(result.stdout), {
    error: `Failed to connect socket to '${user.runtime}/libvirt/virtfcd-sock': No such file or directory`,
  });
  assert.equal(await fs.readFile(spawns, 'utf8'), '');
});

test('a daemon that fails to start is reported with what it said', asUser, async (t) => {
  const user = await makeUserSandbox(t);
  await standIn(user, `echo 'virtfcd: error: cannot start: the disk is on fire' >&2\nexit 1`);
  const result = await client(user);
  assert.equal(result.status, 1);
  assert.deepEqual(JSON.parse(result.stdout), {
    error: `Failed to connect socket to '${user.runtime}/libvirt/virtfcd-sock': virtfcd exited with status 1 before it listened: virtfcd: error: cannot start: the disk is on fire`,
  });
  // What it said stays in the session daemon's log.
  assert.match(await fs.readFile(path.join(user.cache, 'libvirt', 'virtfcd.log'), 'utf8'), /the disk is on fire/);
});
