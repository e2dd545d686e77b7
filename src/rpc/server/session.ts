// One client of the daemon: reassembles its packets, answers keepalive, runs the handshake,
// dispatches calls through the procedure table onto its Connection, relays events, carries
// console streams, and keeps every failure of this client to this client. Error answers
// follow libvirt's daemon (virnetserverprogram.c, remote_daemon_dispatch.c) word for word.

import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { Connection, Domain, DomainEvent, DomainRef } from '../../api/connection.js';
import { VirError, isVirError } from '../../errors.js';
import {
  type Header,
  type Packet,
  MessageStatus,
  MessageType,
  PacketReader,
  encodePacket,
} from '../framing.js';
import {
  CloseReason,
  DrvFeature,
  KEEPALIVE_PROGRAM,
  KEEPALIVE_PROTOCOL_VERSION,
  KeepaliveProc,
  OpenFlags,
  Proc,
  REMOTE_PROGRAM,
  REMOTE_PROTOCOL_VERSION,
  AuthType,
} from '../protocol/constants.js';
import { procedureName } from '../protocol/procedure-names.js';
import {
  type Procedure,
  type ProcedureKey,
  connectionClosedMessage,
  lifecycleEventMessage,
  procedures,
  rebootEventMessage,
} from '../protocol/procedures.js';
import { errorCodec, toWireError } from '../protocol/types.js';
import { type Codec, XdrReader, XdrWriter, encodeWith } from '../xdr.js';
import { ServerConsoleStream } from './console-stream.js';
import { type CallContext, handlers } from './handlers.js';
import { checkOpenUri } from './open-uri.js';

/** 'warning': something went wrong; 'info': only of interest when tracing what clients do. */
export type LogLevel = 'info' | 'warning';

/** One answered call, for the daemon's --verbose log. */
export interface CallRecord {
  /** The client's number (ClientSession.id). */
  client: number;
  proc: number;
  /** The procedure's name without REMOTE_PROC_, or the number when it has none. */
  name: string;
  /** The libvirt API it stands for, when there is one. */
  api: string | null;
  durationMs: number;
  /** null when the call succeeded. */
  error: VirError | null;
}

/** Opens the Connection a client asked for; the daemon plugs its driver in here. */
export type ConnectionFactory = (uri: string, readOnly: boolean) => Promise<Connection>;

export interface SessionOptions {
  connect: ConnectionFactory;
  /** The socket only serves read-only clients (virtfcd-sock-ro). */
  readOnly: boolean;
  /** The URI a client opening a NULL name gets. */
  defaultUri: string;
  /** Server keepalive: ping after this much silence (ms); 0 disables. */
  keepaliveIntervalMs: number;
  /** Close after this many unanswered pings. */
  keepaliveCount: number;
  /** Calls one client may have running at once before its socket is paused (max_client_requests). */
  maxClientRequests: number;
  /** Bytes queued towards a client that does not read before it is dropped. */
  maxQueuedBytes: number;
  log: (message: string, level: LogLevel) => void;
  onCall: (record: CallRecord) => void;
}

interface Registration {
  eventId: number;
  filter: string | null;
  connectionCallbackId: number;
}

const keyByNumber = new Map<number, ProcedureKey>(
  (Object.keys(procedures) as ProcedureKey[]).map((key) => [procedures[key].proc, key]),
);

interface SessionActions {
  openConsole(header: Header, domain: Domain, devName: string | null, flags: number): Promise<void>;
  registerEvent(conn: Connection, eventId: number, domain: DomainRef | null): Promise<number>;
  deregisterEvent(conn: Connection, callbackId: number): Promise<void>;
  setCloseCallback(registered: boolean): void;
  closeConnection(): Promise<void>;
}

/** One call's CallContext: a small object per call, every action shared with the session. */
class SessionCallContext implements CallContext {
  constructor(
    private readonly actions: SessionActions,
    readonly conn: Connection,
    private readonly header: Header,
    readonly readOnly: boolean,
  ) {}

  openConsole(domain: Domain, devName: string | null, flags: number): Promise<void> {
    return this.actions.openConsole(this.header, domain, devName, flags);
  }

  registerEvent(eventId: number, domain: DomainRef | null): Promise<number> {
    return this.actions.registerEvent(this.conn, eventId, domain);
  }

  deregisterEvent(callbackId: number): Promise<void> {
    return this.actions.deregisterEvent(this.conn, callbackId);
  }

  setCloseCallback(registered: boolean): void {
    this.actions.setCloseCallback(registered);
  }

  closeConnection(): Promise<void> {
    return this.actions.closeConnection();
  }
}

function rpcError(detail: string): VirError {
  return new VirError('VIR_ERR_RPC', detail, { domain: 'VIR_FROM_RPC' });
}

export class ClientSession {
  private readonly reader = new PacketReader();
  private conn: Connection | null = null;
  private opening = false;
  private connReadOnly: boolean;
  private closed = false;
  private closeCallback = false;
  private readonly registrations = new Map<number, Registration>();
  private nextCallbackId = 1;
  private readonly streams = new Map<number, ServerConsoleStream>();
  private readonly drainListeners = new Set<() => void>();
  private inFlight = 0;
  /** Calls waiting for one of the maxClientRequests slots; the socket is paused meanwhile. */
  private readonly waiting: Packet[] = [];
  private inputPauses = 0;
  private keepaliveTimer: NodeJS.Timeout | null = null;
  private lastReceived = Date.now();
  private unansweredPings = 0;
  private readonly closeListeners: (() => void)[] = [];
  /** What a call's context may ask of this session; built once, shared by every call. */
  private readonly actions: SessionActions = {
    openConsole: (header, domain, devName, flags) => this.openConsole(header, domain, devName, flags),
    registerEvent: (conn, eventId, domain) => this.registerEvent(conn, eventId, domain),
    deregisterEvent: (conn, callbackId) => this.deregisterEvent(conn, callbackId),
    setCloseCallback: (registered) => {
      this.closeCallback = registered;
    },
    closeConnection: () => this.closeConnection(),
  };

  constructor(
    private readonly socket: Duplex,
    private readonly options: SessionOptions,
    /** A number naming this client in logs. */
    readonly id = 0,
  ) {
    this.connReadOnly = options.readOnly;
    socket.on('data', (chunk: Buffer) => {
      this.receive(chunk);
    });
    socket.on('drain', () => {
      for (const listener of [...this.drainListeners]) listener();
    });
    socket.on('error', (error: Error) => {
      this.options.log(`client ${this.id}: socket error: ${error.message}`, 'info');
      this.teardown();
    });
    socket.on('close', () => {
      this.teardown();
    });
    socket.on('end', () => {
      socket.end();
    });
  }

  /** Called once when the session is over. */
  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  get isOpen(): boolean {
    return this.conn !== null;
  }

  /** Ends the session from the server side (daemon shutdown), telling a client that asked. */
  shutdown(): void {
    if (this.closed) return;
    if (this.closeCallback && this.conn !== null) {
      this.sendMessage(Proc.CONNECT_EVENT_CONNECTION_CLOSED, connectionClosedMessage, { reason: CloseReason.EOF });
    }
    this.socket.end(() => {
      this.socket.destroy();
    });
    // A client that does not read never lets the end flush: do not wait for it forever.
    setTimeout(() => {
      this.socket.destroy();
    }, 1000).unref();
    this.teardown();
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    let packets: Packet[];
    try {
      packets = this.reader.push(chunk);
    } catch (error) {
      this.options.log(`dropping client ${this.id}: ${error instanceof Error ? error.message : String(error)}`, 'warning');
      this.socket.destroy();
      this.teardown();
      return;
    }
    this.lastReceived = Date.now();
    this.unansweredPings = 0;
    for (const packet of packets) this.handlePacket(packet);
  }

  private handlePacket(packet: Packet): void {
    const { header } = packet;
    if (header.prog === KEEPALIVE_PROGRAM && header.vers === KEEPALIVE_PROTOCOL_VERSION && header.type === MessageType.MESSAGE) {
      if (header.proc === KeepaliveProc.PING) {
        this.write(encodePacket({ ...header, proc: KeepaliveProc.PONG, serial: 0, status: MessageStatus.OK }));
      }
      return;
    }
    const isCall = header.type === MessageType.CALL || header.type === MessageType.CALL_WITH_FDS;
    if (header.prog !== REMOTE_PROGRAM || header.vers !== REMOTE_PROTOCOL_VERSION) {
      // libvirt answers a call to an unknown program and drops anything else.
      if (isCall) this.replyError(header, rpcError(`Cannot find program ${header.prog | 0} version ${header.vers | 0}`));
      return;
    }
    if (header.type === MessageType.STREAM) {
      // Stream packets for a stream already gone are expected (they are not acknowledged).
      this.streams.get(header.serial)?.fromClient(header.status, packet.payload);
      return;
    }
    if (!isCall) {
      this.options.log(`client ${this.id}: ignoring a packet of type ${header.type} for procedure ${header.proc}`, 'info');
      return;
    }
    if (header.type === MessageType.CALL_WITH_FDS) {
      this.replyError(header, rpcError('file descriptor passing is not supported by this daemon'));
      return;
    }
    if (header.status !== MessageStatus.OK) {
      this.replyError(header, rpcError(`Unexpected message status ${header.status}`));
      return;
    }
    if (this.inFlight >= this.options.maxClientRequests) {
      // Like libvirtd's max_client_requests: stop reading until a slot frees up.
      if (this.waiting.push(packet) === 1) this.pauseInput();
      return;
    }
    this.start(packet);
  }

  private start(packet: Packet): void {
    this.inFlight++;
    void this.dispatch(packet.header, packet.payload).finally(() => {
      this.inFlight--;
      const next = this.waiting.shift();
      if (next === undefined || this.closed) return;
      if (this.waiting.length === 0) this.resumeInput();
      this.start(next);
    });
  }

  private async dispatch(header: Header, payload: Buffer): Promise<void> {
    const started = performance.now();
    let failure: VirError | null = null;
    try {
      const ret = await this.call(header, payload);
      if (ret !== null) this.reply(header, ret);
    } catch (error) {
      failure = toVirError(error);
      this.replyError(header, failure);
    }
    const named = procedureName(header.proc);
    this.options.onCall({
      client: this.id,
      proc: header.proc,
      name: named?.name ?? String(header.proc),
      api: named?.api ?? null,
      durationMs: performance.now() - started,
      error: failure,
    });
  }

  /** Runs one call; returns the encoded reply, or null when the reply was already sent. */
  private async call(header: Header, payload: Buffer): Promise<Buffer | null> {
    const number = header.proc;
    const key = keyByNumber.get(number);
    const entry = key === undefined ? undefined : procedures[key];
    const named = procedureName(number);
    if (named === undefined || named.kind === 'event') throw rpcError(`unknown procedure: ${number}`);

    if (number === Proc.AUTH_LIST) return encodeWith(procedures.authList.ret, { types: [AuthType.NONE] });
    if (named.kind === 'auth') {
      // Only "none" is offered: a client trying SASL or polkit gets what libvirtd gives it then.
      throw new VirError('VIR_ERR_AUTH_FAILED', 'authentication failed', { domain: 'VIR_FROM_RPC' });
    }
    if (number === Proc.CONNECT_OPEN) return this.open(decode(procedures.connectOpen.args, payload));
    if (number === Proc.CONNECT_SUPPORTS_FEATURE && this.conn === null) {
      const { feature } = decode(procedures.connectSupportsFeature.args, payload);
      if (feature !== DrvFeature.PROGRAM_KEEPALIVE) throw new VirError('VIR_ERR_INTERNAL_ERROR', 'connection not open');
      this.startKeepalive();
      return encodeWith(procedures.connectSupportsFeature.ret, { supported: true });
    }
    const conn = this.conn;
    if (conn === null) throw new VirError('VIR_ERR_INTERNAL_ERROR', 'connection not open');

    if (this.connReadOnly && (entry?.mutates ?? named.readOnly === 'refused')) {
      throw new VirError('VIR_ERR_OPERATION_DENIED', `read only access prevents ${named.api ?? named.name}`, {
        domain: named.name.startsWith('DOMAIN_') ? 'VIR_FROM_DOMAIN' : 'VIR_FROM_NONE',
      });
    }
    if (key === undefined || entry === undefined) {
      this.options.log(`unsupported procedure ${number} ${named.name} (${named.api ?? '-'})`, 'info');
      throw new VirError('VIR_ERR_NO_SUPPORT', named.api ?? named.name);
    }
    const handler = handlers[key];
    if (handler === undefined) {
      this.options.log(`unsupported procedure ${number} ${named.name} (${named.api ?? '-'})`, 'info');
      throw new VirError('VIR_ERR_NO_SUPPORT', named.api ?? named.name);
    }
    const generic = entry as Procedure<unknown, unknown>;
    const args = decode(generic.args, payload);
    if (number === Proc.DOMAIN_OPEN_CONSOLE) {
      // The void reply must reach the client before the first stream packet.
      await handler(this.context(conn, header), args as never);
      return null;
    }
    const ret = await handler(this.context(conn, header), args as never);
    return encodeWith(generic.ret, ret);
  }

  private async open(args: { name: string | null; flags: number }): Promise<Buffer> {
    if (this.conn !== null || this.opening) throw new VirError('VIR_ERR_INTERNAL_ERROR', 'connection already open');
    const uri = checkOpenUri(args.name, this.options.defaultUri);
    this.opening = true;
    try {
      const readOnly = this.options.readOnly || (args.flags & OpenFlags.READ_ONLY) !== 0;
      const conn = await this.options.connect(uri, readOnly);
      if (this.closed) {
        await conn.close();
        throw new VirError('VIR_ERR_INTERNAL_ERROR', 'client went away while the connection was opening');
      }
      this.conn = conn;
      this.connReadOnly = readOnly;
    } finally {
      this.opening = false;
    }
    return Buffer.alloc(0);
  }

  private context(conn: Connection, header: Header): CallContext {
    return new SessionCallContext(this.actions, conn, header, this.connReadOnly);
  }

  private async openConsole(header: Header, domain: Domain, devName: string | null, flags: number): Promise<void> {
    if (this.streams.has(header.serial)) throw rpcError(`a stream with serial ${header.serial} is already open`);
    const guest = await domain.openConsole(devName, flags);
    if (this.closed) {
      guest.destroy();
      return;
    }
    const serial = header.serial;
    // Reply first: the client may send stream data as soon as it has the reply.
    this.reply(header, Buffer.alloc(0));
    const streamHeader = (status: number): Header => ({
      prog: REMOTE_PROGRAM,
      vers: REMOTE_PROTOCOL_VERSION,
      proc: Proc.DOMAIN_OPEN_CONSOLE,
      type: MessageType.STREAM,
      serial,
      status,
    });
    const stream = new ServerConsoleStream(guest, {
      send: (status, payload) => this.write(encodePacket(streamHeader(status), payload)),
      sendError: (error) => {
        this.write(encodePacket(streamHeader(MessageStatus.ERROR), encodeWith(errorCodec, toWireError(error))));
      },
      onDrain: (listener) => {
        this.drainListeners.add(listener);
        return () => this.drainListeners.delete(listener);
      },
      pauseInput: () => {
        this.pauseInput();
      },
      resumeInput: () => {
        this.resumeInput();
      },
      finished: () => {
        this.streams.delete(serial);
      },
    });
    this.streams.set(serial, stream);
  }

  private async registerEvent(conn: Connection, eventId: number, domain: DomainRef | null): Promise<number> {
    const callbackId = this.nextCallbackId++;
    const filter = domain?.uuid ?? null;
    const connectionCallbackId = await conn.domainEventRegisterAny(domain, eventId, (event) => {
      this.relayEvent(callbackId, event);
    });
    this.registrations.set(callbackId, { eventId, filter, connectionCallbackId });
    return callbackId;
  }

  private async deregisterEvent(conn: Connection, callbackId: number): Promise<void> {
    const registration = this.registrations.get(callbackId);
    if (registration === undefined) {
      throw new VirError('VIR_ERR_INVALID_ARG', `domain event callback ${callbackId} not registered`);
    }
    this.registrations.delete(callbackId);
    await conn.domainEventDeregisterAny(registration.connectionCallbackId);
  }

  private relayEvent(callbackId: number, event: DomainEvent): void {
    const registration = this.registrations.get(callbackId);
    if (registration === undefined || this.closed) return;
    if (registration.eventId !== event.eventId) return;
    if (registration.filter !== null && registration.filter !== event.domain.uuid) return;
    const dom = { name: event.domain.name, uuid: event.domain.uuid, id: event.domain.id };
    if (event.eventId === 0) {
      this.sendMessage(Proc.DOMAIN_EVENT_CALLBACK_LIFECYCLE, lifecycleEventMessage, {
        callbackID: callbackId,
        dom,
        event: event.event,
        detail: event.detail,
      });
    } else {
      this.sendMessage(Proc.DOMAIN_EVENT_CALLBACK_REBOOT, rebootEventMessage, { callbackID: callbackId, dom });
    }
  }

  private sendMessage<T>(proc: number, codec: Codec<T>, value: T): void {
    const writer = new XdrWriter();
    codec.encode(writer, value);
    this.write(
      encodePacket(
        {
          prog: REMOTE_PROGRAM,
          vers: REMOTE_PROTOCOL_VERSION,
          proc,
          type: MessageType.MESSAGE,
          serial: 0,
          status: MessageStatus.OK,
        },
        writer.bytes(),
      ),
    );
  }

  private async closeConnection(): Promise<void> {
    const conn = this.conn;
    this.conn = null;
    this.closeCallback = false;
    if (conn !== null) await this.release(conn);
  }

  /** Ends streams and registrations and closes the Connection. */
  private async release(conn: Connection): Promise<void> {
    for (const stream of [...this.streams.values()]) stream.close();
    const registrations = [...this.registrations.values()];
    this.registrations.clear();
    for (const registration of registrations) {
      try {
        await conn.domainEventDeregisterAny(registration.connectionCallbackId);
      } catch (error) {
        this.options.log(`client ${this.id}: deregistering an event callback failed: ${String(error)}`, 'warning');
      }
    }
    await conn.close();
  }

  private reply(header: Header, payload: Buffer): void {
    this.write(encodePacket({ ...header, type: MessageType.REPLY, status: MessageStatus.OK }, payload));
  }

  private replyError(header: Header, error: VirError): void {
    this.write(
      encodePacket(
        { ...header, type: MessageType.REPLY, status: MessageStatus.ERROR },
        encodeWith(errorCodec, toWireError(error)),
      ),
    );
  }

  /** Queues bytes to the client; false when the socket is full. */
  private write(data: Buffer): boolean {
    if (this.closed || this.socket.destroyed) return true;
    const ok = this.socket.write(data);
    if (this.socket.writableLength > this.options.maxQueuedBytes) {
      this.options.log(`dropping client ${this.id}, which does not read (${this.socket.writableLength} bytes queued)`, 'warning');
      this.socket.destroy();
      this.teardown();
    }
    return ok;
  }

  private pauseInput(): void {
    if (this.inputPauses++ === 0) this.socket.pause();
  }

  private resumeInput(): void {
    if (this.inputPauses === 0) return;
    if (--this.inputPauses === 0 && !this.closed) this.socket.resume();
  }

  private startKeepalive(): void {
    if (this.keepaliveTimer !== null || this.options.keepaliveIntervalMs <= 0) return;
    const interval = this.options.keepaliveIntervalMs;
    this.keepaliveTimer = setInterval(() => {
      if (Date.now() - this.lastReceived < interval) return;
      if (this.unansweredPings >= this.options.keepaliveCount) {
        this.options.log(`closing client ${this.id}, which stopped answering keepalive pings`, 'warning');
        this.socket.destroy();
        this.teardown();
        return;
      }
      this.unansweredPings++;
      this.write(
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

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.keepaliveTimer !== null) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = null;
    this.drainListeners.clear();
    const conn = this.conn;
    this.conn = null;
    if (conn !== null) {
      this.release(conn).catch((error: unknown) => {
        this.options.log(`client ${this.id}: closing its connection failed: ${String(error)}`, 'warning');
      });
    } else {
      for (const stream of [...this.streams.values()]) stream.close();
    }
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}

function decode<T>(codec: Codec<T>, payload: Buffer): T {
  try {
    return codec.decode(new XdrReader(payload));
  } catch (error) {
    throw rpcError(`Unable to decode message payload: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Anything a Connection throws reaches the client as a VirError; other throws are bugs. */
function toVirError(error: unknown): VirError {
  if (isVirError(error)) return error;
  return new VirError('VIR_ERR_INTERNAL_ERROR', error instanceof Error ? error.message : String(error), { cause: error });
}
