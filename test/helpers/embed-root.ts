// A fresh driver root per test (fc:///embed?root=DIR), torn down with everything in it: every
// Firecracker started under it is killed (found by its API socket path, whoever started it),
// then the directory goes.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { Connection } from '../../src/api/connection.js';
import { openConnection } from '../../src/connect.js';
import { waitFor } from './wait.js';

export interface EmbedRoot {
  root: string;
  uri: string;
  /** Opens an embed connection to the root, closed before the root is torn down. */
  open(): Promise<Connection>;
}

/** Firecracker processes (pid list) whose --api-sock lies under `root`. */
export async function processesUnder(root: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = (await fs.readFile(`/proc/${entry}/cmdline`, 'latin1')).split('\0');
    } catch {
      continue;
    }
    const socket = args[args.indexOf('--api-sock') + 1];
    if (args.includes('--api-sock') && socket !== undefined && socket.startsWith(`${root}/`)) pids.push(Number(entry));
  }
  return pids;
}

export async function killProcessesUnder(root: string): Promise<void> {
  const pids = await processesUnder(root);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await waitFor(async () => (await processesUnder(root)).length === 0, 'the test\'s Firecracker processes to go', 10_000);
}

export async function makeEmbedRoot(t: TestContext): Promise<EmbedRoot> {
  // Short: socket paths under the root must fit in 107 bytes.
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'fcv-'));
  const uri = `fc:///embed?root=${root}`;
  const connections: Connection[] = [];
  t.after(async () => {
    for (const connection of connections) await connection.close();
    await killProcessesUnder(root);
    await fs.rm(root, { recursive: true, force: true });
  });
  return {
    root,
    uri,
    async open() {
      const connection = await openConnection(uri);
      connections.push(connection);
      return connection;
    },
  };
}
