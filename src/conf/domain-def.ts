// DomainDef: the parsed, normalised form of a libvirt <domain type='firecracker'>.
// conf/ turns XML into this and back; driver/ and firecracker/plan only ever see this.
// Every size is normalised (memory in KiB), every generated value (uuid, MAC) is filled
// in by the parser, so formatting a DomainDef is a pure function of it.

/** A position in the XML text, 1-based, for error messages. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** A generic XML element kept as parsed (used for <metadata> children). */
export interface XmlElementNode {
  kind: 'element';
  /** Qualified name as written, e.g. `app:info`. */
  name: string;
  /** Namespace URI of the element, '' when none. */
  uri: string;
  /** Attributes in document order, qualified names as written (xmlns declarations included). */
  attributes: { name: string; value: string }[];
  /**
   * Namespace declarations in scope at this element that its subtree uses but that
   * are declared on an ancestor outside the kept subtree: prefix ('' = default) → URI.
   */
  inheritedNamespaces: { prefix: string; uri: string }[];
  children: XmlNode[];
}
export interface XmlTextNode {
  kind: 'text';
  text: string;
}
export interface XmlCDataNode {
  kind: 'cdata';
  text: string;
}
export interface XmlCommentNode {
  kind: 'comment';
  text: string;
}
export type XmlNode = XmlElementNode | XmlTextNode | XmlCDataNode | XmlCommentNode;

/** <on_poweroff>, <on_reboot>, <on_crash> values Firecracker can honour. */
export type LifecycleAction = 'destroy' | 'restart';

export type GuestArch = 'x86_64' | 'aarch64';

export interface OsDef {
  /** <type> text; always 'hvm'. */
  type: 'hvm';
  arch: GuestArch;
  /** <type machine='…'>, kept as written (Firecracker has one machine type). */
  machine?: string;
  kernel: string;
  initrd?: string;
  cmdline?: string;
  /** <root>: the target dev of the root disk, as written. See plan for when absent. */
  root?: string;
}

/** A Firecracker token bucket, in the units Firecracker takes. */
export interface TokenBucket {
  /** Bucket capacity: bytes for bandwidth buckets, operations for ops buckets. */
  size: number;
  /** Milliseconds to refill the whole bucket. */
  refillTimeMs: number;
  /** Extra tokens available once, at the start. */
  oneTimeBurst?: number;
}

export interface RateLimiter {
  bandwidth?: TokenBucket;
  ops?: TokenBucket;
}

/** <iotune>, as written (libvirt's units: bytes/s, ops/s, seconds). */
export interface DiskIoTune {
  totalBytesSec?: number;
  totalIopsSec?: number;
  totalBytesSecMax?: number;
  totalIopsSecMax?: number;
  totalBytesSecMaxLength?: number;
  totalIopsSecMaxLength?: number;
}

export type DiskCache = 'default' | 'none' | 'writethrough' | 'writeback' | 'directsync' | 'unsafe';
export type DiskIo = 'threads' | 'native' | 'io_uring';

export interface DiskDef {
  type: 'file';
  device: 'disk';
  /** <driver name='…' type='…'>, kept for round trips (Firecracker takes raw images only). */
  driverName?: string;
  driverType?: string;
  cache?: DiskCache;
  io?: DiskIo;
  source: string;
  /** <target dev>: vda, vdb, … */
  target: string;
  bus: 'virtio';
  readonly: boolean;
  iotune?: DiskIoTune;
  /** <serial> of the disk is not supported; kept out. */
  /** Live only: <alias name>. */
  alias?: string;
}

export interface SerialDef {
  type: 'pty';
  /** <target port>, 0 when absent. */
  port: number;
  /** Live only: the pty path (<source path>). */
  sourcePath?: string;
  /** Live only: <alias name>. */
  alias?: string;
}

/** <bandwidth><inbound|outbound average peak burst/>: KiB/s, KiB/s, KiB. */
export interface BandwidthDef {
  average: number;
  peak?: number;
  burst?: number;
}

export interface InterfaceDef {
  type: 'ethernet' | 'bridge';
  /** Always set: generated as 52:54:00:xx:xx:xx by the parser when absent. */
  mac: string;
  /** <target dev>: the host tap name. Required for ethernet; optional for bridge (generated at start). */
  targetDev?: string;
  /** <target managed='no'> as written. */
  targetManaged?: boolean;
  /** <source bridge> for type='bridge'. */
  sourceBridge?: string;
  /** <guest dev>: the interface name the guest should see (decides attach order). */
  guestDev?: string;
  /** <model type>: only 'virtio'. Absent when not written. */
  model?: 'virtio';
  inbound?: BandwidthDef;
  outbound?: BandwidthDef;
  /** Live only: <alias name>. */
  alias?: string;
}

export interface MemballoonDef {
  model: 'virtio' | 'none';
  /** <memballoon autodeflate='on|off'>; absent when not written. */
  autodeflate?: boolean;
  /** <stats period='N'> seconds; absent when not written. */
  statsPeriod?: number;
  /** Live only: <alias name>. */
  alias?: string;
}

export interface VsockDef {
  model: 'virtio';
  /** <cid auto='yes|no'>; absent when not written. */
  autoCid?: boolean;
  /** <cid address>: the guest CID (≥ 3); absent with auto='yes' until the driver assigns one. */
  cid?: number;
  /** Live only: <alias name>. */
  alias?: string;
}

export interface RngDef {
  model: 'virtio';
  /** <backend model='random'>/dev/urandom</backend> or model='builtin'. */
  backendModel: 'random' | 'builtin';
  /** Text of <backend model='random'>, when written. */
  backendPath?: string;
  /** <rate bytes period>: bytes per period (ms; 1000 when absent). */
  rateBytes?: number;
  ratePeriodMs?: number;
  /** Live only: <alias name>. */
  alias?: string;
}

/**
 * Firecracker's microVM metadata service, from fcvirt's own XML namespace (libvirt's pattern
 * for driver-specific settings, like <qemu:commandline>):
 *   <domain type='firecracker' xmlns:fc='http://fcvirt.org/xmlns/domain/1.0'>
 *     <fc:mmds version='V2' address='169.254.169.254'>
 *       <fc:interface dev='eth0'/>            (an <interface>'s <guest dev>)
 *       <fc:data>{"latest": {...}}</fc:data>  (optional initial content, JSON)
 *     </fc:mmds>
 */
export interface MmdsDef {
  version: 'V1' | 'V2';
  /** IPv4 address the guest reaches MMDS at; Firecracker's default (169.254.169.254) when absent. */
  address?: string;
  /** <guest dev> names of the interfaces allowed to reach MMDS (at least one). */
  interfaces: string[];
  /** Initial content as JSON text (validated as JSON by the parser). */
  data?: string;
}

/** fcvirt's XML namespace for Firecracker-specific settings. */
export const FC_XML_NAMESPACE = 'http://fcvirt.org/xmlns/domain/1.0';

export interface DomainDef {
  type: 'firecracker';
  /** Live only: the domain id (a small integer assigned at start). */
  id?: number;
  name: string;
  /** Dashed lowercase; generated by the parser when absent. */
  uuid: string;
  title?: string;
  description?: string;
  /** Children of <metadata>, kept as parsed (namespaces preserved). */
  metadata?: XmlNode[];
  /** <memory>, KiB. */
  memoryKiB: number;
  /** <currentMemory>, KiB; equals memoryKiB when absent. */
  currentMemoryKiB: number;
  vcpus: number;
  /** <vcpu placement>, as written. */
  vcpuPlacement?: 'static' | 'auto';
  /** <vcpu current>, as written (must equal vcpus). */
  vcpuCurrent?: number;
  os: OsDef;
  onPoweroff: LifecycleAction;
  onReboot: LifecycleAction;
  onCrash: LifecycleAction;
  /** <emulator>: the firecracker binary; absent means `firecracker` from PATH. */
  emulator?: string;
  /** In document order; the plan decides attach order. */
  disks: DiskDef[];
  serial?: SerialDef;
  /** In document order; the plan decides attach order (by <guest dev>). */
  interfaces: InterfaceDef[];
  memballoon?: MemballoonDef;
  vsock?: VsockDef;
  rng?: RngDef;
  /** <fc:mmds> (fcvirt namespace). */
  mmds?: MmdsDef;
}

/** Options for parsing. Randomness is injected so conf/ stays pure and tests are deterministic. */
export interface ParseOptions {
  /** libvirt's VIR_DOMAIN_DEFINE_VALIDATE: refuse elements libvirt itself does not know. */
  validate?: boolean;
  /** Returns `length` random bytes (uuid and MAC generation). Defaults to system entropy (node:crypto). */
  randomBytes?: (length: number) => Uint8Array;
}

/** Options for formatting. */
export interface FormatOptions {
  /** Live form: the domain id, the pty path, aliases. Inactive form otherwise. */
  live?: boolean;
}
