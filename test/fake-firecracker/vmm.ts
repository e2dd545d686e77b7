// The VMM side of the API: what each action does before and after InstanceStart (Firecracker's
// PrebootApiController and RuntimeApiController), the guest it "runs", pause/resume, snapshots
// and the JSON it answers with, shaped per version.
import fs from 'node:fs';
import { ActionError, type Texts } from './messages.js';
import { OsError, tryOs } from './os-error.js';
import type { Profile } from './profile.js';
import { FakeGuest, type GuestState } from './guest.js';
import type { FcLogger, Thread } from './log.js';
import { Metrics } from './metrics.js';
import {
  Resources, defaultResources, type Balloon, type BootSource, type Drive, type MachineConfig, type MmdsConfig, type NetIface,
  type Obj, type ResourceState, type Vsock,
} from './resources.js';
import { JsonReader, sortedValue, toJson, type JsonValue } from './serde-json.js';

export type VmmAction =
  | { type: 'ConfigureBootSource'; cfg: BootSource }
  | { type: 'ConfigureLogger'; cfg: Obj }
  | { type: 'ConfigureMetrics'; path: string }
  | { type: 'ConfigureSerial'; cfg: Obj }
  | { type: 'CreateSnapshot'; cfg: Obj }
  | { type: 'FlushMetrics' }
  | { type: 'GetBalloonConfig' }
  | { type: 'GetBalloonStats' }
  | { type: 'GetFreePageHintingStatus' }
  | { type: 'GetFullVmConfig' }
  | { type: 'GetMMDS' }
  | { type: 'GetMemoryHotplugStatus' }
  | { type: 'GetVmInstanceInfo' }
  | { type: 'GetVmMachineConfig' }
  | { type: 'GetVmmVersion' }
  | { type: 'HotUnplugDevice'; id: string }
  | { type: 'InsertBlockDevice'; cfg: Drive }
  | { type: 'InsertNetworkDevice'; cfg: NetIface }
  | { type: 'InsertPmemDevice'; cfg: Obj }
  | { type: 'LoadSnapshot'; cfg: LoadParams }
  | { type: 'PatchMMDS'; value: JsonValue }
  | { type: 'Pause' }
  | { type: 'PutCpuConfiguration'; cfg: Obj }
  | { type: 'PutMMDS'; value: JsonValue }
  | { type: 'Resume' }
  | { type: 'SendCtrlAltDel' }
  | { type: 'SetBalloonDevice'; cfg: Balloon }
  | { type: 'SetEntropyDevice'; cfg: Obj }
  | { type: 'SetMemoryHotplugDevice'; cfg: Obj }
  | { type: 'SetMmdsConfiguration'; cfg: MmdsConfig }
  | { type: 'SetVmConfiguration'; update: MachineUpdate }
  | { type: 'SetVsockDevice'; cfg: Vsock }
  | { type: 'StartFreePageHinting' }
  | { type: 'StartMicroVm' }
  | { type: 'StopFreePageHinting' }
  | { type: 'UpdateBalloon'; amount_mib: number }
  | { type: 'UpdateBalloonStatistics'; interval: number }
  | { type: 'UpdateBlockDevice'; cfg: Obj }
  | { type: 'UpdateMemoryHotplugSize'; size: bigint }
  | { type: 'UpdateNetworkInterface'; cfg: Obj }
  | { type: 'UpdatePmemDevice'; cfg: Obj };

export interface MachineUpdate {
  vcpu_count?: number | null;
  mem_size_mib?: bigint | null;
  smt?: boolean | null;
  cpu_template?: string | null;
  track_dirty_pages?: boolean | null;
  huge_pages?: string | null;
}

export interface LoadParams {
  snapshot_path: string;
  mem_backend_path: string;
  mem_backend_type: string;
  track_dirty_pages: boolean;
  resume_vm: boolean;
  network_overrides: { iface_id: string; host_dev_name: string }[];
  vsock_override: string | null;
}

/** 200 with a JSON body, or 204. */
export type VmmData = { body: string } | null;

export interface VmmHost {
  profile: Profile;
  texts: Texts;
  logger: FcLogger;
  metrics: Metrics;
  instanceId: string;
  enablePci: boolean;
  mmdsLimit: number;
  serial(text: string): void;
  /** Ends the process the way Firecracker ends: after its last log lines. */
  exit(code: number): void;
  /** What a host interface name is: a tap, another kind of interface, or nothing. */
  ifaceKind(name: string): 'tap' | 'other' | 'none';
  onStart(guest: FakeGuest): void;
}

const SNAPSHOT_MAGIC = 'FCVIRT-FAKE-FIRECRACKER-SNAPSHOT\n';

export class Vmm {
  readonly resources: Resources;
  started = false;
  vmState: 'Not started' | 'Running' | 'Paused' = 'Not started';
  guest: FakeGuest | undefined;
  /** Set when an action leaves the process unusable: exit after the answer is sent. */
  fatalExit: number | undefined;
  private bootPath = false;
  private balloonTarget = 0;
  private hinting = { host_cmd: 0, guest_cmd: 0 as number | null };

  constructor(private readonly host: VmmHost) {
    this.resources = new Resources(host.texts);
  }

  private get p(): Profile {
    return this.host.profile;
  }

  private get t(): Texts {
    return this.host.texts;
  }

  private get r(): ResourceState {
    return this.resources.state;
  }

  handle(action: VmmAction): VmmData {
    return this.started ? this.runtime(action) : this.preboot(action);
  }

  // ---------------------------------------------------------------- before InstanceStart
  private preboot(a: VmmAction): VmmData {
    switch (a.type) {
      case 'ConfigureBootSource':
        this.bootPath = true;
        this.resources.setBootSource(a.cfg);
        return null;
      case 'ConfigureLogger':
        this.configureLogger(a.cfg);
        return null;
      case 'ConfigureMetrics':
        this.configureMetrics(a.path);
        return null;
      case 'ConfigureSerial':
        this.r.serialOutPath = (a.cfg.serial_out_path as string | null) ?? null;
        return null;
      case 'GetBalloonConfig':
        if (this.r.balloon === null) throw this.t.balloonNotFound(false);
        return json(this.balloonJson(this.r.balloon));
      case 'GetFullVmConfig':
        if (this.p.modern) {
          this.host.logger.log('WARN', 'main', '', 'If the VM was restored from snapshot, boot-source, machine-config.smt, and machine-config.cpu_template will all be empty.');
        }
        return json(this.fullConfigJson());
      case 'GetMMDS':
        return { body: this.mmdsBody() };
      case 'GetVmMachineConfig':
        return json(this.machineJson());
      case 'GetVmInstanceInfo':
        return json(this.instanceInfo());
      case 'GetVmmVersion':
        return json({ firecracker_version: this.p.version });
      case 'InsertBlockDevice':
        this.bootPath = true;
        this.resources.insertDrive(a.cfg, this.p.modern);
        return null;
      case 'InsertNetworkDevice':
        this.bootPath = true;
        this.resources.insertNet(a.cfg, { modern: this.p.modern, ifaceExists: (n) => this.host.ifaceKind(n) });
        return null;
      case 'InsertPmemDevice':
        this.bootPath = true;
        this.insertPmem(a.cfg);
        return null;
      case 'LoadSnapshot':
        this.loadSnapshot(a.cfg);
        return null;
      case 'PatchMMDS':
        this.patchMmds(a.value);
        return null;
      case 'PutMMDS':
        this.putMmds(a.value);
        return null;
      case 'PutCpuConfiguration':
        this.bootPath = true;
        this.r.cpuConfig = a.cfg;
        return null;
      case 'SetBalloonDevice':
        this.bootPath = true;
        this.resources.setBalloon(a.cfg);
        return null;
      case 'SetEntropyDevice':
        this.bootPath = true;
        this.r.entropy = a.cfg;
        return null;
      case 'SetMemoryHotplugDevice':
        this.bootPath = true;
        this.setMemoryHotplug(a.cfg);
        return null;
      case 'SetMmdsConfiguration':
        this.bootPath = true;
        this.resources.setMmdsConfig(a.cfg, this.p.v1);
        return null;
      case 'SetVmConfiguration':
        this.bootPath = true;
        this.updateMachine(a.update);
        return null;
      case 'SetVsockDevice':
        this.bootPath = true;
        this.resources.setVsock(a.cfg);
        return null;
      case 'StartMicroVm':
        this.start();
        return null;
      default:
        throw this.t.preBoot();
    }
  }

  // ----------------------------------------------------------------- after InstanceStart
  private runtime(a: VmmAction): VmmData {
    switch (a.type) {
      case 'CreateSnapshot':
        this.createSnapshot(a.cfg);
        return null;
      case 'FlushMetrics':
        this.host.metrics.flush();
        return null;
      case 'GetBalloonConfig':
        if (this.r.balloon === null) throw this.t.balloonNotFound(true);
        return json(this.balloonJson({ ...this.r.balloon, amount_mib: this.balloonTarget }));
      case 'GetBalloonStats':
        return json(this.balloonStats());
      case 'GetFreePageHintingStatus':
        this.requireHinting();
        return json(this.hinting);
      case 'GetFullVmConfig':
        return json(this.fullConfigJson());
      case 'GetMMDS':
        if (this.p.modern && !this.r.mmds.initialized && this.r.mmdsConfig === null) throw this.t.mmdsNotInitialized();
        return { body: this.mmdsBody() };
      case 'GetMemoryHotplugStatus':
        if (this.r.memoryHotplug === null) throw this.t.action('InternalVmm', this.t.deviceNotFound());
        return json({ ...this.r.memoryHotplug, plugged_size_mib: this.r.memoryHotplug.requested_size_mib ?? 0n });
      case 'GetVmInstanceInfo':
        return json(this.instanceInfo());
      case 'GetVmMachineConfig':
        return json(this.machineJson());
      case 'GetVmmVersion':
        return json({ firecracker_version: this.p.version });
      case 'HotUnplugDevice':
        if (!this.host.enablePci) throw new ActionError('PCI is not enabled');
        this.unplug(a.id);
        return null;
      case 'InsertBlockDevice':
      case 'InsertNetworkDevice':
      case 'InsertPmemDevice':
        if (!this.p.modern) throw this.t.postBoot();
        return this.hotplug(a);
      case 'PatchMMDS':
        this.patchMmds(a.value);
        return null;
      case 'PutMMDS':
        this.putMmds(a.value);
        return null;
      case 'Pause':
        this.vmState = 'Paused';
        this.guest?.pause();
        return null;
      case 'Resume':
        this.vmState = 'Running';
        this.guest?.resume();
        return null;
      case 'SendCtrlAltDel':
        this.guest?.ctrlAltDel();
        return null;
      case 'StartFreePageHinting':
      case 'StopFreePageHinting':
        this.requireHinting();
        this.hinting = a.type === 'StartFreePageHinting' ? { host_cmd: this.hinting.host_cmd + 1, guest_cmd: null } : this.hinting;
        return null;
      case 'UpdateBalloon':
        this.updateBalloon(a.amount_mib);
        return null;
      case 'UpdateBalloonStatistics':
        this.updateBalloonStats(a.interval);
        return null;
      case 'UpdateBlockDevice':
        this.updateDrive(a.cfg);
        return null;
      case 'UpdateMemoryHotplugSize':
        if (this.r.memoryHotplug === null) throw this.t.action('MemoryHotplugUpdate', this.t.deviceNotFound());
        this.r.memoryHotplug = { ...this.r.memoryHotplug, requested_size_mib: a.size };
        return null;
      case 'UpdateNetworkInterface': {
        const id = a.cfg.iface_id as string;
        const iface = this.r.nets.find((n) => n.iface_id === id);
        if (iface === undefined) throw this.t.netUpdate(this.t.deviceNotFound());
        if (a.cfg.rx_rate_limiter !== null) iface.rx_rate_limiter = a.cfg.rx_rate_limiter as Obj;
        if (a.cfg.tx_rate_limiter !== null) iface.tx_rate_limiter = a.cfg.tx_rate_limiter as Obj;
        return null;
      }
      case 'UpdatePmemDevice': {
        const dev = this.r.pmem.find((d) => d.id === a.cfg.id);
        if (dev === undefined) throw this.t.action('PmemConfig', `Unable to update the pmem device: ${this.t.deviceNotFound()}`);
        dev.rate_limiter = a.cfg.rate_limiter;
        return null;
      }
      default:
        throw this.t.postBoot();
    }
  }

  // ------------------------------------------------------------------- configuration
  private configureLogger(cfg: Obj): void {
    const logger = this.host.logger;
    if (this.p.modern) {
      const logPath = cfg.log_path as string | null;
      let fd: number | undefined;
      if (logPath !== null) {
        const opened = tryOs(() => fs.openSync(logPath, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NONBLOCK | fs.constants.O_APPEND, 0o644));
        if (!opened.ok) throw this.t.loggerOpen(opened.error);
        fd = opened.value;
      }
      const level = cfg.level as string | null;
      const levels: Record<string, 0 | 1 | 2 | 3 | 4 | 5> = { off: 0, error: 1, warn: 2, warning: 2, info: 3, debug: 4, trace: 5 };
      if (fd !== undefined) logger.setTarget(fd);
      logger.configure({
        maxLevel: level === null ? 3 : (levels[level.toLowerCase()] ?? 3),
        showLevel: (cfg.show_level as boolean | null) ?? undefined,
        showOrigin: (cfg.show_log_origin as boolean | null) ?? undefined,
      });
      return;
    }
    if (logger.initialized) throw this.t.loggerReinit();
    const logPath = cfg.log_path as string;
    // v0.25/v1.3 open the file without creating it: it must exist already (a file or FIFO).
    const opened = tryOs(() => fs.openSync(logPath, fs.constants.O_RDWR | fs.constants.O_NONBLOCK | fs.constants.O_APPEND));
    if (!opened.ok) throw this.t.loggerOpen(opened.error);
    const levels: Record<string, 1 | 2 | 3 | 4> = { error: 1, warning: 2, info: 3, debug: 4 };
    logger.setTarget(opened.value);
    logger.configure({
      maxLevel: levels[(cfg.level as string).toLowerCase()] ?? 2,
      showLevel: cfg.show_level as boolean,
      showOrigin: cfg.show_log_origin as boolean,
    });
    logger.initialized = true;
    logger.raw(`Running Firecracker v${this.p.version}\n`);
  }

  private configureMetrics(metricsPath: string): void {
    const metrics = this.host.metrics;
    if (metrics.initialized) throw this.t.metricsReinit();
    const flags = fs.constants.O_RDWR | fs.constants.O_NONBLOCK | fs.constants.O_APPEND | (this.p.modern ? fs.constants.O_CREAT : 0);
    const opened = tryOs(() => fs.openSync(metricsPath, flags, 0o644));
    if (!opened.ok) throw this.t.metricsOpen(opened.error);
    metrics.init(opened.value);
  }

  private updateMachine(u: MachineUpdate): void {
    const m = this.r.machine;
    if (!this.p.v1) {
      // v0.25's set_vm_config: vCPUs and memory checked, then fields updated one by one.
      if (u.vcpu_count === 0) throw this.t.invalidVcpuCount();
      if (u.mem_size_mib === 0n) throw this.t.invalidMemorySize();
      const mem = u.mem_size_mib ?? 128n;
      if (this.r.balloon !== null && mem < BigInt(this.r.balloon.amount_mib)) throw this.t.incompatibleBalloonSize();
      const ht = u.smt ?? m.smt;
      const vcpus = u.vcpu_count ?? m.vcpu_count;
      if (ht && vcpus > 1 && vcpus % 2 === 1) throw this.t.invalidVcpuCount();
      m.vcpu_count = vcpus;
      m.smt = ht;
      m.track_dirty_pages = u.track_dirty_pages ?? false;
      if (u.mem_size_mib !== undefined && u.mem_size_mib !== null) m.mem_size_mib = u.mem_size_mib;
      if (u.cpu_template !== undefined && u.cpu_template !== null) m.cpu_template = u.cpu_template;
      return;
    }
    const vcpus = u.vcpu_count ?? m.vcpu_count;
    const smt = u.smt ?? m.smt;
    if (this.p.modern) {
      if (vcpus === 0 || vcpus > 32 || (smt && vcpus > 1 && vcpus % 2 === 1)) throw this.t.invalidVcpuCount();
      const mem = u.mem_size_mib ?? m.mem_size_mib;
      const pages = u.huge_pages ?? m.huge_pages;
      if (mem === 0n || (pages === '2M' && mem % 2n !== 0n)) throw this.t.invalidMemorySize();
      if (this.r.balloon !== null && mem < BigInt(this.r.balloon.amount_mib)) throw this.t.incompatibleBalloonSize();
      const template = u.cpu_template === undefined || u.cpu_template === null ? m.cpu_template : u.cpu_template === 'None' ? null : u.cpu_template;
      this.r.machine = {
        vcpu_count: vcpus,
        mem_size_mib: mem,
        smt,
        cpu_template: template,
        track_dirty_pages: u.track_dirty_pages ?? m.track_dirty_pages,
        huge_pages: pages,
      };
      return;
    }
    // v1.3's update_vm_config.
    if (vcpus === 0) throw this.t.invalidVcpuCount();
    if (smt && vcpus > 1 && vcpus % 2 === 1) throw this.t.invalidVcpuCount();
    m.vcpu_count = vcpus;
    m.smt = smt;
    const mem = u.mem_size_mib ?? m.mem_size_mib;
    if (mem === 0n) throw this.t.invalidMemorySize();
    if (this.r.balloon !== null && mem < BigInt(this.r.balloon.amount_mib)) throw this.t.incompatibleBalloonSize();
    m.mem_size_mib = mem;
    if (u.cpu_template !== undefined && u.cpu_template !== null) m.cpu_template = u.cpu_template === 'None' ? null : u.cpu_template;
    if (u.track_dirty_pages !== undefined && u.track_dirty_pages !== null) m.track_dirty_pages = u.track_dirty_pages;
  }

  private insertPmem(cfg: Obj): void {
    const id = cfg.id as string;
    if (cfg.root_device === true) {
      if (this.r.drives[0]?.is_root_device === true) throw this.t.action('PmemConfig', 'Attempt to add pmem as a root device while the root device defined as a block device');
      if (this.r.pmem.some((p) => p.root_device === true && p.id !== id)) throw this.t.action('PmemConfig', 'A root pmem device already exist');
    }
    const file = cfg.path_on_host as string;
    const opened = tryOs(() => { fs.closeSync(fs.openSync(file, cfg.read_only === true ? 'r' : 'r+')); });
    if (!opened.ok) throw this.t.action('PmemConfig', `Error accessing backing file: ${opened.error.display()}`);
    const i = this.r.pmem.findIndex((p) => p.id === id);
    if (i === -1) this.r.pmem.push(cfg);
    else this.r.pmem[i] = cfg;
  }

  private setMemoryHotplug(cfg: Obj): void {
    const block = cfg.block_size_mib as bigint;
    const slot = cfg.slot_size_mib as bigint;
    const total = cfg.total_size_mib as bigint;
    if (block < 2n || (block & (block - 1n)) !== 0n) throw this.t.action('MemoryHotplugConfig', 'Block size must not be less than 2 MiB and must be a power of 2');
    if (slot < 128n || slot % block !== 0n) throw this.t.action('MemoryHotplugConfig', 'Slot size must not be less than 128 MiB and must be a multiple of the block size');
    if (total < slot || total % slot !== 0n) throw this.t.action('MemoryHotplugConfig', 'Total size must be a non-zero multiple of the slot size');
    this.r.memoryHotplug = { total_size_mib: total, block_size_mib: block, slot_size_mib: slot, requested_size_mib: 0n };
  }

  // -------------------------------------------------------------------------- MMDS
  private putMmds(value: JsonValue): void {
    if (this.p.v1 && toJson(value).length > this.host.mmdsLimit) throw this.t.mmdsTooBig();
    this.r.mmds = { initialized: true, data: value };
  }

  private patchMmds(patch: JsonValue): void {
    if (!this.r.mmds.initialized) throw this.t.mmdsNotInitialized();
    const merged = mergePatch(cloneValue(this.r.mmds.data), patch);
    if (toJson(merged).length > this.host.mmdsLimit) throw this.t.mmdsTooBig();
    this.r.mmds = { initialized: true, data: merged };
  }

  private mmdsBody(): string {
    const data = this.r.mmds.data;
    return data === null ? '{}' : toJson(sortedValue(data));
  }

  // ------------------------------------------------------------------------ start
  private start(): void {
    const boot = this.r.bootSource;
    if (boot === null) throw this.t.missingKernel();
    this.bootPath = true;
    this.started = true;
    this.vmState = 'Running';
    this.balloonTarget = this.r.balloon?.amount_mib ?? 0;
    this.resources.rebindVsock();
    this.guest = this.makeGuest();
    this.host.onStart(this.guest);
    this.guest.boot();
  }

  /** The command line the guest sees: Firecracker appends root= and the MMIO devices. */
  kernelCmdline(): string {
    const boot = this.r.bootSource;
    const base = boot?.boot_args ?? 'reboot=k panic=1 pci=off nomodules 8250.nr_uarts=0 i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd';
    const parts = [base];
    const root = this.r.drives[0];
    if (root?.is_root_device === true) {
      parts.push(root.partuuid !== null ? `root=PARTUUID=${root.partuuid}` : 'root=/dev/vda');
      parts.push(root.is_read_only ? 'ro' : 'rw');
    }
    const devices = this.r.drives.length + this.r.nets.length + (this.r.vsock ? 1 : 0) + (this.r.balloon ? 1 : 0) + (this.r.entropy ? 1 : 0);
    for (let i = 0; i < devices; i++) parts.push(`virtio_mmio.device=4K@0x${(0xd0000000 + i * 0x1000).toString(16)}:${5 + i}`);
    return parts.join(' ');
  }

  private makeGuest(restored?: GuestState): FakeGuest {
    // The root is the root drive, or the first disk when the command line names root= itself.
    const cmdlineRoot = / root=/.test(` ${this.r.bootSource?.boot_args ?? ''}`);
    const root = this.r.drives[0]?.is_root_device === true || (cmdlineRoot && this.r.drives.length > 0) ? 'vda' : undefined;
    return new FakeGuest(
      {
        serial: (text) => { this.host.serial(text); },
        reset: () => { this.stop(0, 'fc_vcpu 0'); },
        crash: () => { this.stop(1, 'fc_vcpu 0'); },
      },
      {
        cmdline: this.kernelCmdline(),
        memMib: Number(this.r.machine.mem_size_mib),
        vcpus: this.r.machine.vcpu_count,
        rootDevice: root,
        initrd: (this.r.bootSource?.initrd_path ?? null) !== null,
      },
      restored,
    );
  }

  /** Vmm::stop: the VMM winds down and the process exits with the code. */
  private stop(code: number, thread: Thread): void {
    this.host.logger.log('INFO', thread, this.p.origin.vmmExit, 'Vmm is stopping.');
    this.guest?.stop();
    this.host.exit(code);
  }

  // -------------------------------------------------------------------- devices after start
  private hotplug(a: VmmAction): VmmData {
    if (!this.host.enablePci) throw new ActionError('PCI is not enabled');
    this.host.logger.log('WARN', 'main', '', '[DevPreview] PCI device hotplug is in development preview.');
    if (a.type === 'InsertBlockDevice') {
      if (this.r.drives.some((d) => d.drive_id === a.cfg.drive_id)) throw new ActionError('Device ID in use');
      this.resources.insertDrive(a.cfg, true);
    } else if (a.type === 'InsertNetworkDevice') {
      if (this.r.nets.some((n) => n.iface_id === a.cfg.iface_id)) throw new ActionError('Device ID in use');
      this.resources.insertNet(a.cfg, { modern: true, ifaceExists: (n) => this.host.ifaceKind(n) });
    } else if (a.type === 'InsertPmemDevice') {
      if (this.r.pmem.some((p) => p.id === a.cfg.id)) throw new ActionError('Device ID in use');
      this.insertPmem(a.cfg);
    }
    return null;
  }

  private unplug(id: string): void {
    const drive = this.r.drives.findIndex((d) => d.drive_id === id);
    if (drive !== -1) {
      if (this.r.drives[drive]?.is_root_device === true) throw new ActionError('Cannot unplug root device');
      this.r.drives.splice(drive, 1);
      return;
    }
    const iface = this.r.nets.findIndex((n) => n.iface_id === id);
    if (iface !== -1) {
      this.r.nets.splice(iface, 1);
      return;
    }
    const pmem = this.r.pmem.findIndex((p) => p.id === id);
    if (pmem !== -1) {
      this.r.pmem.splice(pmem, 1);
      return;
    }
    throw new ActionError('Device not found');
  }

  private updateDrive(cfg: Obj): void {
    const drive = this.r.drives.find((d) => d.drive_id === cfg.drive_id);
    if (drive === undefined) throw this.t.driveUpdate(this.t.deviceNotFound());
    const newPath = cfg.path_on_host as string | null;
    if (newPath !== null) {
      const opened = tryOs(() => { fs.closeSync(fs.openSync(newPath, drive.is_read_only ? 'r' : 'r+')); });
      if (!opened.ok) {
        const inner = this.p.modern
          ? `Block: Virtio backend error: Error manipulating the backing file: ${opened.error.display()} ${newPath}`
          : this.p.v1 ? `BackingFile(${opened.error.debug()}, ${JSON.stringify(newPath)})` : opened.error.display();
        throw this.t.driveUpdate(inner);
      }
      drive.path_on_host = newPath;
    }
    if (cfg.rate_limiter !== null) drive.rate_limiter = cfg.rate_limiter as Obj;
  }

  // ------------------------------------------------------------------------ balloon
  private updateBalloon(amount: number): void {
    if (this.r.balloon === null) throw this.p.modern ? this.t.action('BalloonUpdate', this.t.deviceNotFound()) : this.t.balloonNotFound(true);
    if (BigInt(amount) > this.r.machine.mem_size_mib) throw this.t.balloonTooManyPages(true);
    this.balloonTarget = amount;
  }

  private updateBalloonStats(interval: number): void {
    const b = this.r.balloon;
    if (b === null) throw this.p.modern ? this.t.action('BalloonUpdate', this.t.deviceNotFound()) : this.t.balloonNotFound(true);
    if ((b.stats_polling_interval_s === 0) !== (interval === 0)) throw this.t.balloonStatsChange();
    b.stats_polling_interval_s = interval;
  }

  private requireHinting(): void {
    const b = this.r.balloon;
    if (b === null) throw this.t.action('BalloonUpdate', this.t.deviceNotFound());
    if (!b.free_page_hinting) throw this.t.action('BalloonUpdate', 'Balloon: Attempting to use hinting when not enabled');
  }

  private balloonStats(): Obj {
    const b = this.r.balloon;
    if (b === null) throw this.p.modern ? this.t.action('InternalVmm', this.t.deviceNotFound()) : this.t.balloonNotFound(true);
    if (b.stats_polling_interval_s === 0) throw this.t.balloonStatsDisabled();
    const mib = this.balloonTarget;
    const total = Number(this.r.machine.mem_size_mib) * 1024 * 1024;
    const stats: Obj = {
      target_pages: mib * 256,
      actual_pages: mib * 256,
      target_mib: mib,
      actual_mib: mib,
      swap_in: 0,
      swap_out: 0,
      major_faults: 120,
      minor_faults: 23000,
      free_memory: Math.max(0, total - mib * 1048576 - 40 * 1048576),
      total_memory: total,
      available_memory: Math.max(0, total - mib * 1048576 - 30 * 1048576),
      disk_caches: 12 * 1048576,
      hugetlb_allocations: 0,
      hugetlb_failures: 0,
    };
    if (this.p.modern) Object.assign(stats, { oom_kill: 0, alloc_stall: 0, async_scan: 0, direct_scan: 0, async_reclaim: 0, direct_reclaim: 0 });
    return stats;
  }

  // ---------------------------------------------------------------------- snapshots
  private createSnapshot(cfg: Obj): void {
    const type = cfg.snapshot_type as string;
    if (!this.p.modern && type === 'Diff' && !this.r.machine.track_dirty_pages) throw this.t.diffWithoutTracking();
    if (!this.p.modern) {
      const version = cfg.version as string | null;
      if (version !== null) {
        if (!/^\d+\.\d+\.\d+$/.test(version)) throw this.t.snapshotVersionFormat();
        const known = this.p.v1 ? ['0.23.0', '0.24.0', '0.25.0', '1.0.0', '1.1.0', '1.2.0', '1.3.0'] : ['0.23.0', '0.24.0', '0.25.0'];
        if (!known.includes(version)) throw this.t.snapshotVersionUnsupported();
      }
      this.host.logger.log('WARN', 'main', this.p.origin.devPreview, '[DevPreview] Virtual machine snapshots is in development preview.');
    }
    if (this.vmState !== 'Paused') throw this.t.snapshotWhileRunning();
    const statePath = cfg.snapshot_path as string;
    const memPath = cfg.mem_file_path as string;
    const content = SNAPSHOT_MAGIC + JSON.stringify({
      version: this.p.version,
      resources: this.r,
      guest: this.guest?.snapshot(),
      balloonTarget: this.balloonTarget,
    }, (_k, v: unknown) => (typeof v === 'bigint' ? { $big: v.toString() } : v));
    const fd = tryOs(() => fs.openSync(statePath, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o644));
    if (!fd.ok) throw this.t.snapshotFile('open', fd.error);
    const written = tryOs(() => {
      fs.writeSync(fd.value, content);
      fs.closeSync(fd.value);
    });
    if (!written.ok) throw this.t.snapshotFile('write', written.error);
    const truncate = type === 'Full' ? fs.constants.O_TRUNC : 0;
    const mem = tryOs(() => fs.openSync(memPath, fs.constants.O_WRONLY | fs.constants.O_CREAT | truncate, 0o644));
    if (!mem.ok) throw this.t.memoryFile('open', mem.error);
    // The memory file holds guest RAM; left sparse here, it has the guest's size.
    const sized = tryOs(() => {
      fs.ftruncateSync(mem.value, Number(this.r.machine.mem_size_mib) * 1024 * 1024);
      fs.closeSync(mem.value);
    });
    if (!sized.ok) throw this.t.memoryFile('set_length', sized.error);
  }

  private loadSnapshot(cfg: LoadParams): void {
    if (this.bootPath) {
      this.host.logger.log('INFO', 'main', '', this.t.loadNotAllowed().text);
      throw this.t.loadNotAllowed();
    }
    if (this.p.v1 && !this.p.modern) {
      this.host.logger.log('WARN', 'main', this.p.origin.devPreview, '[DevPreview] Virtual machine snapshots is in development preview.');
    }
    // Any failure from here leaves Firecracker unable to go on: it answers, then exits.
    try {
      this.restore(cfg);
    } catch (e) {
      if (e instanceof ActionError) this.fatalExit = this.p.modern ? 1 : 152;
      throw e;
    }
  }

  private restore(cfg: LoadParams): void {
    const file = tryOs(() => fs.readFileSync(cfg.snapshot_path));
    if (!file.ok) throw this.t.loadOpenSnapshot(file.error);
    const content = file.value;
    const text = content.toString('utf8');
    if (!text.startsWith(SNAPSHOT_MAGIC)) throw this.t.loadBadSnapshot(content, 'format');
    let saved: { version: string; resources: ResourceState; guest?: GuestState; balloonTarget: number };
    try {
      saved = JSON.parse(text.slice(SNAPSHOT_MAGIC.length), (_k, v: unknown) => {
        if (v !== null && typeof v === 'object' && '$big' in v) return BigInt((v as { $big: string }).$big);
        return v;
      }) as typeof saved;
    } catch {
      throw this.t.loadBadSnapshot(content, 'format');
    }
    // Snapshot formats are version-bound: 0.25 and 1.x cannot read each other's.
    if (saved.version.startsWith('0.') !== !this.p.v1 || (this.p.modern && saved.version !== this.p.version)) {
      throw this.t.loadBadSnapshot(content, 'version');
    }
    if (cfg.mem_backend_type === 'File') {
      const mem = tryOs(() => { fs.closeSync(fs.openSync(cfg.mem_backend_path, 'r')); });
      if (!mem.ok) throw this.t.loadMemoryFile(mem.error);
    } else {
      const uffd = tryOs(() => fs.statSync(cfg.mem_backend_path));
      if (!uffd.ok || !uffd.value.isSocket()) {
        const err = uffd.ok ? OsError.of('ECONNREFUSED') : uffd.error;
        throw this.t.action('LoadSnapshot', `Failed to restore from snapshot: Failed to load guest memory: Error creating guest memory from uffd: Failed to connect to UDS Unix stream: ${err.display()}`);
      }
    }
    const state: ResourceState = { ...defaultResources(), ...saved.resources };
    for (const o of cfg.network_overrides) {
      const iface = state.nets.find((n) => n.iface_id === o.iface_id);
      if (iface === undefined) throw this.t.action('LoadSnapshot', 'Failed to restore from snapshot: Failed to get snapshot state from file: Unknown Network Device.');
      iface.host_dev_name = o.host_dev_name;
    }
    if (cfg.vsock_override !== null) {
      if (state.vsock === null) throw this.t.action('LoadSnapshot', 'Failed to restore from snapshot: Failed to get snapshot state from file: Unknown Vsock Device.');
      state.vsock.uds_path = cfg.vsock_override;
    }
    if (state.vsock !== null && fs.existsSync(state.vsock.uds_path)) {
      const err = OsError.of('EADDRINUSE');
      throw this.t.action('LoadSnapshot', `Failed to restore from snapshot: Failed to build microVM from snapshot: Cannot restore devices. Error: VsockUnixBackend(UnixBind(${err.debug()}))`);
    }
    state.machine.track_dirty_pages = cfg.track_dirty_pages;
    this.resources.state = state;
    this.resources.rebindVsock();
    this.balloonTarget = saved.balloonTarget;
    this.started = true;
    this.vmState = 'Paused';
    this.guest = this.makeGuest(saved.guest ?? { phase: 'shell', line: '', uptimeMs: 0, pendingCtrlAltDel: false });
    this.host.onStart(this.guest);
    if (cfg.resume_vm) {
      this.vmState = 'Running';
      this.guest.resume();
    }
  }

  // ------------------------------------------------------------------ JSON answers
  instanceInfo(): Obj {
    return { id: this.host.instanceId, state: this.vmState, vmm_version: this.p.version, app_name: 'Firecracker' };
  }

  machineJson(m: MachineConfig = this.r.machine): Obj {
    const out: Obj = { vcpu_count: m.vcpu_count, mem_size_mib: m.mem_size_mib };
    out[this.p.v1 ? 'smt' : 'ht_enabled'] = m.smt;
    if (m.cpu_template !== null) out.cpu_template = m.cpu_template;
    out.track_dirty_pages = m.track_dirty_pages;
    if (this.p.modern) out.huge_pages = m.huge_pages;
    return out;
  }

  private balloonJson(b: Balloon): Obj {
    const out: Obj = { amount_mib: b.amount_mib, deflate_on_oom: b.deflate_on_oom, stats_polling_interval_s: b.stats_polling_interval_s };
    if (this.p.modern) Object.assign(out, { free_page_hinting: b.free_page_hinting, free_page_reporting: b.free_page_reporting });
    return out;
  }

  private driveJson(d: Drive): Obj {
    if (this.p.modern) {
      return {
        drive_id: d.drive_id, partuuid: d.partuuid, is_root_device: d.is_root_device, cache_type: d.cache_type,
        is_read_only: d.socket === null ? d.is_read_only : null, path_on_host: d.path_on_host, rate_limiter: d.rate_limiter,
        io_engine: d.socket === null ? d.io_engine : null, socket: d.socket,
      };
    }
    const out: Obj = {
      drive_id: d.drive_id, path_on_host: d.path_on_host, is_root_device: d.is_root_device, partuuid: d.partuuid,
      is_read_only: d.is_read_only, cache_type: d.cache_type, rate_limiter: d.rate_limiter,
    };
    if (this.p.v1) out.io_engine = d.io_engine;
    return out;
  }

  private netJson(n: NetIface): Obj {
    const out: Obj = { iface_id: n.iface_id, host_dev_name: n.host_dev_name, guest_mac: n.guest_mac };
    if (this.p.modern) out.mtu = n.mtu;
    out.rx_rate_limiter = n.rx_rate_limiter;
    out.tx_rate_limiter = n.tx_rate_limiter;
    if (!this.p.v1) out.allow_mmds_requests = n.allow_mmds_requests;
    return out;
  }

  private fullConfigJson(): Obj {
    const r = this.r;
    const boot: Obj = r.bootSource === null
      ? { kernel_image_path: '', initrd_path: null }
      : { kernel_image_path: r.bootSource.kernel_image_path, initrd_path: r.bootSource.initrd_path };
    if (this.p.modern) boot.boot_args = r.bootSource?.boot_args ?? null;
    else if (r.bootSource?.boot_args !== undefined && r.bootSource.boot_args !== null) boot.boot_args = r.bootSource.boot_args;
    const vsock = r.vsock === null ? null : this.p.v1 ? { guest_cid: r.vsock.guest_cid, uds_path: r.vsock.uds_path } : { ...r.vsock };
    let mmds: Obj | null = null;
    if (r.mmdsConfig !== null) {
      const c = r.mmdsConfig;
      if (!this.p.v1) mmds = { ipv4_address: c.ipv4_address };
      else if (this.p.modern) mmds = { version: c.version, network_interfaces: c.network_interfaces, ipv4_address: c.ipv4_address, imds_compat: c.imds_compat };
      else mmds = { version: c.version, network_interfaces: c.network_interfaces, ipv4_address: c.ipv4_address };
    }
    const out: Obj = {
      balloon: r.balloon === null ? null : this.balloonJson(r.balloon),
      drives: r.drives.map((d) => this.driveJson(d)),
      'boot-source': boot,
    };
    if (this.p.modern) out['cpu-config'] = null;
    Object.assign(out, {
      logger: null,
      'machine-config': this.machineJson(),
      metrics: null,
      'mmds-config': mmds,
      'network-interfaces': r.nets.map((n) => this.netJson(n)),
      vsock,
    });
    if (this.p.modern) {
      out.entropy = r.entropy;
      out.pmem = r.pmem;
      out['memory-hotplug'] = r.memoryHotplug === null ? null : {
        total_size_mib: r.memoryHotplug.total_size_mib, block_size_mib: r.memoryHotplug.block_size_mib, slot_size_mib: r.memoryHotplug.slot_size_mib,
      };
    }
    return out;
  }
}

function json(value: unknown): VmmData {
  return { body: toJson(value) };
}

/** RFC 7396 JSON merge patch, as Firecracker applies PATCH /mmds. */
export function mergePatch(target: JsonValue, patch: JsonValue): JsonValue {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch) || !isPlainObject(patch)) return patch;
  const base = target !== null && typeof target === 'object' && !Array.isArray(target) && isPlainObject(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) Reflect.deleteProperty(base, k);
    else base[k] = mergePatch(base[k] ?? null, v);
  }
  return base;
}

export function cloneValue(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(cloneValue);
  if (v !== null && typeof v === 'object' && isPlainObject(v)) {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v)) out[k] = cloneValue(x);
    return out;
  }
  return v;
}

function isPlainObject(v: object): v is Record<string, JsonValue> {
  return Object.getPrototypeOf(v) === Object.prototype;
}

/** Reads a JSON body as serde_json::Value (MMDS contents). */
export function parseValue(bytes: Uint8Array): JsonValue {
  const r = new JsonReader(bytes);
  const v = r.parseValue();
  r.end();
  return v;
}
