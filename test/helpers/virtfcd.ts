// virtfcd as the tests run it: its own process on a fresh --root (optionally inside a network
// namespace of the test's own, so the driver's taps are made there), the Firecracker test
// double first in its PATH. Teardown stops every daemon the test started, kills every
// Firecracker under the root and removes the root.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { killProcessesUnder } from './embed-root.js';
import { fakeFirecracker } from './fc-backend.js';
import { repoRoot } from './paths.js';
import { waitFor } from './wait.js';
import { socketAnswers } from '../../src/socket-answers.js';

export const virtfcdScript = path.join(repoRoot, 'dist', 'src', 'daemon', 'virtfcd.js');

export interface DaemonRoot {
  root: string;
  rw: string;
  ro: string;
  /** fc:///system?socket=… for the rw and the ro socket. */
  uri: string;
  roUri: string;
  netns: string | undefined;
  /** Starts virtfcd on this root; stopped (if still running) when the test ends. */
  start(args?: string[]): Promise<VirtfcdProcess>;
}

export interface VirtfcdProcess {
  pid: number;
  /** Everything it wrote to stderr so far. */
  readonly stderr: string;
  /** Resolves with its exit status (or the signal that ended it). */
  readonly exited: Promise<number | NodeJS.Signals>;
  /** Sends SIGTERM (or another signal) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals>;
}

/** PATH with the test double's `firecracker` first: the seed's XML names no <emulator>. */
export function doublePath(): string {
  return [path.dirname(fakeFirecracker), process.env.PATH ?? '/usr/bin:/bin'].join(':');
}

export async function makeDaemonRoot(t: TestContext, netns?: string): Promise<DaemonRoot> {
  // Short: every socket under the root must fit in 107 bytes.
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'fcd-'));
  const children = new Set<ChildProcess>();
  t.after(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }
    await killProcessesUnder(root);
    await fs.rm(root, { recursive: true, force: true });
  });
  const rw = path.join(root, 'run/libvirt/virtfcd-sock');
  const ro = path.join(root, 'run/libvirt/virtfcd-sock-ro');
  return {
    root,
    rw,
    ro,
    uri: `fc:///system?socket=${rw}`,
    roUri: `fc:///system?socket=${ro}`,
    netns,
    async start(args = []) {
      const command = [process.execPath, virtfcdScript, '--root', root, ...args];
      const argv = netns === undefined ? command : ['ip', 'netns', 'exec', netns, ...command];
      const [file = '', ...rest] = argv;
      const child = spawn(file, rest, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PATH: doublePath() } });
      children.add(child);
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      const exited = new Promise<number | NodeJS.Signals>((resolve) => {
        child.once('exit', (code, signal) => {
          resolve(code ?? signal ?? 'SIGKILL');
        });
      });
      let ended = false;
      void exited.then(() => (ended = true));
      await waitFor(
        async () => {
          if (ended) throw new Error(`virtfcd exited before it listened:\n${stderr}`);
          return (await socketAnswers(rw)) && (await socketAnswers(ro));
        },
        'virtfcd to listen',
        20_000,
      );
      return {
        pid: child.pid ?? -1,
        get stderr() {
          return stderr;
        },
        exited,
        async stop(signal: NodeJS.Signals = 'SIGTERM') {
          child.kill(signal);
          return exited;
        },
      };
    },
  };
}
