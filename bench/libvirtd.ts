// The baseline daemon: Debian's libvirtd (package libvirt-daemon) serving libvirt's built-in
// `test` driver, run as a child of the benchmark and stopped after it. It runs as the user
// nobody with every directory it uses (config, runtime, cache, sockets, log) in a temp dir, no
// TCP, so nothing of the host's libvirt state is read or written and its qemu driver needs no
// libvirt-qemu user. Clients reach it as test+unix:///default?socket=DIR/sock/libvirt-sock.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { socketAnswers } from '../src/socket-answers.js';

export const LIBVIRTD = '/usr/sbin/libvirtd';
const NOBODY = 65534;

export interface Libvirtd {
  uri: string;
  logFile: string;
  stop(): Promise<void>;
}

export async function startLibvirtd(): Promise<Libvirtd> {
  if (!existsSync(LIBVIRTD)) throw new Error(`${LIBVIRTD} is missing: apt-get install --no-install-recommends libvirt-daemon`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fcvirt-libvirtd-'));
  await fs.chmod(dir, 0o755);
  for (const sub of ['home', 'run', 'sock']) {
    await fs.mkdir(path.join(dir, sub), { mode: 0o700 });
    await fs.chown(path.join(dir, sub), NOBODY, NOBODY);
  }
  const socket = path.join(dir, 'sock', 'libvirt-sock');
  const logFile = path.join(dir, 'home', 'libvirtd.log');
  const config = path.join(dir, 'libvirtd.conf');
  await fs.writeFile(
    config,
    [
      'listen_tls = 0',
      'listen_tcp = 0',
      `unix_sock_dir = "${path.join(dir, 'sock')}"`,
      'unix_sock_rw_perms = "0777"',
      'unix_sock_ro_perms = "0777"',
      'auth_unix_rw = "none"',
      'auth_unix_ro = "none"',
      // Only errors, to a file: the same as virtfcd without --verbose.
      `log_outputs = "4:file:${logFile}"`,
      '',
    ].join('\n'),
  );
  const home = path.join(dir, 'home');
  const child: ChildProcess = spawn(LIBVIRTD, ['--config', config], {
    uid: NOBODY,
    gid: NOBODY,
    cwd: home,
    stdio: 'ignore',
    env: {
      PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: home,
      XDG_RUNTIME_DIR: path.join(dir, 'run'),
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
    },
  });
  const state = { exited: false };
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      state.exited = true;
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (!state.exited) child.kill('SIGTERM');
    await Promise.race([exit, delay(10_000)]);
    if (!state.exited) {
      child.kill('SIGKILL');
      await exit;
    }
    await fs.rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (!(await socketAnswers(socket))) {
    if (state.exited || Date.now() > deadline) {
      const log = await fs.readFile(logFile, 'utf8').catch(() => '');
      await stop();
      throw new Error(`libvirtd did not start listening on ${socket}:\n${log}`);
    }
    await delay(20);
  }
  return { uri: `test+unix:///default?socket=${socket}`, logFile, stop };
}
