// A Connection whose every method is a remote procedure call to virtfcd (or anything that
// speaks libvirt's protocol): what fc:///system and fc:///session mean to the TS client.
// The handshake is the one virsh performs (auth list, keepalive, open, event and close
// callback features); errors arrive as the daemon's VirErrors, unchanged.

import type { Duplex } from 'node:stream';
import type {
  Connection,
  Domain,
  DomainEvent,
  DomainEventCallback,
  DomainInfo,
  DomainRef,
  DomainStateInfo,
  MemoryStat,
  NodeInfo,
} from '../../api/connection.js';
import { DOMAIN_MEMORY_STAT_NR } from '../../api/constants.js';
import { VirError } from '../../errors.js';
import { AuthType, DrvFeature, OpenFlags, Proc } from '../protocol/constants.js';
import { connectionClosedMessage, lifecycleEventMessage, rebootEventMessage } from '../protocol/procedures.js';
import { XdrReader } from '../xdr.js';
import { connectOrStart, type DaemonCommand } from './autostart.js';
import { remoteTarget } from './socket-path.js';
import { RpcTransport, type TransportOptions } from './transport.js';

export interface RemoteConnectOptions extends TransportOptions {
  readOnly?: boolean;
  /** Overrides the socket the URI would reach. */
  socketPath?: string;
  /**
   * The session daemon to start when a user's fc:///session finds nobody listening (libvirt's
   * client does the same). Without it, no daemon is started.
   */
  autostart?: DaemonCommand;
  /** Environment: XDG_RUNTIME_DIR, LIBVIRT_AUTOSTART, and the started daemon's. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** How long a started daemon may take to answer (ms). */
  autostartTimeoutMs?: number;
}

export class RemoteConnection implements Connection {
  private readonly callbacks = new Map<number, DomainEventCallback>();
  private closed = false;
  /** The virConnectCloseReason the daemon announced before closing (CONNECT_EVENT_CONNECTION_CLOSED). */
  closeReason: number | null = null;

  private constructor(
    readonly uri: string,
    private readonly transport: RpcTransport,
    private readonly closeCallback: boolean,
  ) {
    transport.onMessage = (proc, payload) => {
      this.message(proc, payload);
    };
  }

  /** Connects and opens `uri` (fc:///system, fc:///session, optionally with ?socket=PATH). */
  static async open(uri: string, options: RemoteConnectOptions = {}): Promise<RemoteConnection> {
    const readOnly = options.readOnly ?? false;
    const env = options.env ?? process.env;
    const target = remoteTarget(uri, readOnly, env);
    let transport: RpcTransport;
    if (options.socketPath === undefined && target.autostart && options.autostart !== undefined) {
      const socket = await connectOrStart(target.socketPath, {
        command: options.autostart,
        env,
        ...(options.autostartTimeoutMs === undefined ? {} : { timeoutMs: options.autostartTimeoutMs }),
      });
      transport = RpcTransport.attach(socket);
    } else {
      transport = await RpcTransport.connect(options.socketPath ?? target.socketPath);
    }
    try {
      const { types } = await transport.call('authList', undefined);
      if (types.length > 0 && !types.includes(AuthType.NONE)) {
        throw new VirError('VIR_ERR_AUTH_FAILED', `the daemon wants authentication type ${types[0] ?? -1}, which this client does not do`);
      }
      const keepalive = await transport.call('connectSupportsFeature', { feature: DrvFeature.PROGRAM_KEEPALIVE });
      await transport.call('connectOpen', { name: target.name, flags: readOnly ? OpenFlags.READ_ONLY : 0 });
      const events = await transport.call('connectSupportsFeature', { feature: DrvFeature.REMOTE_EVENT_CALLBACK });
      if (!events.supported) {
        throw new VirError('VIR_ERR_NO_SUPPORT', 'the daemon lacks callback-style domain events (libvirt >= 1.2.1)');
      }
      const closeFeature = await transport.call('connectSupportsFeature', { feature: DrvFeature.REMOTE_CLOSE_CALLBACK });
      if (closeFeature.supported) await transport.call('connectRegisterCloseCallback', undefined);
      if (keepalive.supported) transport.startKeepalive(options);
      return new RemoteConnection(uri, transport, closeFeature.supported);
    } catch (error) {
      await transport.close();
      throw error;
    }
  }

  /** Called once when the connection to the daemon is lost or closed. */
  onClose(listener: (error: VirError) => void): void {
    this.transport.onClose(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (!this.transport.closed) {
        if (this.closeCallback) await this.transport.call('connectUnregisterCloseCallback', undefined);
        await this.transport.call('connectClose', undefined);
      }
    } catch (error) {
      // The daemon went away before or during the goodbye: the connection is closed all the same.
      if (!this.transport.closed) throw error;
    } finally {
      this.callbacks.clear();
      await this.transport.close();
    }
  }

  private message(proc: number, payload: Buffer): void {
    try {
      if (proc === Proc.DOMAIN_EVENT_CALLBACK_LIFECYCLE) {
        const msg = lifecycleEventMessage.decode(new XdrReader(payload));
        this.deliver(msg.callbackID, { eventId: 0, domain: msg.dom, event: msg.event, detail: msg.detail });
      } else if (proc === Proc.DOMAIN_EVENT_CALLBACK_REBOOT) {
        const msg = rebootEventMessage.decode(new XdrReader(payload));
        this.deliver(msg.callbackID, { eventId: 1, domain: msg.dom });
      } else if (proc === Proc.CONNECT_EVENT_CONNECTION_CLOSED) {
        this.closeReason = connectionClosedMessage.decode(new XdrReader(payload)).reason;
      }
    } catch {
      // An undecodable event is dropped; the calls on this connection are unaffected.
    }
  }

  private deliver(callbackId: number, event: DomainEvent): void {
    this.callbacks.get(callbackId)?.(event);
  }

  domain(ref: DomainRef): RemoteDomain {
    return new RemoteDomain(this.transport, ref);
  }

  async getType(): Promise<string> {
    return (await this.transport.call('connectGetType', undefined)).type;
  }
  async getVersion(): Promise<number> {
    return (await this.transport.call('connectGetVersion', undefined)).hvVer;
  }
  async getLibVersion(): Promise<number> {
    return (await this.transport.call('connectGetLibVersion', undefined)).libVer;
  }
  async getHostname(): Promise<string> {
    return (await this.transport.call('connectGetHostname', undefined)).hostname;
  }
  async getMaxVcpus(type: string | null): Promise<number> {
    return (await this.transport.call('connectGetMaxVcpus', { type })).maxVcpus;
  }
  async getCapabilities(): Promise<string> {
    return (await this.transport.call('connectGetCapabilities', undefined)).capabilities;
  }
  nodeGetInfo(): Promise<NodeInfo> {
    return this.transport.call('nodeGetInfo', undefined);
  }
  async listAllDomains(flags = 0): Promise<Domain[]> {
    const { domains } = await this.transport.call('connectListAllDomains', { needResults: 1, flags });
    return domains.map((ref) => this.domain(ref));
  }
  async lookupByName(name: string): Promise<Domain> {
    return this.domain((await this.transport.call('domainLookupByName', { name })).dom);
  }
  async lookupByUUID(uuid: string): Promise<Domain> {
    return this.domain((await this.transport.call('domainLookupByUUID', { uuid })).dom);
  }
  async lookupByID(id: number): Promise<Domain> {
    return this.domain((await this.transport.call('domainLookupByID', { id })).dom);
  }
  async defineXML(xml: string, flags = 0): Promise<Domain> {
    const { dom } =
      flags === 0
        ? await this.transport.call('domainDefineXML', { xml })
        : await this.transport.call('domainDefineXMLFlags', { xml, flags });
    return this.domain(dom);
  }
  async createXML(xml: string, flags = 0): Promise<Domain> {
    return this.domain((await this.transport.call('domainCreateXML', { xmlDesc: xml, flags })).dom);
  }

  async domainEventRegisterAny(domain: DomainRef | null, eventId: number, callback: DomainEventCallback): Promise<number> {
    const dom = domain === null ? null : { name: domain.name, uuid: domain.uuid, id: domain.id };
    const { callbackID } = await this.transport.call('connectDomainEventCallbackRegisterAny', { eventID: eventId, dom });
    this.callbacks.set(callbackID, callback);
    return callbackID;
  }
  async domainEventDeregisterAny(callbackId: number): Promise<void> {
    if (!this.callbacks.has(callbackId)) {
      throw new VirError('VIR_ERR_INVALID_ARG', `domain event callback ${callbackId} not registered`);
    }
    await this.transport.call('connectDomainEventCallbackDeregisterAny', { callbackID: callbackId });
    this.callbacks.delete(callbackId);
  }
}

export class RemoteDomain implements Domain {
  name: string;
  uuid: string;
  id: number;

  constructor(
    private readonly transport: RpcTransport,
    ref: DomainRef,
  ) {
    this.name = ref.name;
    this.uuid = ref.uuid;
    this.id = ref.id;
  }

  private get dom(): DomainRef {
    return { name: this.name, uuid: this.uuid, id: this.id };
  }

  /** Re-reads the id after a state change, as libvirt's client does after create. */
  private async refresh(): Promise<void> {
    const { dom } = await this.transport.call('domainLookupByUUID', { uuid: this.uuid });
    this.id = dom.id;
  }

  async create(flags = 0): Promise<void> {
    if (flags === 0) {
      await this.transport.call('domainCreate', { dom: this.dom });
      await this.refresh();
    } else {
      this.id = (await this.transport.call('domainCreateWithFlags', { dom: this.dom, flags })).dom.id;
    }
  }
  async shutdown(flags = 0): Promise<void> {
    if (flags === 0) await this.transport.call('domainShutdown', { dom: this.dom });
    else await this.transport.call('domainShutdownFlags', { dom: this.dom, flags });
  }
  async destroy(flags = 0): Promise<void> {
    if (flags === 0) await this.transport.call('domainDestroy', { dom: this.dom });
    else await this.transport.call('domainDestroyFlags', { dom: this.dom, flags });
    this.id = -1;
  }
  async reboot(flags = 0): Promise<void> {
    await this.transport.call('domainReboot', { dom: this.dom, flags });
  }
  async suspend(): Promise<void> {
    await this.transport.call('domainSuspend', { dom: this.dom });
  }
  async resume(): Promise<void> {
    await this.transport.call('domainResume', { dom: this.dom });
  }
  async undefine(flags = 0): Promise<void> {
    await this.transport.call('domainUndefineFlags', { dom: this.dom, flags });
  }
  getState(): Promise<DomainStateInfo> {
    return this.transport.call('domainGetState', { dom: this.dom, flags: 0 });
  }
  getInfo(): Promise<DomainInfo> {
    return this.transport.call('domainGetInfo', { dom: this.dom });
  }
  async getVcpusFlags(flags = 0): Promise<number> {
    return (await this.transport.call('domainGetVcpusFlags', { dom: this.dom, flags })).num;
  }
  async getMaxVcpus(): Promise<number> {
    return (await this.transport.call('domainGetMaxVcpus', { dom: this.dom })).num;
  }
  async setMemoryFlags(memoryKiB: number, flags = 0): Promise<void> {
    await this.transport.call('domainSetMemoryFlags', { dom: this.dom, memory: memoryKiB, flags });
  }
  async memoryStats(maxStats = DOMAIN_MEMORY_STAT_NR, flags = 0): Promise<MemoryStat[]> {
    return (await this.transport.call('domainMemoryStats', { dom: this.dom, maxStats, flags })).stats;
  }
  async getXMLDesc(flags = 0): Promise<string> {
    return (await this.transport.call('domainGetXMLDesc', { dom: this.dom, flags })).xml;
  }
  async getOSType(): Promise<string> {
    return (await this.transport.call('domainGetOSType', { dom: this.dom })).type;
  }
  async setAutostart(autostart: boolean): Promise<void> {
    await this.transport.call('domainSetAutostart', { dom: this.dom, autostart });
  }
  async getAutostart(): Promise<boolean> {
    return (await this.transport.call('domainGetAutostart', { dom: this.dom })).autostart;
  }
  async isActive(): Promise<boolean> {
    return (await this.transport.call('domainIsActive', { dom: this.dom })).active;
  }
  async isPersistent(): Promise<boolean> {
    return (await this.transport.call('domainIsPersistent', { dom: this.dom })).persistent;
  }
  async hasManagedSaveImage(flags = 0): Promise<boolean> {
    return (await this.transport.call('domainHasManagedSaveImage', { dom: this.dom, flags })).result;
  }
  openConsole(devName: string | null, flags = 0): Promise<Duplex> {
    return this.transport.callStream('domainOpenConsole', { dom: this.dom, devName, flags });
  }
}
