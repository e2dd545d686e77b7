// The checks a DomainDef must pass, whether it was parsed (locations name the lines) or built
// in code (no locations). Everything here can be said about the def alone.
import { VirError } from '../errors.js';
import type { BandwidthDef, DiskDef, DomainDef, InterfaceDef, MmdsDef, RngDef } from './domain-def.js';
import { unsupported, xmlError } from './element-reader.js';
import type { Locations } from './locations.js';
import { isCanonicalMac, isMulticastMac } from './mac.js';
import { isCanonicalUuid } from './uuid.js';

/** Firecracker's limit (MAX_SUPPORTED_VCPUS). */
export const MAX_VCPUS = 32;
/** Linux's IFNAMSIZ less the terminating NUL. */
const MAX_IFNAME_BYTES = 15;

const lifecycleActions = ['destroy', 'restart'];
const diskCaches = ['default', 'none', 'writethrough', 'writeback', 'directsync', 'unsafe'];
const diskIos = ['threads', 'native', 'io_uring'];
const randomSources = ['/dev/urandom', '/dev/random'];

// The def's types say which values are possible, but a def built in JavaScript may hold anything.
function oneOf(value: unknown, allowed: readonly unknown[]): boolean {
  return allowed.includes(value);
}

function isCount(value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/;

function checkAbsolute(path: string, what: string, suffix: () => string): void {
  if (!path.startsWith('/')) {
    throw xmlError(
      `${what} '${path}' is not an absolute path: give the full path, the daemon's working directory is not yours${suffix()}`,
    );
  }
}

// Names made only of these need none of the checks below but their length.
const plainIfname = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/** Linux's rules for an interface name (dev_valid_name), for taps, bridges and guest names. */
function checkIfname(name: string, what: string, suffix: () => string): void {
  if (name.length <= MAX_IFNAME_BYTES && plainIfname.test(name)) return;
  if (name === '' || name === '.' || name === '..') throw xmlError(`${what} '${name}' is not a valid interface name${suffix()}`);
  if (Buffer.byteLength(name) > MAX_IFNAME_BYTES) {
    throw xmlError(`${what} '${name}' is too long: interface names have at most ${MAX_IFNAME_BYTES} bytes${suffix()}`);
  }
  if (/[/:\s]/.test(name) || controlCharacters.test(name)) {
    throw xmlError(`${what} '${name}' may not contain '/', ':', whitespace or control characters${suffix()}`);
  }
}

export function checkDomainDef(def: DomainDef, at: Locations): void {
  if (!oneOf(def.type, ['firecracker'])) {
    throw unsupported(`domain type '${def.type}' is not supported by this driver, only 'firecracker'`);
  }
  if (def.id !== undefined && !isCount(def.id, 0, 0x7fffffff)) throw xmlError(`invalid domain id ${String(def.id)}`);
  checkIdentity(def, at);
  checkResources(def, at);
  checkOs(def, at);
  for (const [field, value] of [['onPoweroff', def.onPoweroff], ['onReboot', def.onReboot], ['onCrash', def.onCrash]] as const) {
    if (!oneOf(value, lifecycleActions)) {
      throw unsupported(`${field} action '${value}' is not supported: Firecracker can only 'destroy' or 'restart'`);
    }
  }
  if (def.emulator !== undefined) checkAbsolute(def.emulator, 'emulator', () => at.where(def, 'emulator'));
  checkDisks(def, at);
  if (def.serial !== undefined) {
    if (!oneOf(def.serial.type, ['pty'])) throw unsupported(`serial type '${def.serial.type}' is not supported, only 'pty'${at.where(def.serial)}`);
    if (def.serial.port !== 0) throw unsupported(`serial port ${String(def.serial.port)} is not supported, only port 0: Firecracker has one serial port${at.where(def.serial)}`);
  }
  checkInterfaces(def, at);
  checkDevices(def, at);
  if (def.mmds !== undefined) checkMmds(def.mmds, def.interfaces, at);
}

function checkIdentity(def: DomainDef, at: Locations): void {
  const { name } = def;
  const suffix = (): string => at.where(def, 'name');
  if (name === '') {
    throw new VirError('VIR_ERR_NO_NAME', `<domain>: add a <name> naming the domain${suffix()}`, { domain: 'VIR_FROM_DOMAIN' });
  }
  if (name.includes('/')) throw xmlError(`name '${name}' cannot contain '/'${suffix()}`);
  if (name.startsWith('.')) throw xmlError(`name '${name}' cannot start with '.'${suffix()}`);
  if (controlCharacters.test(name)) throw xmlError(`name ${JSON.stringify(name)} cannot contain control characters${suffix()}`);
  if (!isCanonicalUuid(def.uuid)) throw xmlError(`malformed uuid '${def.uuid}': expected the dashed lowercase form${at.where(def, 'uuid')}`);
  if (def.title?.includes('\n') === true) throw xmlError(`Domain title can't contain newlines${at.where(def, 'title')}`);
}

function checkResources(def: DomainDef, at: Locations): void {
  const memory = (): string => at.where(def, 'memoryKiB');
  const current = (): string => at.where(def, 'currentMemoryKiB');
  if (!isCount(def.memoryKiB, 1)) throw xmlError(`<memory> must be a positive size, found ${String(def.memoryKiB)} KiB${memory()}`);
  if (!isCount(def.currentMemoryKiB, 1)) {
    throw xmlError(`<currentMemory> must be a positive size, found ${String(def.currentMemoryKiB)} KiB${current()}`);
  }
  if (def.currentMemoryKiB > def.memoryKiB) {
    throw xmlError(
      `<currentMemory> (${String(def.currentMemoryKiB)} KiB) is larger than <memory> (${String(def.memoryKiB)} KiB)${current()}`,
    );
  }
  if (def.currentMemoryKiB < def.memoryKiB && def.memballoon?.model !== 'virtio') {
    throw unsupported(
      `<currentMemory> below <memory> needs <memballoon model='virtio'>: Firecracker lowers a guest's memory only by inflating its balloon${current()}`,
    );
  }
  const vcpu = (): string => at.where(def, 'vcpus');
  if (!isCount(def.vcpus, 1)) throw xmlError(`<vcpu> must be at least 1, found ${String(def.vcpus)}${vcpu()}`);
  if (def.vcpus > MAX_VCPUS) {
    throw unsupported(`${String(def.vcpus)} vCPUs requested, but Firecracker supports at most ${String(MAX_VCPUS)}${vcpu()}`);
  }
  if (def.vcpuCurrent !== undefined && def.vcpuCurrent !== def.vcpus) {
    throw unsupported(
      `<vcpu current='${String(def.vcpuCurrent)}'> differs from the vCPU count ${String(def.vcpus)}: Firecracker has no vCPU hotplug${vcpu()}`,
    );
  }
  if (!oneOf(def.vcpuPlacement, [undefined, 'static', 'auto'])) {
    throw xmlError(`invalid vcpu placement '${String(def.vcpuPlacement)}', expected 'static' or 'auto'${vcpu()}`);
  }
}

function checkOs(def: DomainDef, at: Locations): void {
  const { os } = def;
  if (!oneOf(os.type, ['hvm'])) throw unsupported(`OS type '${os.type}' is not supported, only 'hvm'${at.where(os)}`);
  if (!oneOf(os.arch, ['x86_64', 'aarch64'])) {
    throw unsupported(`architecture '${os.arch}' is not supported, only 'x86_64' and 'aarch64'${at.where(os)}`);
  }
  if (os.kernel === '') {
    throw new VirError('VIR_ERR_NO_KERNEL', `Firecracker boots a kernel directly: add <kernel>/path/to/vmlinux</kernel> to <os>${at.where(os)}`, {
      domain: 'VIR_FROM_DOMAIN',
    });
  }
  checkAbsolute(os.kernel, 'kernel', () => at.where(os, 'kernel'));
  if (os.initrd !== undefined) checkAbsolute(os.initrd, 'initrd', () => at.where(os, 'initrd'));
  if (os.root !== undefined && !def.disks.some((disk) => disk.target === os.root)) {
    throw xmlError(
      `<root> names '${os.root}' but no disk has target dev='${os.root}': give the target dev of the root disk, e.g. <root>vda</root>${at.where(os, 'root')}`,
    );
  }
}

function checkDisks(def: DomainDef, at: Locations): void {
  const targets = new Map<string, DiskDef>();
  for (const disk of def.disks) {
    const name = `disk '${disk.target}'`;
    if (!oneOf(disk.type, ['file'])) throw unsupported(`${name}: disk type '${disk.type}' is not supported, only 'file'${at.where(disk)}`);
    if (!oneOf(disk.device, ['disk'])) throw unsupported(`${name}: disk device '${disk.device}' is not supported, only 'disk'${at.where(disk)}`);
    if (!oneOf(disk.bus, ['virtio'])) throw unsupported(`${name}: disk bus '${disk.bus}' is not supported, only 'virtio'${at.where(disk, 'target')}`);
    if (!/^vd[a-z]+$/.test(disk.target)) {
      throw xmlError(`disk target dev '${disk.target}' is not a virtio disk name: use vda, vdb, … vdz, vdaa, …${at.where(disk, 'target')}`);
    }
    const other = targets.get(disk.target);
    if (other !== undefined) {
      throw xmlError(`target '${disk.target}' duplicated for disk sources '${other.source}' and '${disk.source}'${at.where(disk, 'target')}`);
    }
    targets.set(disk.target, disk);
    if (disk.source === '') {
      throw new VirError('VIR_ERR_NO_SOURCE', `${disk.target}: add <source file='/path/to/disk.img'/> to the disk${at.where(disk)}`, {
        domain: 'VIR_FROM_DOMAIN',
      });
    }
    checkAbsolute(disk.source, `${name}: source file`, () => at.where(disk, 'source'));
    if (disk.driverType !== undefined && disk.driverType !== 'raw') {
      throw unsupported(
        `${name}: driver type '${disk.driverType}' is not supported: Firecracker takes raw images only (convert with qemu-img convert -O raw)${at.where(disk, 'driver')}`,
      );
    }
    if (!oneOf(disk.cache, [undefined, ...diskCaches])) throw xmlError(`${name}: unknown disk cache mode '${String(disk.cache)}'${at.where(disk, 'driver')}`);
    if (!oneOf(disk.io, [undefined, ...diskIos])) throw xmlError(`${name}: unknown disk io mode '${String(disk.io)}'${at.where(disk, 'driver')}`);
    if (typeof disk.readonly !== 'boolean') throw xmlError(`${name}: readonly must be true or false`);
    if (disk.iotune !== undefined) {
      for (const [field, value] of Object.entries(disk.iotune)) {
        if (value !== undefined && !isCount(value, 0)) throw xmlError(`${name}: iotune ${field} must be a non-negative integer${at.where(disk.iotune)}`);
      }
    }
  }
}

function checkBandwidth(rate: BandwidthDef | undefined, direction: string, name: string, at: Locations): void {
  if (rate === undefined) return;
  const suffix = (): string => at.where(rate);
  if (!isCount(rate.average, 1)) {
    throw xmlError(`${name}: ${direction} average must be at least 1 KiB/s (leave out <${direction}> for no limit)${suffix()}`);
  }
  if (rate.peak !== undefined && !isCount(rate.peak, 0)) throw xmlError(`${name}: ${direction} peak must be a non-negative integer${suffix()}`);
  if (rate.burst !== undefined && !isCount(rate.burst, 0)) throw xmlError(`${name}: ${direction} burst must be a non-negative integer${suffix()}`);
}

function checkInterfaces(def: DomainDef, at: Locations): void {
  const macs = new Map<string, InterfaceDef>();
  const taps = new Set<string>();
  const guests = new Set<string>();
  def.interfaces.forEach((net, index) => {
    const name = `interface ${String(index + 1)} (${net.type})`;
    const whole = (): string => at.where(net);
    if (!oneOf(net.type, ['ethernet', 'bridge'])) {
      throw unsupported(`interface type '${net.type}' is not supported, only 'ethernet' and 'bridge'${whole()}`);
    }
    const macAt = (): string => at.where(net, 'mac');
    if (!isCanonicalMac(net.mac)) throw xmlError(`unable to parse mac address '${net.mac}'${macAt()}`);
    if (isMulticastMac(net.mac)) throw xmlError(`expected unicast mac address, found multicast '${net.mac}'${macAt()}`);
    if (macs.has(net.mac)) throw xmlError(`${name}: mac address '${net.mac}' is already used by another interface${macAt()}`);
    macs.set(net.mac, net);
    if (net.type === 'ethernet' && net.targetDev === undefined) {
      throw xmlError(`interface type='ethernet' needs <target dev='TAP'/> naming its existing tap device${whole()}`);
    }
    if (net.type === 'bridge') {
      if (net.sourceBridge === undefined || net.sourceBridge === '') {
        throw xmlError(`interface type='bridge' needs <source bridge='BRIDGE'/> naming the host bridge${at.where(net, 'sourceBridge')}`);
      }
      checkIfname(net.sourceBridge, `${name}: source bridge`, () => at.where(net, 'sourceBridge'));
    } else if (net.sourceBridge !== undefined) {
      throw xmlError(`${name}: only a bridge interface has a source bridge${whole()}`);
    }
    if (net.targetDev !== undefined) {
      const targetAt = (): string => at.where(net, 'targetDev');
      checkIfname(net.targetDev, `${name}: target dev`, targetAt);
      if (taps.has(net.targetDev)) throw xmlError(`${name}: target dev '${net.targetDev}' is already used by another interface${targetAt()}`);
      taps.add(net.targetDev);
    }
    if (net.guestDev !== undefined) {
      const guestAt = (): string => at.where(net, 'guestDev');
      checkIfname(net.guestDev, `${name}: guest dev`, guestAt);
      if (guests.has(net.guestDev)) throw xmlError(`${name}: guest dev '${net.guestDev}' is already used by another interface${guestAt()}`);
      guests.add(net.guestDev);
    }
    if (!oneOf(net.model, [undefined, 'virtio'])) {
      throw unsupported(`interface model '${String(net.model)}' is not supported, only 'virtio'${whole()}`);
    }
    checkBandwidth(net.inbound, 'inbound', name, at);
    checkBandwidth(net.outbound, 'outbound', name, at);
  });
}

function checkDevices(def: DomainDef, at: Locations): void {
  const balloon = def.memballoon;
  if (balloon !== undefined) {
    const suffix = (): string => at.where(balloon);
    if (!oneOf(balloon.model, ['virtio', 'none'])) {
      throw unsupported(`memballoon model '${balloon.model}' is not supported, only 'virtio' or 'none'${suffix()}`);
    }
    if (balloon.model === 'none' && (balloon.autodeflate !== undefined || balloon.statsPeriod !== undefined)) {
      throw xmlError(`<memballoon model='none'> cannot have autodeflate or <stats>: there is no balloon${suffix()}`);
    }
    if (balloon.statsPeriod !== undefined && !isCount(balloon.statsPeriod, 1, 0x7fffffff)) {
      throw xmlError(`memballoon stats period must be a positive number of seconds${suffix()}`);
    }
  }
  const { vsock } = def;
  if (vsock !== undefined) {
    const suffix = (): string => at.where(vsock, 'cid');
    if (!oneOf(vsock.model, ['virtio'])) throw unsupported(`vsock model '${vsock.model}' is not supported, only 'virtio'${at.where(vsock)}`);
    if (vsock.cid !== undefined && !isCount(vsock.cid, 3, 0xffffffff)) {
      throw xmlError(`vsock cid ${String(vsock.cid)} is reserved: guest CIDs start at 3 (0-2 are the hypervisor, local and host)${suffix()}`);
    }
    if (vsock.autoCid === false && vsock.cid === undefined) {
      throw xmlError(`<cid auto='no'> needs an address: write <cid auto='no' address='3'/> or auto='yes'${suffix()}`);
    }
  }
  if (def.rng !== undefined) checkRng(def.rng, at);
}

function checkRng(rng: RngDef, at: Locations): void {
  if (!oneOf(rng.model, ['virtio'])) throw unsupported(`rng model '${rng.model}' is not supported, only 'virtio'${at.where(rng)}`);
  if (!oneOf(rng.backendModel, ['random', 'builtin'])) {
    throw unsupported(`rng backend '${rng.backendModel}' is not supported, only 'random' or 'builtin'${at.where(rng)}`);
  }
  if (rng.backendPath !== undefined && (rng.backendModel !== 'random' || !randomSources.includes(rng.backendPath))) {
    throw unsupported(
      `rng backend '${rng.backendPath}' is not supported: Firecracker's entropy device draws from the host kernel, use /dev/urandom or /dev/random${at.where(rng, 'backendPath')}`,
    );
  }
  const rate = (): string => at.where(rng, 'rate');
  if (rng.rateBytes !== undefined && !isCount(rng.rateBytes, 1)) throw xmlError(`rng rate bytes must be at least 1${rate()}`);
  if (rng.ratePeriodMs !== undefined) {
    if (rng.rateBytes === undefined) throw xmlError(`rng rate period needs a rate in bytes${rate()}`);
    if (!isCount(rng.ratePeriodMs, 1)) throw xmlError(`rng rate period must be at least 1 ms${rate()}`);
  }
}

function checkMmds(mmds: MmdsDef, interfaces: InterfaceDef[], at: Locations): void {
  const suffix = (): string => at.where(mmds);
  if (!oneOf(mmds.version, ['V1', 'V2'])) throw xmlError(`MMDS version '${mmds.version}' is unknown, expected 'V1' or 'V2'${suffix()}`);
  if (mmds.address !== undefined) {
    const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(mmds.address)?.slice(1).map(Number);
    if (octets === undefined || octets.some((octet) => octet > 255)) {
      throw xmlError(`MMDS address '${mmds.address}' is not an IPv4 address${suffix()}`);
    }
    // Firecracker's own check (RFC 3927): 169.254.1.0 to 169.254.254.255.
    if (octets[0] !== 169 || octets[1] !== 254 || octets[2] === 0 || octets[2] === 255) {
      throw unsupported(`MMDS address '${mmds.address}' is not link-local: Firecracker takes 169.254.1.0 to 169.254.254.255${suffix()}`);
    }
  }
  if (mmds.interfaces.length === 0) {
    throw xmlError(`<fc:mmds> needs at least one <fc:interface dev='…'/> naming the <guest dev> of an interface that may reach it${suffix()}`);
  }
  const seen = new Set<string>();
  mmds.interfaces.forEach((dev, index) => {
    const devAt = (): string => at.where(mmds, `interface:${String(index)}`);
    if (seen.has(dev)) throw xmlError(`MMDS interface '${dev}' is listed twice${devAt()}`);
    seen.add(dev);
    if (!interfaces.some((net) => net.guestDev === dev)) {
      throw xmlError(`MMDS interface '${dev}' does not match the <guest dev> of any interface${devAt()}`);
    }
  });
  if (mmds.data !== undefined) {
    try {
      JSON.parse(mmds.data);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw xmlError(`MMDS data is not valid JSON: ${reason}${at.where(mmds, 'data')}`);
    }
  }
}
