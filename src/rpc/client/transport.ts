// The client side of the wire: serials, replies matched by serial, MESSAGE packets handed to
// a listener, stream packets routed by serial, keepalive both ways. Calls go through the
// same procedure table as the server's dispatch.

import net from 'node:net';
import { VirError } from '../../errors.js';
import { strerror } from '../../system-error.js';
import {
  type Header,
  type Packet,
  MessageStatus,
  MessageType,
  PacketReader,
  encodePacket,
} from '../framing.js';
import {
  KEEPALIVE_PROGRAM,
  KEEPALIVE_PROTOCOL_VERSION,
  KeepaliveProc,
  REMOTE_PROGRAM,
  REMOTE_PROTOCOL_VERSION,
} from '../protocol/constants.js';
import type { ArgsOf, ProcedureKey, RetOf } from '../protocol/procedures.js';
import { procedure } from '../protocol/procedures.js';
import { errorCodec, fromWireError } from '../protocol/types.js';
import { XdrReader, encodeWith } from '../xdr.js';
import { ClientConsoleStream } from './console-stream.js';

interface Pending {
  resolve(payload: Buffer): void;
  reject(error: VirError): void;
}

export interface TransportOptions {
  /** Ping after this much silence from the daemon (ms); 0 disables. virsh uses 5 s. */
  keepaliveIntervalMs?: number;
  /** Unanswered pings before the connection is given up (virsh: 6). */
  keepaliveCount?: number;
}

/** Connects to a UNIX socket; rejects with the system error (ENOENT, ECONNREFUSED, …). */
export function connectUnixSocket(socketPath: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
  });
}

/** libvirt's words for a failed connect: "Failed to connect socket to 'PATH': <strerror>". */
export function socketConnectError(socketPath: string, error: unknown): VirError {
  return new VirError('VIR_ERR_SYSTEM_ERROR', `Failed to connect socket to '${socketPath}': ${strerror(error)}`, {
    domain: 'VIR_FROM_RPC',
    cause: error,
  });
}

function connectionClosed(detail: string): VirError {
  return new VirError('VIR_ERR_RPC', detail, { domain: 'VIR_FROM_RPC' });
}

export class RpcTransport {
  private readonly reader = new PacketReader();
  private serial = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly streams = new Map<number, ClientConsoleStream>();
  private closedError: VirError | null = null;
  private inputPauses = 0;
  private keepaliveTimer: NodeJS.Timeout | null = null;
  private lastReceived = Date.now();
  private unansweredPings = 0;
  private readonly closeListeners: ((error: VirError) => void)[] = [];
  /** Receives MESSAGE packets of the remote program (events). */
  onMessage: (proc: number, payload: Buffer) => void = () => undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.receive(chunk);
    });
    socket.on('error', (error) => {
      this.shutdown(connectionClosed(`connection to the daemon failed: ${error.message}`));
    });
    socket.on('close', () => {
      this.shutdown(connectionClosed('the daemon closed the connection'));
    });
  }

  static async connect(socketPath: string): Promise<RpcTransport> {
    try {
      return new RpcTransport(await connectUnixSocket(socketPath));
    } catch (error) {
      throw socketConnectError(socketPath, error);
    }
  }

  /** Speaks the protocol over a socket already connected to the daemon. */
  static attach(socket: net.Socket): RpcTransport {
    return new RpcTransport(socket);
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  onClose(listener: (error: VirError) => void): void {
    this.closeListeners.push(listener);
  }

  /** Calls a procedure and resolves with its decoded return value. */
  async call<K extends ProcedureKey>(key: K, args: ArgsOf<K>): Promise<RetOf<K>> {
    const entry = procedure(key);
    const { promise } = this.send(entry.proc, encodeWith(entry.args, args));
    const reply = await promise;
    try {
      return entry.ret.decode(new XdrReader(reply));
    } catch (error) {
      throw connectionClosed(`cannot decode the reply to ${entry.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Calls a stream-opening procedure; the stream exists before the reply so no data is lost. */
  async callStream<K extends ProcedureKey>(key: K, args: ArgsOf<K>): Promise<ClientConsoleStream> {
    const entry = procedure(key);
    const { serial, promise } = this.send(entry.proc, encodeWith(entry.args, args));
    const stream = new ClientConsoleStream({
      send: (status, data, callback) => {
        this.writeStream(entry.proc, serial, status, data, callback);
      },
      pauseInput: () => {
        if (this.inputPauses++ === 0) this.socket.pause();
      },
      resumeInput: () => {
        if (this.inputPauses > 0 && --this.inputPauses === 0) this.socket.resume();
      },
      finished: () => {
        this.streams.delete(serial);
      },
    });
    this.streams.set(serial, stream);
    try {
      await promise;
    } catch (error) {
      this.streams.delete(serial);
      throw error;
    }
    return stream;
  }

  private send(proc: number, payload: Buffer): { serial: number; promise: Promise<Buffer> } {
    const serial = this.serial;
    this.serial = (this.serial + 1) >>> 0;
    const promise = new Promise<Buffer>((resolve, reject) => {
      if (this.closedError !== null) {
        reject(this.closedError);
        return;
      }
      this.pending.set(serial, { resolve, reject });
      this.socket.write(
        encodePacket(
          { prog: REMOTE_PROGRAM, vers: REMOTE_PROTOCOL_VERSION, proc, type: MessageType.CALL, serial, status: MessageStatus.OK },
          payload,
        ),
      );
    });
    return { serial, promise };
  }

  private writeStream(
    proc: number,
    serial: number,
    status: number,
    payload: Buffer,
    callback: (error?: Error | null) => void,
  ): void {
    if (this.closedError !== null) {
      callback(this.closedError);
      return;
    }
    const header: Header = {
      prog: REMOTE_PROGRAM,
      vers: REMOTE_PROTOCOL_VERSION,
      proc,
      type: MessageType.STREAM,
      serial,
      status,
    };
    this.socket.write(encodePacket(header, payload), (error) => {
      callback(error ?? null);
    });
  }

  private receive(chunk: Buffer): void {
    let packets: Packet[];
    try {
      packets = this.reader.push(chunk);
    } catch (error) {
      this.shutdown(error instanceof VirError ? error : connectionClosed(String(error)));
      this.socket.destroy();
      return;
    }
    this.lastReceived = Date.now();
    this.unansweredPings = 0;
    for (const packet of packets) this.handle(packet);
  }

  private handle({ header, payload }: Packet): void {
    if (header.prog === KEEPALIVE_PROGRAM && header.vers === KEEPALIVE_PROTOCOL_VERSION) {
      if (header.type === MessageType.MESSAGE && header.proc === KeepaliveProc.PING) {
        this.socket.write(encodePacket({ ...header, proc: KeepaliveProc.PONG, serial: 0, status: MessageStatus.OK }));
      }
      return;
    }
    if (header.prog !== REMOTE_PROGRAM || header.vers !== REMOTE_PROTOCOL_VERSION) return;
    switch (header.type) {
      case MessageType.REPLY: {
        const pending = this.pending.get(header.serial);
        if (pending === undefined) return;
        this.pending.delete(header.serial);
        if (header.status === MessageStatus.OK) pending.resolve(payload);
        else pending.reject(this.decodeError(payload));
        return;
      }
      case MessageType.MESSAGE:
        this.onMessage(header.proc, payload);
        return;
      case MessageType.STREAM: {
        const stream = this.streams.get(header.serial);
        if (stream === undefined) return;
        if (header.status === MessageStatus.ERROR) stream.fail(this.decodeError(payload));
        else stream.receive(header.status, payload);
        return;
      }
      default:
        return;
    }
  }

  private decodeError(payload: Buffer): VirError {
    try {
      return fromWireError(errorCodec.decode(new XdrReader(payload)));
    } catch {
      return connectionClosed('the daemon sent an error that cannot be decoded');
    }
  }

  /** Starts pinging the daemon when it has been silent (needs PROGRAM_KEEPALIVE support). */
  startKeepalive(options: TransportOptions): void {
    const interval = options.keepaliveIntervalMs ?? 5000;
    const count = options.keepaliveCount ?? 6;
    if (interval <= 0 || this.keepaliveTimer !== null || this.closed) return;
    this.keepaliveTimer = setInterval(() => {
      if (Date.now() - this.lastReceived < interval) return;
      if (this.unansweredPings >= count) {
        this.shutdown(connectionClosed('connection to the daemon timed out: no keepalive response'));
        this.socket.destroy();
        return;
      }
      this.unansweredPings++;
      this.socket.write(
        encodePacket({
          prog: KEEPALIVE_PROGRAM,
          vers: KEEPALIVE_PROTOCOL_VERSION,
          proc: KeepaliveProc.PING,
          type: MessageType.MESSAGE,
          serial: 0,
          status: MessageStatus.OK,
        }),
      );
    }, Math.max(1, Math.floor(interval / 2)));
    this.keepaliveTimer.unref();
  }

  /** Closes the socket (after CONNECT_CLOSE, or to give up). */
  async close(): Promise<void> {
    if (this.socket.destroyed) {
      this.shutdown(connectionClosed('the connection is closed'));
      return;
    }
    const closed = new Promise<void>((resolve) => {
      this.socket.once('close', () => {
        resolve();
      });
    });
    this.socket.end();
    this.socket.destroySoon();
    await closed;
  }

  private shutdown(error: VirError): void {
    if (this.closedError !== null) return;
    this.closedError = error;
    if (this.keepaliveTimer !== null) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = null;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    for (const stream of [...this.streams.values()]) stream.connectionLost(error);
    this.streams.clear();
    for (const listener of this.closeListeners.splice(0)) listener(error);
  }
}
