// virtfcd's body, independent of how it is started: refuse to start over a live daemon, open
// the driver, serve the read-write and read-only sockets, count clients, log calls, and go away
// when idle (--timeout). Stopping closes the sockets (their files are removed), ends every
// client and closes the driver, which releases its root and leaves running VMs running.

import fs from 'node:fs/promises';
import type { Connection } from '../api/connection.js';
import { isVirError, VirError } from '../errors.js';
import { strerror } from '../system-error.js';
import { listen, type Listener } from '../rpc/listen.js';
import type { RpcServerOptions } from '../rpc/server/server.js';
import { IdleShutdown } from './idle-shutdown.js';
import type { Logger } from './logger.js';
import { RO_SOCKET_MODE, RW_SOCKET_MODE, type DaemonSockets } from './socket-paths.js';
import { socketAnswers } from '../socket-answers.js';

/** What the daemon serves: the fc driver on one root. */
export interface DaemonBackend {
  /** Opens the Connection of one client (uri already checked). */
  connect(uri: string, readOnly: boolean): Promise<Connection>;
  /** Domains running (or paused) now; while there are any the daemon is not idle. */
  activeDomainCount(): number;
  /** Calls `listener` whenever a domain changes state; returns how to stop. */
  onStateChange(listener: () => void): () => void;
  /** Stops watching domains and releases the root; VMs keep running. */
  close(): Promise<void>;
}

export interface DaemonConfig {
  sockets: DaemonSockets;
  /** 0: never exit for idleness. */
  timeoutSeconds: number;
  logger: Logger;
  /** Opens the driver once the sockets are known to be free (it takes the root's lock). */
  openBackend: () => Promise<DaemonBackend>;
  /** Protocol settings (keepalive, limits); tests shorten them. */
  rpc?: Pick<RpcServerOptions, 'keepaliveIntervalMs' | 'keepaliveCount' | 'maxClientRequests' | 'maxQueuedBytes'>;
}

export type StopReason = 'idle' | 'signal' | 'requested';

const SESSION_PATH = '/session';

/**
 * The URI check of the driver's connectOpen (libvirt's virConnectValidateURIPath): a session
 * daemon serves only fc:///session; a system daemon fc:///system and also fc:///session, which
 * is what root's session URI reaches — libvirt's qemu driver accepts it the same way, where its
 * newer drivers refuse it; a root user expects it to work.
 */
export function checkServedUri(uri: string, sockets: DaemonSockets): void {
  if (sockets.uri !== 'fc:///session') return;
  const { pathname } = new URL(uri);
  if (pathname !== SESSION_PATH) {
    throw new VirError('VIR_ERR_INTERNAL_ERROR', `unexpected fc URI path '${pathname}', try fc:///session`);
  }
}

/** What to do about a permission problem of the system instance. */
function hintFor(error: unknown, sockets: DaemonSockets): string {
  const denied = ['EACCES', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '');
  return denied && sockets.uri === 'fc:///system' ? '; the system instance runs as root (or give it --root DIR, or use --session)' : '';
}

export class Daemon {
  private readonly listeners: { listener: Listener; name: string }[] = [];
  private backend: DaemonBackend | undefined;
  private idle: IdleShutdown | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopping: Promise<void> | undefined;
  private resolveDone: (reason: StopReason) => void = () => undefined;
  /** Settles when the daemon has stopped, with why. */
  readonly done: Promise<StopReason>;

  private constructor(private readonly config: DaemonConfig) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  static async start(config: DaemonConfig): Promise<Daemon> {
    const daemon = new Daemon(config);
    try {
      await daemon.open();
    } catch (error) {
      await daemon.shutdown();
      throw error;
    }
    return daemon;
  }

  get sockets(): DaemonSockets {
    return this.config.sockets;
  }

  /** Clients connected on every socket. */
  get clientCount(): number {
    return this.listeners.reduce((sum, { listener }) => sum + listener.server.clientCount, 0);
  }

  private async open(): Promise<void> {
    const { sockets, logger } = this.config;
    const paths = [sockets.rw, ...(sockets.ro === undefined ? [] : [sockets.ro])];
    // Before the driver is touched: a second daemon must not even try to take the root.
    for (const socketPath of paths) {
      if (await socketAnswers(socketPath)) {
        throw new VirError(
          'VIR_ERR_OPERATION_FAILED',
          `another daemon is already serving ${socketPath}; stop it first, or give this one another --root`,
        );
      }
    }
    // libvirt keeps a user's runtime dir private; the system one is world-readable (the -ro socket).
    try {
      await fs.mkdir(sockets.dir, { recursive: true, mode: sockets.ro === undefined ? 0o700 : 0o755 });
    } catch (error) {
      throw new VirError('VIR_ERR_SYSTEM_ERROR', `cannot create directory '${sockets.dir}': ${strerror(error)}${hintFor(error, sockets)}`, { cause: error });
    }

    const backend = await this.config.openBackend();
    this.backend = backend;
    let clientIds = 0;
    const common = {
      ...this.config.rpc,
      defaultUri: sockets.uri,
      nextClientId: () => ++clientIds,
      connect: async (uri: string, readOnly: boolean) => {
        checkServedUri(uri, sockets);
        return backend.connect(uri, readOnly);
      },
      log: (message: string, level: 'info' | 'warning') => {
        if (level === 'warning') logger.warn(message);
        else logger.info(message);
      },
    };
    const serve = async (socketPath: string, mode: number, readOnly: boolean): Promise<void> => {
      const name = socketPath.slice(socketPath.lastIndexOf('/') + 1);
      let listener: Listener;
      try {
        listener = await listen({
          ...common,
          path: socketPath,
          mode,
          readOnly,
          onCall: (record) => {
            logger.call(record, name);
          },
          onClient: (event, client, count) => {
            logger.info(`client ${client} ${event} on ${name} (${count} on this socket)`);
            this.idle?.poke();
          },
        });
      } catch (error) {
        if (isVirError(error)) throw error;
        throw new VirError('VIR_ERR_SYSTEM_ERROR', `cannot listen on '${socketPath}': ${strerror(error)}${hintFor(error, sockets)}`, { cause: error });
      }
      this.listeners.push({ listener, name });
    };
    await serve(sockets.rw, RW_SOCKET_MODE, false);
    if (sockets.ro !== undefined) await serve(sockets.ro, RO_SOCKET_MODE, true);
    logger.info(`serving ${sockets.uri} on ${paths.join(' and ')}`);

    if (this.config.timeoutSeconds > 0) {
      this.idle = new IdleShutdown({
        timeoutMs: this.config.timeoutSeconds * 1000,
        isBusy: () => this.clientCount > 0 || backend.activeDomainCount() > 0,
        onIdle: () => {
          logger.info(`idle for ${this.config.timeoutSeconds} s with no client and no running domain: exiting`);
          void this.stop('idle');
        },
      });
      this.unsubscribe = backend.onStateChange(() => this.idle?.poke());
    }
  }

  /** Stops serving: sockets closed and removed, clients ended, the driver closed. */
  stop(reason: StopReason = 'requested'): Promise<void> {
    this.stopping ??= this.shutdown().then(() => {
      this.resolveDone(reason);
    });
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.idle?.stop();
    this.unsubscribe?.();
    const listeners = this.listeners.splice(0);
    await Promise.all(listeners.map(({ listener }) => listener.close()));
    const backend = this.backend;
    this.backend = undefined;
    await backend?.close();
  }
}
