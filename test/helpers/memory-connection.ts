// An in-memory Connection for testing the RPC layer without the fc driver: domains that are
// defined, started, paused and stopped with libvirt's states, reasons and lifecycle events,
// and a serial console that prints a login prompt and echoes what is typed (as a tty in
// cooked mode would). Several connections share one MemoryHypervisor, like clients of one
// daemon share its driver.

import { randomUUID } from 'node:crypto';
import { Duplex } from 'node:stream';
import type {
  Connection,
  Domain,
  DomainEvent,
  DomainEventCallback,
  DomainInfo,
  DomainRef,
  DomainStateInfo,
  NodeInfo,
  MemoryStat,
} from '../../src/api/connection.js';
import {
  DomainConsoleFlags,
  DomainCreateFlags,
  DomainEventType,
  DomainState,
  DomainXMLFlags,
  ListDomainsFlags,
  PausedReason,
  RunningReason,
  ShutoffReason,
  DOMAIN_EVENT_ID_LAST,
} from '../../src/api/constants.js';
import { VirError } from '../../src/errors.js';

interface DomainRecord {
  name: string;
  uuid: string;
  id: number;
  state: number;
  reason: number;
  persistent: boolean;
  autostart: boolean;
  memoryKiB: number;
  vcpus: number;
  console: EchoConsole | null;
}

interface Listener {
  owner: MemoryConnection;
  id: number;
  eventId: number;
  uuid: string | null;
  callback: DomainEventCallback;
}

/** The guest's serial port: a prompt on open, then every line typed comes back. */
export class EchoConsole extends Duplex {
  constructor(private readonly prompt: string) {
    super();
    this.push(Buffer.from(prompt));
  }

  override _read(): void {
    // Output is pushed as input arrives.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    // A tty in cooked mode echoes \r as \r\n.
    this.push(Buffer.from(chunk.toString('latin1').replace(/\r/g, '\r\n'), 'latin1'));
    callback();
  }

  override _final(callback: () => void): void {
    callback();
  }

  /** The guest went away: EOF on the console. */
  hangUp(): void {
    this.push(null);
  }
}

/** A guest that prints as fast as it is read ("flood" device), counting what it produced. */
export class FloodConsole extends Duplex {
  produced = 0;
  /** How many times node asked for more; it stops asking while the consumer is full. */
  reads = 0;

  override _read(): void {
    this.reads++;
    let more = true;
    while (more) {
      const chunk = Buffer.alloc(65_536, 0x41);
      this.produced += chunk.length;
      more = this.push(chunk);
    }
  }

  override _write(_chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    callback();
  }
}

function field(xml: string, pattern: RegExp): string | undefined {
  return pattern.exec(xml)?.[1];
}

export class MemoryHypervisor {
  readonly domains = new Map<string, DomainRecord>();
  /** Consoles opened on the "flood" device, newest last. */
  readonly floods: FloodConsole[] = [];
  private readonly listeners = new Set<Listener>();
  private nextDomainId = 1;
  private nextCallbackId = 1;
  /** Every (uri, readOnly) a connection was opened with. */
  readonly opened: { uri: string; readOnly: boolean }[] = [];
  /** Connections currently open. */
  openCount = 0;

  /** The factory the RPC server takes. */
  readonly connect = (uri: string, readOnly: boolean): Promise<Connection> => {
    this.opened.push({ uri, readOnly });
    this.openCount++;
    return Promise.resolve(new MemoryConnection(this, uri));
  };

  ref(record: DomainRecord): DomainRef {
    return { name: record.name, uuid: record.uuid, id: record.id };
  }

  emit(event: DomainEvent): void {
    for (const listener of [...this.listeners]) {
      if (listener.eventId !== event.eventId) continue;
      if (listener.uuid !== null && listener.uuid !== event.domain.uuid) continue;
      listener.callback(event);
    }
  }

  lifecycle(record: DomainRecord, event: number, detail: number): void {
    this.emit({ eventId: 0, domain: this.ref(record), event, detail });
  }

  addListener(owner: MemoryConnection, eventId: number, uuid: string | null, callback: DomainEventCallback): number {
    const id = this.nextCallbackId++;
    this.listeners.add({ owner, id, eventId, uuid, callback });
    return id;
  }

  removeListener(owner: MemoryConnection, id: number): void {
    for (const listener of this.listeners) {
      if (listener.owner === owner && listener.id === id) {
        this.listeners.delete(listener);
        return;
      }
    }
    throw new VirError('VIR_ERR_INVALID_ARG', `callback ${id} not registered`);
  }

  removeListeners(owner: MemoryConnection): void {
    for (const listener of [...this.listeners]) if (listener.owner === owner) this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  allocateId(): number {
    return this.nextDomainId++;
  }
}

export class MemoryConnection implements Connection {
  private closed = false;

  constructor(
    private readonly hv: MemoryHypervisor,
    readonly uri: string,
  ) {}

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.hv.removeListeners(this);
      this.hv.openCount--;
    }
    return Promise.resolve();
  }

  getType(): Promise<string> {
    return Promise.resolve('FC');
  }
  getMaxVcpus(): Promise<number> {
    return Promise.resolve(32);
  }
  getVersion(): Promise<number> {
    return Promise.resolve(1_007_000);
  }
  getLibVersion(): Promise<number> {
    return Promise.resolve(1000);
  }
  getHostname(): Promise<string> {
    return Promise.resolve('fc-test-host');
  }
  getCapabilities(): Promise<string> {
    return Promise.resolve(
      [
        '<capabilities>',
        '  <host>',
        '    <cpu>',
        '      <arch>x86_64</arch>',
        '    </cpu>',
        '  </host>',
        '  <guest>',
        '    <os_type>hvm</os_type>',
        "    <arch name='x86_64'>",
        '      <wordsize>64</wordsize>',
        "      <domain type='firecracker'/>",
        '    </arch>',
        '  </guest>',
        '</capabilities>',
        '',
      ].join('\n'),
    );
  }
  nodeGetInfo(): Promise<NodeInfo> {
    return Promise.resolve({
      model: 'x86_64',
      memoryKiB: 16_384_000,
      cpus: 2,
      mhz: 2400,
      nodes: 1,
      sockets: 1,
      cores: 2,
      threads: 1,
    });
  }

  listAllDomains(flags = 0): Promise<Domain[]> {
    const F = ListDomainsFlags;
    const matches = (record: DomainRecord): boolean => {
      const active = record.id !== -1;
      const pairs: [number, boolean][] = [
        [F.ACTIVE | F.INACTIVE, active ? (flags & F.ACTIVE) !== 0 : (flags & F.INACTIVE) !== 0],
        [F.PERSISTENT | F.TRANSIENT, record.persistent ? (flags & F.PERSISTENT) !== 0 : (flags & F.TRANSIENT) !== 0],
        [F.AUTOSTART | F.NO_AUTOSTART, record.autostart ? (flags & F.AUTOSTART) !== 0 : (flags & F.NO_AUTOSTART) !== 0],
      ];
      for (const [group, ok] of pairs) if ((flags & group) !== 0 && !ok) return false;
      const states = F.RUNNING | F.PAUSED | F.SHUTOFF | F.OTHER;
      if ((flags & states) !== 0) {
        const bit =
          record.state === DomainState.RUNNING
            ? F.RUNNING
            : record.state === DomainState.PAUSED
              ? F.PAUSED
              : record.state === DomainState.SHUTOFF
                ? F.SHUTOFF
                : F.OTHER;
        if ((flags & bit) === 0) return false;
      }
      return true;
    };
    return Promise.resolve([...this.hv.domains.values()].filter(matches).map((record) => this.domain(record)));
  }

  private domain(record: DomainRecord): Domain {
    return new MemoryDomain(this.hv, this, record);
  }

  private find(predicate: (record: DomainRecord) => boolean, what: string): Promise<Domain> {
    for (const record of this.hv.domains.values()) if (predicate(record)) return Promise.resolve(this.domain(record));
    return Promise.reject(new VirError('VIR_ERR_NO_DOMAIN', `no domain with matching ${what}`));
  }

  lookupByName(name: string): Promise<Domain> {
    return this.find((record) => record.name === name, `name '${name}'`);
  }
  lookupByUUID(uuid: string): Promise<Domain> {
    const wanted = uuid.replace(/-/g, '').toLowerCase();
    return this.find((record) => record.uuid.replace(/-/g, '') === wanted, `uuid '${uuid}'`);
  }
  lookupByID(id: number): Promise<Domain> {
    return this.find((record) => record.id === id && id !== -1, `id ${id}`);
  }

  private parse(xml: string): { name: string; uuid: string | undefined; memoryKiB: number; vcpus: number } {
    if (!/^\s*(<\?xml[^>]*>\s*)?<domain\b/.test(xml)) {
      throw new VirError('VIR_ERR_XML_ERROR', "missing root element 'domain'");
    }
    const type = field(xml, /<domain\b[^>]*\btype=['"]([^'"]*)['"]/);
    if (type !== 'firecracker') {
      throw new VirError('VIR_ERR_CONFIG_UNSUPPORTED', `domain type '${type ?? ''}' is not firecracker`);
    }
    const name = field(xml, /<name>([^<]*)<\/name>/);
    if (name === undefined || name === '') throw new VirError('VIR_ERR_NO_NAME', 'domain definition');
    return {
      name,
      uuid: field(xml, /<uuid>([^<]*)<\/uuid>/),
      memoryKiB: Number(field(xml, /<memory[^>]*>(\d+)<\/memory>/) ?? 131072),
      vcpus: Number(field(xml, /<vcpu[^>]*>(\d+)<\/vcpu>/) ?? 1),
    };
  }

  defineXML(xml: string): Promise<Domain> {
    try {
      const def = this.parse(xml);
      const existing = [...this.hv.domains.values()].find((record) => record.name === def.name);
      if (existing !== undefined && def.uuid !== undefined && existing.uuid !== def.uuid) {
        throw new VirError('VIR_ERR_OPERATION_FAILED', `domain '${def.name}' already exists with uuid ${existing.uuid}`);
      }
      if (existing !== undefined) {
        existing.memoryKiB = def.memoryKiB;
        existing.vcpus = def.vcpus;
        existing.persistent = true;
        this.hv.lifecycle(existing, DomainEventType.DEFINED, 1);
        return Promise.resolve(this.domain(existing));
      }
      const record: DomainRecord = {
        name: def.name,
        uuid: def.uuid ?? randomUUID(),
        id: -1,
        state: DomainState.SHUTOFF,
        reason: ShutoffReason.UNKNOWN,
        persistent: true,
        autostart: false,
        memoryKiB: def.memoryKiB,
        vcpus: def.vcpus,
        console: null,
      };
      this.hv.domains.set(record.uuid, record);
      this.hv.lifecycle(record, DomainEventType.DEFINED, 0);
      return Promise.resolve(this.domain(record));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async createXML(xml: string, flags = 0): Promise<Domain> {
    const def = this.parse(xml);
    if ([...this.hv.domains.values()].some((record) => record.name === def.name)) {
      throw new VirError('VIR_ERR_OPERATION_FAILED', `domain '${def.name}' already exists`);
    }
    const record: DomainRecord = {
      name: def.name,
      uuid: def.uuid ?? randomUUID(),
      id: -1,
      state: DomainState.SHUTOFF,
      reason: ShutoffReason.UNKNOWN,
      persistent: false,
      autostart: false,
      memoryKiB: def.memoryKiB,
      vcpus: def.vcpus,
      console: null,
    };
    this.hv.domains.set(record.uuid, record);
    const domain = this.domain(record);
    await domain.create(flags);
    return this.domain(record);
  }

  domainEventRegisterAny(domain: DomainRef | null, eventId: number, callback: DomainEventCallback): Promise<number> {
    if (eventId < 0 || eventId >= DOMAIN_EVENT_ID_LAST) {
      return Promise.reject(new VirError('VIR_ERR_INVALID_ARG', `unsupported event ID ${eventId}`));
    }
    return Promise.resolve(this.hv.addListener(this, eventId, domain?.uuid ?? null, callback));
  }

  domainEventDeregisterAny(callbackId: number): Promise<void> {
    try {
      this.hv.removeListener(this, callbackId);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

class MemoryDomain implements Domain {
  constructor(
    private readonly hv: MemoryHypervisor,
    private readonly conn: MemoryConnection,
    private readonly record: DomainRecord,
  ) {}

  get name(): string {
    return this.record.name;
  }
  get uuid(): string {
    return this.record.uuid;
  }
  get id(): number {
    return this.record.id;
  }

  private live(): DomainRecord {
    const record = this.hv.domains.get(this.record.uuid);
    if (record === undefined) {
      throw new VirError('VIR_ERR_NO_DOMAIN', `no domain with matching uuid '${this.record.uuid}' (${this.record.name})`);
    }
    return record;
  }

  private running(): DomainRecord {
    const record = this.live();
    if (record.id === -1) throw new VirError('VIR_ERR_OPERATION_INVALID', 'domain is not running');
    return record;
  }

  private act<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private stop(record: DomainRecord, reason: number, detail: number): void {
    record.id = -1;
    record.state = DomainState.SHUTOFF;
    record.reason = reason;
    record.console?.hangUp();
    record.console = null;
    this.hv.lifecycle(record, DomainEventType.STOPPED, detail);
    if (!record.persistent) this.hv.domains.delete(record.uuid);
  }

  create(flags = 0): Promise<void> {
    return this.act(() => {
      const record = this.live();
      if (record.id !== -1) throw new VirError('VIR_ERR_OPERATION_INVALID', 'domain is already running');
      record.id = this.hv.allocateId();
      record.state = DomainState.RUNNING;
      record.reason = RunningReason.BOOTED;
      this.hv.lifecycle(record, DomainEventType.STARTED, 0);
      if ((flags & DomainCreateFlags.START_PAUSED) !== 0) {
        record.state = DomainState.PAUSED;
        record.reason = PausedReason.USER;
        this.hv.lifecycle(record, DomainEventType.SUSPENDED, 0);
      }
    });
  }
  shutdown(): Promise<void> {
    return this.act(() => {
      const record = this.running();
      this.hv.lifecycle(record, DomainEventType.SHUTDOWN, 0);
      this.stop(record, ShutoffReason.SHUTDOWN, 0);
    });
  }
  destroy(): Promise<void> {
    return this.act(() => {
      this.stop(this.running(), ShutoffReason.DESTROYED, 1);
    });
  }
  reboot(): Promise<void> {
    return this.act(() => {
      const record = this.running();
      this.hv.emit({ eventId: 1, domain: this.hv.ref(record) });
    });
  }
  suspend(): Promise<void> {
    return this.act(() => {
      const record = this.running();
      if (record.state === DomainState.PAUSED) throw new VirError('VIR_ERR_OPERATION_INVALID', 'domain is already paused');
      record.state = DomainState.PAUSED;
      record.reason = PausedReason.USER;
      this.hv.lifecycle(record, DomainEventType.SUSPENDED, 0);
    });
  }
  resume(): Promise<void> {
    return this.act(() => {
      const record = this.running();
      if (record.state !== DomainState.PAUSED) throw new VirError('VIR_ERR_OPERATION_INVALID', 'domain is not paused');
      record.state = DomainState.RUNNING;
      record.reason = RunningReason.UNPAUSED;
      this.hv.lifecycle(record, DomainEventType.RESUMED, 0);
    });
  }
  undefine(): Promise<void> {
    return this.act(() => {
      const record = this.live();
      if (!record.persistent) throw new VirError('VIR_ERR_OPERATION_INVALID', 'cannot undefine transient domain');
      record.persistent = false;
      record.autostart = false;
      if (record.id === -1) this.hv.domains.delete(record.uuid);
      this.hv.lifecycle(record, DomainEventType.UNDEFINED, 0);
    });
  }
  getState(): Promise<DomainStateInfo> {
    return this.act(() => {
      const record = this.live();
      return { state: record.state, reason: record.reason };
    });
  }
  getVcpusFlags(): Promise<number> {
    return this.act(() => this.live().vcpus);
  }
  getMaxVcpus(): Promise<number> {
    return this.act(() => this.running().vcpus);
  }
  setMemoryFlags(memoryKiB: number): Promise<void> {
    return this.act(() => {
      this.live().memoryKiB = memoryKiB;
    });
  }
  memoryStats(): Promise<MemoryStat[]> {
    return this.act(() => [{ tag: 6, val: this.running().memoryKiB }]);
  }
  getInfo(): Promise<DomainInfo> {
    return this.act(() => {
      const record = this.live();
      return {
        state: record.state,
        maxMemKiB: record.memoryKiB,
        memoryKiB: record.memoryKiB,
        nrVirtCpu: record.vcpus,
        cpuTimeNs: record.id === -1 ? 0n : 1_500_000_000n,
      };
    });
  }
  getXMLDesc(flags = 0): Promise<string> {
    return this.act(() => {
      const record = this.live();
      const id = record.id !== -1 && (flags & DomainXMLFlags.INACTIVE) === 0 ? ` id='${record.id}'` : '';
      return [
        `<domain type='firecracker'${id}>`,
        `  <name>${record.name}</name>`,
        `  <uuid>${record.uuid}</uuid>`,
        `  <memory unit='KiB'>${record.memoryKiB}</memory>`,
        `  <currentMemory unit='KiB'>${record.memoryKiB}</currentMemory>`,
        `  <vcpu placement='static'>${record.vcpus}</vcpu>`,
        '  <os>',
        "    <type arch='x86_64'>hvm</type>",
        '  </os>',
        '</domain>',
        '',
      ].join('\n');
    });
  }
  getOSType(): Promise<string> {
    return Promise.resolve('hvm');
  }
  setAutostart(autostart: boolean): Promise<void> {
    return this.act(() => {
      const record = this.live();
      if (!record.persistent) throw new VirError('VIR_ERR_OPERATION_INVALID', 'cannot set autostart for transient domain');
      record.autostart = autostart;
    });
  }
  getAutostart(): Promise<boolean> {
    return this.act(() => this.live().autostart);
  }
  isActive(): Promise<boolean> {
    return this.act(() => this.live().id !== -1);
  }
  isPersistent(): Promise<boolean> {
    return this.act(() => this.live().persistent);
  }
  hasManagedSaveImage(): Promise<boolean> {
    return this.act(() => {
      this.live();
      return false;
    });
  }
  openConsole(devName: string | null, flags = 0): Promise<Duplex> {
    return this.act(() => {
      const record = this.running();
      if (devName === 'flood') {
        const flood = new FloodConsole();
        this.hv.floods.push(flood);
        return flood;
      }
      if (devName !== null && devName !== 'serial0') {
        throw new VirError('VIR_ERR_INTERNAL_ERROR', `cannot find character device ${devName}`);
      }
      if (record.console !== null && !record.console.destroyed) {
        if ((flags & DomainConsoleFlags.FORCE) === 0) {
          throw new VirError('VIR_ERR_OPERATION_FAILED', 'Active console session exists for this domain');
        }
        record.console.hangUp();
      }
      const console = new EchoConsole(`\r\n${record.name} login: `);
      record.console = console;
      console.on('close', () => {
        if (record.console === console) record.console = null;
      });
      return console;
    });
  }

  /** For tests: the connection this handle came from. */
  get connection(): MemoryConnection {
    return this.conn;
  }
}
