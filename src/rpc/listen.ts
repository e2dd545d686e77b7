// Serving the protocol on a UNIX socket path, the way libvirt's daemons do: the socket file
// gets the requested mode, a stale file from a dead daemon is replaced, and a live daemon
// already answering on the path is never stolen from.

import net from 'node:net';
import fs from 'node:fs/promises';
import path from 'node:path';
import { VirError } from '../errors.js';
import { RpcServer, type RpcServerOptions } from './server/server.js';
import { socketAnswers } from '../socket-answers.js';

export interface ListenOptions extends RpcServerOptions {
  path: string;
  /** File mode of the socket (0o600 for the rw socket, 0o666 for -ro). */
  mode: number;
}

export interface Listener {
  readonly path: string;
  readonly server: RpcServer;
  /** Stops accepting, ends every client, removes the socket file. */
  close(): Promise<void>;
}

export async function listen(options: ListenOptions): Promise<Listener> {
  const socketPath = options.path;
  await fs.mkdir(path.dirname(socketPath), { recursive: true });
  const existing = await fs.lstat(socketPath).catch(() => null);
  if (existing !== null) {
    if (!existing.isSocket()) {
      throw new VirError('VIR_ERR_OPERATION_FAILED', `${socketPath} exists and is not a socket; remove it or choose another path`);
    }
    if (await socketAnswers(socketPath)) {
      throw new VirError('VIR_ERR_OPERATION_FAILED', `another daemon is already serving ${socketPath}`);
    }
    await fs.unlink(socketPath);
  }

  const rpc = new RpcServer(options);
  const server = net.createServer((socket) => rpc.handle(socket));
  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // The mode comes from the umask at bind time, so no client can connect before it holds.
  // Node binds a pipe synchronously inside listen(), so the umask is changed only for that
  // call and nothing else running in the process sees it.
  const previousUmask = process.umask(0o777 & ~options.mode);
  try {
    server.listen(socketPath);
  } finally {
    process.umask(previousUmask);
  }
  await listening;
  await fs.chmod(socketPath, options.mode);

  let closing: Promise<void> | null = null;
  return {
    path: socketPath,
    server: rpc,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
        });
        rpc.close();
        await stopped;
        await fs.unlink(socketPath).catch(() => undefined);
      })();
      return closing;
    },
  };
}
