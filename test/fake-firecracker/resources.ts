// The microVM's configuration before start: what each configuration request changes and how
// Firecracker validates it (files opened as it opens them, root device rules, MAC and tap
// checks). Devices are only described; the double runs no real virtio device.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { OsError, tryOs } from './os-error.js';
import { isValidIpv4 } from './schemas.js';
import type { Texts } from './messages.js';
import type { JsonValue } from './serde-json.js';

export type Obj = Record<string, unknown>;

export interface MachineConfig {
  vcpu_count: number;
  mem_size_mib: bigint;
  smt: boolean;
  cpu_template: string | null;
  track_dirty_pages: boolean;
  huge_pages: string;
}

export interface Drive {
  drive_id: string;
  path_on_host: string | null;
  is_root_device: boolean;
  partuuid: string | null;
  is_read_only: boolean;
  cache_type: string;
  rate_limiter: Obj | null;
  io_engine: string;
  socket: string | null;
}

export interface NetIface {
  iface_id: string;
  host_dev_name: string;
  guest_mac: string | null;
  mtu: number | null;
  rx_rate_limiter: Obj | null;
  tx_rate_limiter: Obj | null;
  allow_mmds_requests: boolean;
}

export interface Vsock {
  vsock_id: string | null;
  guest_cid: number;
  uds_path: string;
}

export interface Balloon {
  amount_mib: number;
  deflate_on_oom: boolean;
  stats_polling_interval_s: number;
  free_page_hinting: boolean;
  free_page_reporting: boolean;
}

export interface MmdsConfig {
  version: string;
  network_interfaces: string[];
  ipv4_address: string | null;
  imds_compat: boolean;
}

export interface BootSource {
  kernel_image_path: string;
  initrd_path: string | null;
  boot_args: string | null;
}

export const DEFAULT_MMDS_IPV4 = '169.254.169.254';
const IFNAMSIZ = 16;

/** What the resources hold; serialisable so a snapshot can carry it. */
export interface ResourceState {
  machine: MachineConfig;
  bootSource: BootSource | null;
  drives: Drive[];
  nets: NetIface[];
  vsock: Vsock | null;
  balloon: Balloon | null;
  mmdsConfig: MmdsConfig | null;
  mmds: { initialized: boolean; data: JsonValue };
  entropy: Obj | null;
  pmem: Obj[];
  memoryHotplug: Obj | null;
  cpuConfig: Obj | null;
  serialOutPath: string | null;
}

export function defaultResources(): ResourceState {
  return {
    machine: { vcpu_count: 1, mem_size_mib: 128n, smt: false, cpu_template: null, track_dirty_pages: false, huge_pages: 'None' },
    bootSource: null,
    drives: [],
    nets: [],
    vsock: null,
    balloon: null,
    mmdsConfig: null,
    mmds: { initialized: false, data: null },
    entropy: null,
    pmem: [],
    memoryHotplug: null,
    cpuConfig: null,
    serialOutPath: null,
  };
}

export function isLinkLocalValid(ip: string): boolean {
  const o = ip.split('.').map(Number);
  return o[0] === 169 && o[1] === 254 && o[2] !== 0 && o[2] !== 255;
}

/** Rust's MacAddr Display: lowercase hex pairs. */
export function normaliseMac(mac: string): string {
  return mac.toLowerCase();
}

export class Resources {
  state: ResourceState = defaultResources();
  private readonly vsockServers = new Map<string, net.Server>();

  constructor(private readonly texts: Texts) {}

  // Boot source: Firecracker opens both files when the request comes, not at start.
  setBootSource(cfg: BootSource): void {
    const kernel = tryOs(() => { fs.closeSync(fs.openSync(cfg.kernel_image_path, 'r')); });
    if (!kernel.ok) throw this.texts.kernelPath(kernel.error);
    if (cfg.initrd_path !== null) {
      const initrd = cfg.initrd_path;
      const r = tryOs(() => { fs.closeSync(fs.openSync(initrd, 'r')); });
      if (!r.ok) throw this.texts.initrdPath(r.error);
    }
    this.state.bootSource = { ...cfg };
  }

  insertDrive(cfg: Drive, modern: boolean): void {
    const drives = this.state.drives;
    const position = drives.findIndex((d) => d.drive_id === cfg.drive_id);
    const hasRoot = drives[0]?.is_root_device === true;
    if (cfg.is_root_device && hasRoot && position !== 0) throw this.texts.rootAlreadyAdded();
    if (modern && cfg.is_root_device && this.state.pmem.some((p) => p.root_device === true)) {
      throw this.texts.action('DriveConfig', 'Attempt to add block as a root device while the root device defined as a pmem device');
    }
    this.checkDriveBackend(cfg, modern);
    if (position === -1) {
      if (cfg.is_root_device) drives.unshift(cfg);
      else drives.push(cfg);
    } else {
      drives[position] = cfg;
      if (position !== 0 && cfg.is_root_device) {
        const first = drives[0];
        if (first !== undefined) {
          drives[0] = cfg;
          drives[position] = first;
        }
      }
    }
  }

  private checkDriveBackend(cfg: Drive, modern: boolean): void {
    if (modern) {
      if ((cfg.path_on_host === null) === (cfg.socket === null)) throw this.texts.driveInvalidConfig();
      if (cfg.socket !== null) {
        const sock = cfg.socket;
        const r = tryOs(() => fs.statSync(sock));
        if (!r.ok || !r.value.isSocket()) {
          const err = r.ok ? OsError.of('ECONNREFUSED') : r.error;
          throw this.texts.action('DriveConfig', `Unable to create the virtio block device: Vhost user backend error: Error connecting to the backend: ${err.display()}`);
        }
        return;
      }
    }
    const file = cfg.path_on_host ?? '';
    if (!modern && !fs.existsSync(file)) throw this.texts.driveMissingPath(file, OsError.of('ENOENT'));
    const opened = tryOs(() => { fs.closeSync(fs.openSync(file, cfg.is_read_only ? 'r' : 'r+')); });
    if (!opened.ok) throw this.texts.driveBackingFile(file, opened.error);
  }

  insertNet(cfg: NetIface, options: { modern: boolean; ifaceExists: (name: string) => 'tap' | 'other' | 'none' }): void {
    const nets = this.state.nets;
    if (cfg.guest_mac !== null && nets.some((n) => n.guest_mac === cfg.guest_mac && n.iface_id !== cfg.iface_id)) {
      throw this.texts.macInUse(cfg.guest_mac);
    }
    const index = nets.findIndex((n) => n.iface_id === cfg.iface_id);
    // Firecracker drops the old device (and its tap) before opening the new one.
    if (index !== -1) {
      const last = nets.pop();
      if (last !== undefined && index < nets.length) nets[index] = last;
    }
    if (Buffer.byteLength(cfg.host_dev_name) >= IFNAMSIZ) throw this.texts.tapInvalidName();
    if (nets.some((n) => n.host_dev_name === cfg.host_dev_name)) throw this.texts.tapIoctl(cfg.host_dev_name, OsError.of('EBUSY'));
    const existing = options.ifaceExists(cfg.host_dev_name);
    if (existing === 'other') throw this.texts.tapIoctl(cfg.host_dev_name, OsError.of('EINVAL'));
    if (existing === 'none' && process.getuid?.() !== 0) throw this.texts.tapIoctl(cfg.host_dev_name, OsError.of('EPERM'));
    if (options.modern && cfg.mtu !== null && (cfg.mtu < 68 || cfg.mtu > 65535)) throw this.texts.invalidMtu(cfg.mtu);
    nets.push(cfg);
  }

  setVsock(cfg: Vsock): void {
    const previous = this.state.vsock;
    if (previous !== null) {
      // Firecracker removes the old socket file first; if it is gone already, that fails.
      const present = tryOs(() => fs.lstatSync(previous.uds_path));
      this.closeVsockServer(previous.uds_path);
      tryOs(() => { fs.unlinkSync(previous.uds_path); });
      this.state.vsock = null;
      if (!present.ok) throw this.texts.vsockBind(present.error);
    }
    // bind(2) refuses an existing path and a missing directory.
    const exists = tryOs(() => fs.lstatSync(cfg.uds_path));
    if (exists.ok) throw this.texts.vsockBind(OsError.of('EADDRINUSE'));
    const dir = tryOs(() => fs.statSync(path.dirname(cfg.uds_path)));
    if (!dir.ok) throw this.texts.vsockBind(dir.error);
    if (!dir.value.isDirectory()) throw this.texts.vsockBind(OsError.of('ENOTDIR'));
    this.listenVsock(cfg.uds_path);
    this.state.vsock = { ...cfg };
  }

  /** The host side of the vsock: accepts, reads "CONNECT <port>", and — no guest listens — hangs up. */
  private listenVsock(udsPath: string): void {
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.destroy());
    });
    server.on('error', () => undefined);
    server.listen(udsPath);
    server.unref();
    this.vsockServers.set(udsPath, server);
  }

  private closeVsockServer(udsPath: string): void {
    const server = this.vsockServers.get(udsPath);
    if (server !== undefined) {
      server.close();
      this.vsockServers.delete(udsPath);
    }
  }

  setBalloon(cfg: Balloon): void {
    if (BigInt(cfg.amount_mib) > this.state.machine.mem_size_mib) throw this.texts.balloonTooManyPages(false);
    this.state.balloon = { ...cfg };
  }

  /** v0.25: only the IPv4 address; v1.x: the interfaces that may reach MMDS, and the version. */
  setMmdsConfig(cfg: MmdsConfig, v1: boolean): void {
    const ip = cfg.ipv4_address;
    if (ip !== null && (!isValidIpv4(ip) || !isLinkLocalValid(ip))) throw this.texts.mmdsNotLinkLocal();
    if (v1) {
      if (cfg.network_interfaces.length === 0) throw this.texts.mmdsEmptyIfaceList();
      const ids = new Set(this.state.nets.map((n) => n.iface_id));
      if (!cfg.network_interfaces.every((id) => ids.has(id))) throw this.texts.mmdsUnknownIface();
    }
    this.state.mmdsConfig = { ...cfg, ipv4_address: ip ?? (v1 ? DEFAULT_MMDS_IPV4 : null) };
  }

  /** The vsock listeners belong to the process: a restored VM binds them again. */
  rebindVsock(): void {
    const v = this.state.vsock;
    if (v !== null && !fs.existsSync(v.uds_path)) this.listenVsock(v.uds_path);
  }
}
