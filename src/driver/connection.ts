// A Connection served by the fc driver in this process: one per client, each with its own
// event registrations, over one FcDriver per root (the daemon makes one per remote client).
// Domains are handles like libvirt's virDomainPtr: name, uuid and the id seen at lookup;
// every operation looks the domain up again by uuid.

import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type {
  Connection,
  Domain,
  DomainEventCallback,
  DomainInfo,
  DomainRef,
  DomainStateInfo,
  MemoryStat,
  NodeInfo,
} from '../api/connection.js';
import { DOMAIN_MEMORY_STAT_NR, DomainVcpuFlags } from '../api/constants.js';
import { VirError } from '../errors.js';
import type { DomainObject } from './domain-object.js';
import type { FcDriver } from './driver.js';
import { ConnectionEventRegistry } from './events.js';

export interface DriverConnectionOptions {
  /** Called once when the connection closes (e.g. to release a shared driver). */
  onClose?: () => Promise<void>;
  /** A read-only connection refuses every operation that changes something. */
  readOnly?: boolean;
}

export class DriverConnection implements Connection {
  private readonly registry: ConnectionEventRegistry;
  private closed = false;
  /** Names this connection to the driver: domains it starts with START_AUTODESTROY die with it. */
  readonly token = randomUUID();

  constructor(readonly uri: string, readonly driver: FcDriver, private readonly options: DriverConnectionOptions = {}) {
    this.registry = new ConnectionEventRegistry(driver.events);
    driver.openConnection(this.token);
  }

  /** Runs a call, refusing it once the connection is closed; errors are always VirError. */
  async call<T>(action: () => T | Promise<T>): Promise<T> {
    if (this.closed) throw new VirError('VIR_ERR_INVALID_CONN', 'the connection is closed', { verbatim: true });
    try {
      return await action();
    } catch (error) {
      throw asVirError(error);
    }
  }

  /** Like call(), for operations a read-only connection may not do. */
  async mutate<T>(name: string, action: () => T | Promise<T>): Promise<T> {
    if (this.options.readOnly === true) {
      return this.call(() => { throw new VirError('VIR_ERR_OPERATION_DENIED', `read only access prevents ${name}`); });
    }
    return this.call(action);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.registry.clear();
    await this.driver.closeConnection(this.token);
    await this.options.onClose?.();
  }

  getType(): Promise<string> {
    return this.call(() => 'FC');
  }

  getVersion(): Promise<number> {
    return this.call(() => this.driver.getVersion());
  }

  getLibVersion(): Promise<number> {
    return this.call(() => this.driver.getLibVersion());
  }

  getHostname(): Promise<string> {
    return this.call(() => this.driver.getHostname());
  }

  getCapabilities(): Promise<string> {
    return this.call(() => this.driver.getCapabilities());
  }

  nodeGetInfo(): Promise<NodeInfo> {
    return this.call(() => this.driver.nodeGetInfo());
  }

  getMaxVcpus(type: string | null): Promise<number> {
    return this.call(() => this.driver.getMaxVcpus(type));
  }

  listAllDomains(flags = 0): Promise<Domain[]> {
    return this.call(() => this.driver.listAllDomains(flags).map((domain) => this.handle(domain)));
  }

  lookupByName(name: string): Promise<Domain> {
    return this.call(() => this.handle(this.driver.lookupByName(name)));
  }

  lookupByUUID(uuid: string): Promise<Domain> {
    return this.call(() => this.handle(this.driver.lookupByUUID(uuid)));
  }

  lookupByID(id: number): Promise<Domain> {
    return this.call(() => this.handle(this.driver.lookupByID(id)));
  }

  defineXML(xml: string, flags = 0): Promise<Domain> {
    return this.mutate('virDomainDefineXMLFlags', async () => this.handle(await this.driver.defineXML(xml, flags)));
  }

  createXML(xml: string, flags = 0): Promise<Domain> {
    return this.mutate('virDomainCreateXML', async () => this.handle(await this.driver.createXML(xml, flags, this.token)));
  }

  domainEventRegisterAny(domain: DomainRef | null, eventId: number, callback: DomainEventCallback): Promise<number> {
    return this.call(() => this.registry.register(domain, eventId, callback));
  }

  domainEventDeregisterAny(callbackId: number): Promise<void> {
    return this.call(() => { this.registry.deregister(callbackId); });
  }

  private handle(domain: DomainObject): DriverDomain {
    return new DriverDomain(this, domain.ref());
  }
}

export class DriverDomain implements Domain {
  name: string;
  uuid: string;
  id: number;

  constructor(private readonly connection: DriverConnection, ref: DomainRef) {
    this.name = ref.name;
    this.uuid = ref.uuid;
    this.id = ref.id;
  }

  private get driver(): FcDriver {
    return this.connection.driver;
  }

  private object(): DomainObject {
    return this.driver.findDomain(this.uuid, this.name);
  }

  /** Keeps this handle's id current after start/stop, as libvirt's dom->id is. */
  private refresh(): void {
    const domain = this.driver.domains.findByUuid(this.uuid);
    this.id = domain?.id ?? -1;
  }

  create(flags = 0): Promise<void> {
    return this.connection.mutate('virDomainCreateWithFlags', async () => {
      await this.driver.create(this.object(), flags, this.connection.token);
      this.refresh();
    });
  }

  shutdown(flags = 0): Promise<void> {
    return this.connection.mutate('virDomainShutdownFlags', () => this.driver.shutdown(this.object(), flags));
  }

  destroy(flags = 0): Promise<void> {
    return this.connection.mutate('virDomainDestroyFlags', async () => {
      await this.driver.destroy(this.object(), flags);
      this.refresh();
    });
  }

  reboot(flags = 0): Promise<void> {
    return this.connection.mutate('virDomainReboot', () => this.driver.reboot(this.object(), flags));
  }

  suspend(): Promise<void> {
    return this.connection.mutate('virDomainSuspend', () => this.driver.suspend(this.object()));
  }

  resume(): Promise<void> {
    return this.connection.mutate('virDomainResume', () => this.driver.resume(this.object()));
  }

  undefine(flags = 0): Promise<void> {
    return this.connection.mutate('virDomainUndefineFlags', () => this.driver.undefine(this.object(), flags));
  }

  getState(): Promise<DomainStateInfo> {
    return this.connection.call(() => this.driver.getState(this.object()));
  }

  getInfo(): Promise<DomainInfo> {
    return this.connection.call(() => this.driver.getInfo(this.object()));
  }

  getVcpusFlags(flags = 0): Promise<number> {
    return this.connection.call(() => this.driver.getVcpusFlags(this.object(), flags));
  }

  getMaxVcpus(): Promise<number> {
    return this.connection.call(() => this.driver.getVcpusFlags(this.object(), DomainVcpuFlags.LIVE | DomainVcpuFlags.MAXIMUM));
  }

  setMemoryFlags(memoryKiB: number, flags = 0): Promise<void> {
    return this.connection.mutate('virDomainSetMemoryFlags', () => this.driver.setMemoryFlags(this.object(), memoryKiB, flags));
  }

  memoryStats(maxStats = DOMAIN_MEMORY_STAT_NR, flags = 0): Promise<MemoryStat[]> {
    return this.connection.call(() => this.driver.memoryStats(this.object(), maxStats, flags));
  }

  getXMLDesc(flags = 0): Promise<string> {
    return this.connection.call(() => this.driver.getXMLDesc(this.object(), flags));
  }

  getOSType(): Promise<string> {
    return this.connection.call(() => this.object().def.os.type);
  }

  setAutostart(autostart: boolean): Promise<void> {
    return this.connection.mutate('virDomainSetAutostart', () => this.driver.setAutostart(this.object(), autostart));
  }

  getAutostart(): Promise<boolean> {
    return this.connection.call(() => this.object().autostart);
  }

  isActive(): Promise<boolean> {
    return this.connection.call(() => this.object().isActive());
  }

  isPersistent(): Promise<boolean> {
    return this.connection.call(() => this.object().persistent);
  }

  hasManagedSaveImage(flags = 0): Promise<boolean> {
    return this.connection.call(() => {
      this.object();
      if (flags !== 0) throw new VirError('VIR_ERR_INVALID_ARG', `unsupported flags (0x${flags.toString(16)}) in function virDomainHasManagedSaveImage`, { verbatim: true });
      return false;
    });
  }

  openConsole(devName: string | null, flags = 0): Promise<Duplex> {
    return this.connection.mutate('virDomainOpenConsole', () => this.driver.openConsole(this.object(), devName, flags));
  }
}

/** Anything thrown below the API becomes a VirError (an unexpected one is an internal error). */
function asVirError(error: unknown): VirError {
  if (error instanceof VirError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new VirError('VIR_ERR_INTERNAL_ERROR', message, { cause: error });
}
