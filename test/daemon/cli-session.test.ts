// fcvirt as a user (nobody): fc:///session, named with -c or by LIBVIRT_DEFAULT_URI, starts the
// session daemon (this package's virtfcd --session --timeout=120) when nobody answers, and every
// later command reaches the same daemon, which keeps the user's domains under the user's XDG
// dirs. The test double is first in PATH, and so in the daemon's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fcvirtScript } from '../helpers/cli.js';
import { domainXml, fakeBackend } from '../helpers/fc-backend.js';
import { run } from '../helpers/run.js';
import { forNobody, makeUserSandbox, userCannotRunCheckout, processesWithEnv } from '../helpers/user-sandbox.js';
import { doublePath } from '../helpers/virtfcd.js';

const asUser = { skip: userCannotRunCheckout() };
// Run by the user nobody: the command, the test double and the guest files as it reaches them.
const fcvirtForNobody = forNobody(fcvirtScript);
const backendForNobody = { ...fakeBackend, emulator: forNobody(fakeBackend.emulator), kernel: forNobody(fakeBackend.kernel), rootfs: forNobody(fakeBackend.rootfs) };
const pathForNobody = doublePath().split(':').map(forNobody).join(':');

test('fcvirt -c fc:///session starts the user\'s virtfcd and keeps using it; LIBVIRT_DEFAULT_URI works the same', asUser, async (t) => {
  const user = await makeUserSandbox(t);
  const file = path.join(user.home, 'mine.xml');
  await fs.writeFile(file, domainXml(backendForNobody, { name: 'mine' }));
  await fs.chown(file, user.uid, user.gid);
  const fcvirt = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    run(process.execPath, [fcvirtForNobody, ...args], { uid: user.uid, gid: user.gid, cwd: user.home, env: { ...user.env, PATH: pathForNobody, ...env } });

  assert.deepEqual(await fcvirt(['-c', 'fc:///session', 'list', '--all']), { status: 0, stdout: ' Id   Name   State\n--------------------\n\n', stderr: '' });
  const daemons = await processesWithEnv('XDG_RUNTIME_DIR', user.runtime);
  assert.equal(daemons.length, 1);
  const cmdline = (await fs.readFile(`/proc/${daemons[0] ?? 0}/cmdline`, 'utf8')).split('\0');
  assert.deepEqual(cmdline.slice(-3), ['--session', '--timeout=120', '']);
  assert.equal((await fs.stat(path.join(user.runtime, 'libvirt', 'virtfcd-sock'))).uid, user.uid);

  const session = { LIBVIRT_DEFAULT_URI: 'fc:///session' };
  assert.deepEqual(await fcvirt(['define', file], session), { status: 0, stdout: `Domain 'mine' defined from ${file}\n\n`, stderr: '' });
  assert.deepEqual(await fcvirt(['start', 'mine'], session), { status: 0, stdout: "Domain 'mine' started\n\n", stderr: '' });
  assert.deepEqual(await fcvirt(['list'], session), { status: 0, stdout: ' Id   Name   State\n----------------------\n 1    mine   running\n\n', stderr: '' });
  // The user's layout (DESIGN.md): config under XDG_CONFIG_HOME, status under XDG_RUNTIME_DIR.
  await fs.access(path.join(user.config, 'libvirt', 'fc', 'mine.xml'));
  await fs.access(path.join(user.runtime, 'libvirt', 'fc', 'mine.xml'));
  assert.deepEqual(await fcvirt(['destroy', 'mine'], session), { status: 0, stdout: "Domain 'mine' destroyed\n\n", stderr: '' });
  assert.deepEqual(await processesWithEnv('XDG_RUNTIME_DIR', user.runtime), daemons, 'one daemon served every command');
});
