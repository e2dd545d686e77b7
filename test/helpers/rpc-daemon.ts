// A test daemon: the RPC server serving a MemoryHypervisor on a read-write and a read-only
// socket in a fresh temp dir, torn down (sockets, dir, clients) by close().

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { listen, type Listener } from '../../src/rpc/listen.js';
import type { RpcServerOptions } from '../../src/rpc/server/server.js';
import { MemoryHypervisor } from './memory-connection.js';

export interface TestDaemon {
  dir: string;
  rwPath: string;
  roPath: string;
  hv: MemoryHypervisor;
  rw: Listener;
  ro: Listener;
  log: string[];
  close(): Promise<void>;
}

export async function startTestDaemon(options: Partial<RpcServerOptions> = {}): Promise<TestDaemon> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fcvirt-rpc-'));
  const hv = new MemoryHypervisor();
  const log: string[] = [];
  const common = {
    connect: hv.connect,
    log: (message: string) => {
      log.push(message);
    },
    ...options,
  };
  const rwPath = path.join(dir, 'virtfcd-sock');
  const roPath = path.join(dir, 'virtfcd-sock-ro');
  const rw = await listen({ ...common, path: rwPath, mode: 0o600 });
  const ro = await listen({ ...common, path: roPath, mode: 0o666, readOnly: true });
  return {
    dir,
    rwPath,
    roPath,
    hv,
    rw,
    ro,
    log,
    async close() {
      await Promise.all([rw.close(), ro.close()]);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
