// A non-root user's world for tests of fc:///session: the user nobody with a home, runtime and
// cache dir of its own in a temp dir, and a directory for VIRTD_PATH. Teardown kills whatever
// still runs with that runtime dir (a session daemon started by a client) and removes it all.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { repoRoot } from './paths.js';
import { waitFor } from './wait.js';

export const NOBODY = 65534;

export interface UserSandbox {
  uid: number;
  gid: number;
  base: string;
  home: string;
  runtime: string;
  cache: string;
  config: string;
  /** For VIRTD_PATH (root-owned, readable). */
  bin: string;
  /** The session environment: HOME and the XDG dirs. */
  env: NodeJS.ProcessEnv;
}

function nobodyCanRead(file: string): boolean {
  return spawnSync('test', ['-r', file], { uid: NOBODY, gid: NOBODY }).status === 0;
}

/** What the user nobody must be able to read to run this checkout's code. */
function neededFiles(root: string): string[] {
  return [path.join(root, 'dist', 'src', 'index.js'), path.join(root, 'node_modules', 'saxes', 'package.json')];
}

/** What of the checkout code run by the user nobody needs: the package, its build, its dependencies, the test double. */
const RUNTIME_PARTS = ['package.json', 'dist', 'node_modules', 'test/fake-firecracker', 'test/data/fake-guest'];

/**
 * The checkout as the user nobody reaches it: the checkout itself, or — when it or a parent
 * directory keeps that user out (a clone under /root, or into a mode-0700 temp dir, as
 * `git clone . "$(mktemp -d)"` makes) — a copy of what that code needs, hard-linked where the
 * file system allows, under a directory every user may enter; removed when this process exits.
 */
function checkoutForNobody(): string {
  if (neededFiles(repoRoot).every(nobodyCanRead)) return repoRoot;
  const base = mkdtempSync(path.join(os.tmpdir(), 'fcvr-'));
  chmodSync(base, 0o755);
  process.once('exit', () => {
    rmSync(base, { recursive: true, force: true });
  });
  const copy = path.join(base, 'checkout');
  for (const part of RUNTIME_PARTS) {
    const target = path.join(copy, part);
    mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    // -l: hard links, no data copied; another file system refuses them, then a real copy.
    if (spawnSync('cp', ['-al', path.join(repoRoot, part), target]).status !== 0) {
      rmSync(target, { recursive: true, force: true });
      spawnSync('cp', ['-a', path.join(repoRoot, part), target]);
    }
  }
  return copy;
}

/** Where the user nobody runs this checkout's code from (see checkoutForNobody). */
export const nobodyRepoRoot = checkoutForNobody();

/** A path inside the checkout, as the user nobody reaches it. */
export function forNobody(file: string): string {
  return file.startsWith(`${repoRoot}/`) ? nobodyRepoRoot + file.slice(repoRoot.length) : file;
}

/**
 * Why the user nobody cannot run this checkout's code even from the copy (one that could not be
 * made), as a skip reason; false when it can. The tests that run code as that user skip with
 * this reason.
 */
export function userCannotRunCheckout(): string | false {
  const unreadable = neededFiles(nobodyRepoRoot).find((file) => !nobodyCanRead(file));
  return unreadable === undefined ? false : `the user nobody cannot read ${unreadable}: these tests run the client as that user; clone where every user may enter each parent directory`;
}

/** Pids whose environment holds NAME=VALUE. */
export async function processesWithEnv(name: string, value: string): Promise<number[]> {
  const wanted = `${name}=${value}`;
  const pids: number[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = (await fs.readFile(`/proc/${entry}/environ`, 'latin1')).split('\0');
      if (environ.includes(wanted)) pids.push(Number(entry));
    } catch {
      // gone, or a kernel thread
    }
  }
  return pids;
}

export async function killProcessesWithEnv(name: string, value: string): Promise<void> {
  for (const pid of await processesWithEnv(name, value)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await waitFor(async () => (await processesWithEnv(name, value)).length === 0, `processes with ${name}=${value} to go`, 10_000);
}

export async function makeUserSandbox(t: TestContext): Promise<UserSandbox> {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'fcvu-'));
  await fs.chmod(base, 0o755);
  const owned = async (name: string): Promise<string> => {
    const dir = path.join(base, name);
    await fs.mkdir(dir, { mode: 0o700 });
    await fs.chown(dir, NOBODY, NOBODY);
    return dir;
  };
  const home = await owned('home');
  const runtime = await owned('run');
  const cache = await owned('cache');
  const config = await owned('config');
  const bin = path.join(base, 'bin');
  await fs.mkdir(bin, { mode: 0o755 });
  t.after(async () => {
    await killProcessesWithEnv('XDG_RUNTIME_DIR', runtime);
    await fs.rm(base, { recursive: true, force: true });
  });
  return {
    uid: NOBODY,
    gid: NOBODY,
    base,
    home,
    runtime,
    cache,
    config,
    bin,
    env: { HOME: home, XDG_RUNTIME_DIR: runtime, XDG_CACHE_HOME: cache, XDG_CONFIG_HOME: config, USER: 'nobody', LOGNAME: 'nobody' },
  };
}
