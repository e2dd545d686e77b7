// The protocol server: one ClientSession per accepted socket. It knows nothing of the fc
// driver; the daemon passes a ConnectionFactory.

import type { Duplex } from 'node:stream';
import { ClientSession, type ConnectionFactory, type SessionOptions, type CallRecord, type LogLevel } from './session.js';

export type { ConnectionFactory, CallRecord, LogLevel } from './session.js';

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
  /**
   * Diagnostics: protocol errors, dropped clients, procedures answered with NO_SUPPORT. The
   * level says whether something went wrong ('warning') or is only of interest when tracing.
   */
  log?: (message: string, level: LogLevel) => void;
  /** Told about every call once it is answered (the daemon's --verbose log). */
  onCall?: (record: CallRecord) => void;
  /** Told whenever a client connects or goes away, with how many this server has now. */
  onClient?: (event: 'connected' | 'disconnected', client: number, count: number) => void;
  /** Numbers clients for logs; several servers (rw and ro sockets) may share one counter. */
  nextClientId?: () => number;
}

export class RpcServer {
  private readonly sessions = new Set<ClientSession>();
  private readonly options: SessionOptions;
  private readonly onClient: (event: 'connected' | 'disconnected', client: number, count: number) => void;
  private readonly nextClientId: () => number;

  constructor(options: RpcServerOptions) {
    let clients = 0;
    this.nextClientId = options.nextClientId ?? (() => ++clients);
    this.onClient = options.onClient ?? (() => undefined);
    this.options = {
      connect: options.connect,
      readOnly: options.readOnly ?? false,
      defaultUri: options.defaultUri ?? 'fc:///system',
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? 5000,
      keepaliveCount: options.keepaliveCount ?? 5,
      maxClientRequests: options.maxClientRequests ?? 5,
      maxQueuedBytes: options.maxQueuedBytes ?? 64 * 1024 * 1024,
      log: options.log ?? (() => undefined),
      onCall: options.onCall ?? (() => undefined),
    };
  }

  /** Serves one client over an accepted socket (or any duplex byte stream). */
  handle(socket: Duplex): ClientSession {
    const session = new ClientSession(socket, this.options, this.nextClientId());
    this.sessions.add(session);
    this.onClient('connected', session.id, this.sessions.size);
    session.onClose(() => {
      this.sessions.delete(session);
      this.onClient('disconnected', session.id, this.sessions.size);
    });
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
