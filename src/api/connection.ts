// The one Connection interface of fcvirt, with libvirt's operation names. Two transports
// implement it: the driver running in the calling process (fc:///embed?root=DIR) and the
// remote client speaking libvirt's protocol to virtfcd (fc:///system, fc:///session). The
// daemon serves each client by calling a Connection of the first kind, so virsh, the TS
// client and the CLI all reach the same code. Every method rejects with VirError only.

import type { Duplex } from 'node:stream';

/** A domain's identity as libvirt's virDomainPtr carries it. */
export interface DomainRef {
  name: string;
  /** Dashed lowercase. */
  uuid: string;
  /** The domain id while running (a small integer, not a pid); -1 when inactive. */
  id: number;
}

/** virNodeInfo */
export interface NodeInfo {
  /** CPU model, e.g. "x86_64". */
  model: string;
  memoryKiB: number;
  cpus: number;
  mhz: number;
  nodes: number;
  sockets: number;
  cores: number;
  threads: number;
}

/** virDomainInfo */
export interface DomainInfo {
  state: number;
  maxMemKiB: number;
  memoryKiB: number;
  nrVirtCpu: number;
  /** CPU time used, nanoseconds. */
  cpuTimeNs: bigint;
}

/** virDomainGetState's answer: a DomainState value and that state's reason. */
export interface DomainStateInfo {
  state: number;
  reason: number;
}

export type DomainEvent =
  | { eventId: 0; domain: DomainRef; event: number; detail: number } // LIFECYCLE
  | { eventId: 1; domain: DomainRef }; // REBOOT

export type DomainEventCallback = (event: DomainEvent) => void;

/** One memory statistic: tag is a DomainMemoryStatTag; memory sizes are in KiB. */
export interface MemoryStat {
  tag: number;
  val: number;
}

export interface Connection {
  /** The URI this connection was opened with, as the client gave it. */
  readonly uri: string;
  close(): Promise<void>;

  /** Hypervisor type, as virConnectGetType ("FC"). */
  getType(): Promise<string>;
  /** Firecracker version as major·10⁶ + minor·10³ + micro (virConnectGetVersion). */
  getVersion(): Promise<number>;
  /** fcvirt's own version, same encoding (virConnectGetLibVersion). */
  getLibVersion(): Promise<number>;
  getHostname(): Promise<string>;
  /** Host capabilities XML with a `firecracker` guest domain. */
  getCapabilities(): Promise<string>;
  nodeGetInfo(): Promise<NodeInfo>;
  /** The most vCPUs a domain may have (virConnectGetMaxVcpus); type: null or "firecracker". */
  getMaxVcpus(type: string | null): Promise<number>;

  /** flags: ListDomainsFlags; 0 means all. */
  listAllDomains(flags?: number): Promise<Domain[]>;
  lookupByName(name: string): Promise<Domain>;
  /** Dashed or not. */
  lookupByUUID(uuid: string): Promise<Domain>;
  lookupByID(id: number): Promise<Domain>;
  /** flags: DomainDefineFlags. Defines (or updates) a persistent domain. */
  defineXML(xml: string, flags?: number): Promise<Domain>;
  /** flags: DomainCreateFlags. Starts a transient domain. */
  createXML(xml: string, flags?: number): Promise<Domain>;

  /** Registers for one event id (DomainEventId), for one domain or all (null); returns the callback id. */
  domainEventRegisterAny(domain: DomainRef | null, eventId: number, callback: DomainEventCallback): Promise<number>;
  domainEventDeregisterAny(callbackId: number): Promise<void>;
}

export interface Domain extends DomainRef {
  /** flags: DomainCreateFlags. Starts a defined domain. */
  create(flags?: number): Promise<void>;
  /** Asks the guest to shut down (ctrl-alt-del); returns at once. */
  shutdown(flags?: number): Promise<void>;
  destroy(flags?: number): Promise<void>;
  reboot(flags?: number): Promise<void>;
  suspend(): Promise<void>;
  resume(): Promise<void>;
  /** flags: DomainUndefineFlags. A running domain becomes transient. */
  undefine(flags?: number): Promise<void>;
  getState(): Promise<DomainStateInfo>;
  getInfo(): Promise<DomainInfo>;
  /**
   * vCPU count (virDomainGetVcpusFlags). flags: DomainVcpuFlags — LIVE or CONFIG (not both;
   * neither: live when running), MAXIMUM for the most the domain may have. Firecracker has no
   * vCPU hotplug: every count is `<vcpu>`.
   */
  getVcpusFlags(flags?: number): Promise<number>;
  /** The most vCPUs this running domain may have (virDomainGetMaxVcpus). */
  getMaxVcpus(): Promise<number>;
  /**
   * Sets the guest's memory, KiB (virDomainSetMemoryFlags). flags: DomainMemoryModFlags — LIVE
   * (through the virtio balloon), CONFIG (the persistent `<currentMemory>`), MAXIMUM with CONFIG
   * (`<memory>`); none: live when running, else config.
   */
  setMemoryFlags(memoryKiB: number, flags?: number): Promise<void>;
  /** Memory statistics of a running domain (virDomainMemoryStats), at most maxStats of them. */
  memoryStats(maxStats?: number, flags?: number): Promise<MemoryStat[]>;
  /** flags: DomainXMLFlags (INACTIVE for the persistent definition). */
  getXMLDesc(flags?: number): Promise<string>;
  getOSType(): Promise<string>;
  setAutostart(autostart: boolean): Promise<void>;
  getAutostart(): Promise<boolean>;
  isActive(): Promise<boolean>;
  isPersistent(): Promise<boolean>;
  hasManagedSaveImage(flags?: number): Promise<boolean>;
  /**
   * The guest's serial console as a byte stream, both directions. devName: null or the serial
   * alias. flags: DomainConsoleFlags (FORCE takes over a console another client holds). The
   * stream ends when the domain stops or another client forces the console away.
   */
  openConsole(devName: string | null, flags?: number): Promise<Duplex>;
}
