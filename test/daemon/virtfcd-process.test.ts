// virtfcd as a process (its command line over the in-memory hypervisor): usage errors, help,
// SIGTERM and SIGINT, and the stock client's own auto-spawn of a session daemon (§1.4 of the
// wire notes: remote_mode="direct" and VIRTD_PATH).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { run, which } from '../helpers/run.js';
import { forNobody, makeUserSandbox, userCannotRunCheckout, processesWithEnv } from '../helpers/user-sandbox.js';
import { waitFor } from '../helpers/wait.js';
import { socketAnswers } from '../../src/socket-answers.js';

const asUser = { skip: userCannotRunCheckout() };

// Also run by the user nobody: a path it can reach.
const MEMORY_VIRTFCD = forNobody(path.join(repoRoot, 'dist', 'test', 'helpers', 'memory-virtfcd.js'));
const VIRSH = which('virsh');

test('usage errors exit 2 with one sentence; --help and --version exit 0', async () => {
  const bad = await run(process.execPath, [MEMORY_VIRTFCD, '--bogus']);
  assert.deepEqual(bad, { status: 2, stdout: '', stderr: "virtfcd: error: Unknown option '--bogus'; see 'virtfcd --help'\n" });
  const help = await run(process.execPath, [MEMORY_VIRTFCD, '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: virtfcd \[OPTIONS\]\n/);
  assert.match(help.stdout, /--timeout SECS/);
  const version = await run(process.execPath, [MEMORY_VIRTFCD, '--version']);
  assert.deepEqual(version, { status: 0, stdout: 'virtfcd (fcvirt) 0.1.0\n', stderr: '' });
});

test('the system instance as a user: refused with what to do instead, nothing left behind', asUser, async (t) => {
  const user = await makeUserSandbox(t);
  const result = await run(process.execPath, [MEMORY_VIRTFCD, '--system'], { uid: user.uid, gid: user.gid, cwd: user.home, env: user.env });
  assert.equal(result.status, 1);
  assert.match(
    result.stderr,
    // Which step fails depends on whether the host already has /run/libvirt.
    /^\S+ \S+: \d+: error : cannot start: cannot (create directory '\/run\/libvirt'|listen on '\/run\/libvirt\/virtfcd-sock'): Permission denied; the system instance runs as root \(or give it --root DIR, or use --session\)\n$/,
  );
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} stops it cleanly: exit 0, socket files removed, nothing on stderr`, async (t) => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'fcvd-'));
    t.after(() => fs.rm(root, { recursive: true, force: true }));
    const child = spawn(process.execPath, [MEMORY_VIRTFCD, '--root', root], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    t.after(() => child.kill('SIGKILL'));
    const rw = path.join(root, 'run/libvirt/virtfcd-sock');
    const ro = path.join(root, 'run/libvirt/virtfcd-sock-ro');
    await waitFor(async () => (await socketAnswers(rw)) && (await socketAnswers(ro)), 'the daemon to listen', 10_000);
    child.kill(signal);
    assert.equal(await exited, 0);
    assert.equal(stderr, '');
    assert.deepEqual(await fs.readdir(path.join(root, 'run/libvirt')), []);
  });
}

test('the stock virsh in direct mode spawns $VIRTD_PATH/virtfcd --timeout=120 for a user\'s fc:///session', { skip: VIRSH === null ? 'virsh is not installed' : userCannotRunCheckout() }, async (t) => {
  const user = await makeUserSandbox(t);
  const spawns = path.join(user.base, 'spawns');
  await fs.writeFile(spawns, '');
  await fs.chmod(spawns, 0o666);
  // The arguments are recorded; the daemon gets a short idle timeout so the test need not kill it.
  await fs.writeFile(
    path.join(user.bin, 'virtfcd'),
    `#!/bin/sh\necho "$*" >> '${spawns}'\nexec '${process.execPath}' '${MEMORY_VIRTFCD}' "$@" --timeout=1\n`,
    { mode: 0o755 },
  );
  const conf = path.join(user.config, 'libvirt');
  await fs.mkdir(conf);
  await fs.writeFile(path.join(conf, 'libvirt.conf'), 'remote_mode = "direct"\n');
  await fs.chown(conf, user.uid, user.gid);
  const result = await run(VIRSH ?? 'virsh', ['-c', 'fc:///session', 'list', '--all'], {
    uid: user.uid,
    gid: user.gid,
    cwd: user.home,
    env: { ...user.env, VIRTD_PATH: user.bin },
  });
  assert.deepEqual(result, { status: 0, stdout: ' Id   Name   State\n--------------------\n\n', stderr: '' });
  // No --session: as a user that is virtfcd's default.
  assert.equal(await fs.readFile(spawns, 'utf8'), '--timeout=120\n');
  await waitFor(async () => (await processesWithEnv('XDG_RUNTIME_DIR', user.runtime)).length === 0, 'the idle daemon to exit', 10_000);
});
