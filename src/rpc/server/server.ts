// The protocol server: one ClientSession per accepted socket. It knows nothing of the fc
// driver; the daemon passes a ConnectionFactory.

import type { Duplex } from 'node:stream';
import { ClientSession, type ConnectionFactory, type SessionOptions } from './session.js';

export type { ConnectionFactory } from './session.js';

export interface RpcServerOptions {
  connect: ConnectionFactory;
  /** Every client of this server is read-only (the -ro socket). */
  readOnly?: boolean;
  /** What a client opening a NULL URI gets; fc:///system unless told. */
  defaultUri?: string;
  /** Server keepalive interval in ms (libvirtd's keepalive_interval is 5 s); 0 disables. */
  keepaliveIntervalMs?: number;
  /** Unanswered pings before a client is dropped (libvirtd's keepalive_count is 5). */
  keepaliveCount?: number;
  maxClientRequests?: number;
  maxQueuedBytes?: number;
  /** Diagnostics: protocol errors, dropped clients, procedures answered with NO_SUPPORT. */
  log?: (message: string) => void;
}

export class RpcServer {
  private readonly sessions = new Set<ClientSession>();
  private readonly options: SessionOptions;

  constructor(options: RpcServerOptions) {
    this.options = {
      connect: options.connect,
      readOnly: options.readOnly ?? false,
      defaultUri: options.defaultUri ?? 'fc:///system',
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? 5000,
      keepaliveCount: options.keepaliveCount ?? 5,
      maxClientRequests: options.maxClientRequests ?? 5,
      maxQueuedBytes: options.maxQueuedBytes ?? 64 * 1024 * 1024,
      log: options.log ?? (() => undefined),
    };
  }

  /** Serves one client over an accepted socket (or any duplex byte stream). */
  handle(socket: Duplex): ClientSession {
    const session = new ClientSession(socket, this.options);
    this.sessions.add(session);
    session.onClose(() => this.sessions.delete(session));
    return session;
  }

  get clientCount(): number {
    return this.sessions.size;
  }

  /** Ends every client session. */
  close(): void {
    for (const session of [...this.sessions]) session.shutdown();
  }
}
