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

// The values each field may hold (undefined where it is optional). Constants, so that checking
// a def allocates nothing on the way to success.
const domainTypes = ['firecracker'];
const lifecycleActions = ['destroy', 'restart'];
const vcpuPlacements = [undefined, 'static', 'auto'];
const osTypes = ['hvm'];
const arches = ['x86_64', 'aarch64'];
const diskTypes = ['file'];
const diskDevices = ['disk'];
const diskBuses = ['virtio'];
const diskCaches = [undefined, 'default', 'none', 'writethrough', 'writeback', 'directsync', 'unsafe'];
const diskIos = [undefined, 'threads', 'native', 'io_uring'];
const serialTypes = ['pty'];
const interfaceTypes = ['ethernet', 'bridge'];
const interfaceModels = [undefined, 'virtio'];
const balloonModels = ['virtio', 'none'];
const virtioModels = ['virtio'];
const rngBackendModels = ['random', 'builtin'];
const mmdsVersions = ['V1', 'V2'];
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

// Messages, and the location suffixes they end with, are only built once a check has failed:
// checking a valid def allocates nothing.
function notAbsolute(path: string, what: string, suffix: string): VirError {
  return xmlError(`${what} '${path}' is not an absolute path: give the full path, the daemon's working directory is not yours${suffix}`);
}

// Names made only of these need none of the checks below but their length.
const plainIfname = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/**
 * Linux's rules for an interface name (dev_valid_name), for taps, bridges and guest names.
 * `name` is `net[field]`; `what` says which of its names it is, and `index` where the interface
 * is among the domain's (both only for the message).
 */
function checkIfname(name: string, what: string, net: InterfaceDef, index: number, field: string, at: Locations): void {
  if (name.length <= MAX_IFNAME_BYTES && plainIfname.test(name)) return;
  const named = `${interfaceName(net, index)}: ${what}`;
  if (name === '' || name === '.' || name === '..') throw xmlError(`${named} '${name}' is not a valid interface name${at.where(net, field)}`);
  if (Buffer.byteLength(name) > MAX_IFNAME_BYTES) {
    throw xmlError(`${named} '${name}' is too long: interface names have at most ${MAX_IFNAME_BYTES} bytes${at.where(net, field)}`);
  }
  if (/[/:\s]/.test(name) || controlCharacters.test(name)) {
    throw xmlError(`${named} '${name}' may not contain '/', ':', whitespace or control characters${at.where(net, field)}`);
  }
}

/** How messages name an interface: by its place among the domain's interfaces and its type. */
function interfaceName(net: InterfaceDef, index: number): string {
  return `interface ${String(index + 1)} (${net.type})`;
}

export function checkDomainDef(def: DomainDef, at: Locations): void {
  if (!oneOf(def.type, domainTypes)) {
    throw unsupported(`domain type '${def.type}' is not supported by this driver, only 'firecracker'`);
  }
  if (def.id !== undefined && !isCount(def.id, 0, 0x7fffffff)) throw xmlError(`invalid domain id ${String(def.id)}`);
  checkIdentity(def, at);
  checkResources(def, at);
  checkOs(def, at);
  checkLifecycle('onPoweroff', def.onPoweroff);
  checkLifecycle('onReboot', def.onReboot);
  checkLifecycle('onCrash', def.onCrash);
  if (def.emulator?.startsWith('/') === false) throw notAbsolute(def.emulator, 'emulator', at.where(def, 'emulator'));
  checkDisks(def, at);
  if (def.serial !== undefined) {
    if (!oneOf(def.serial.type, serialTypes)) throw unsupported(`serial type '${def.serial.type}' is not supported, only 'pty'${at.where(def.serial)}`);
    if (def.serial.port !== 0) throw unsupported(`serial port ${String(def.serial.port)} is not supported, only port 0: Firecracker has one serial port${at.where(def.serial)}`);
  }
  checkInterfaces(def, at);
  checkDevices(def, at);
  if (def.mmds !== undefined) checkMmds(def.mmds, def.interfaces, at);
}

function checkLifecycle(field: string, value: string): void {
  if (!oneOf(value, lifecycleActions)) {
    throw unsupported(`${field} action '${value}' is not supported: Firecracker can only 'destroy' or 'restart'`);
  }
}

function checkIdentity(def: DomainDef, at: Locations): void {
  const { name } = def;
  if (name === '') {
    throw new VirError('VIR_ERR_NO_NAME', `<domain>: add a <name> naming the domain${at.where(def, 'name')}`, { domain: 'VIR_FROM_DOMAIN' });
  }
  if (name.includes('/')) throw xmlError(`name '${name}' cannot contain '/'${at.where(def, 'name')}`);
  if (name.startsWith('.')) throw xmlError(`name '${name}' cannot start with '.'${at.where(def, 'name')}`);
  if (controlCharacters.test(name)) throw xmlError(`name ${JSON.stringify(name)} cannot contain control characters${at.where(def, 'name')}`);
  if (!isCanonicalUuid(def.uuid)) throw xmlError(`malformed uuid '${def.uuid}': expected the dashed lowercase form${at.where(def, 'uuid')}`);
  if (def.title?.includes('\n') === true) throw xmlError(`Domain title can't contain newlines${at.where(def, 'title')}`);
}

function checkResources(def: DomainDef, at: Locations): void {
  if (!isCount(def.memoryKiB, 1)) throw xmlError(`<memory> must be a positive size, found ${String(def.memoryKiB)} KiB${at.where(def, 'memoryKiB')}`);
  if (!isCount(def.currentMemoryKiB, 1)) {
    throw xmlError(`<currentMemory> must be a positive size, found ${String(def.currentMemoryKiB)} KiB${at.where(def, 'currentMemoryKiB')}`);
  }
  if (def.currentMemoryKiB > def.memoryKiB) {
    throw xmlError(
      `<currentMemory> (${String(def.currentMemoryKiB)} KiB) is larger than <memory> (${String(def.memoryKiB)} KiB)${at.where(def, 'currentMemoryKiB')}`,
    );
  }
  if (def.currentMemoryKiB < def.memoryKiB && def.memballoon?.model !== 'virtio') {
    throw unsupported(
      `<currentMemory> below <memory> needs <memballoon model='virtio'>: Firecracker lowers a guest's memory only by inflating its balloon${at.where(def, 'currentMemoryKiB')}`,
    );
  }
  if (!isCount(def.vcpus, 1)) throw xmlError(`<vcpu> must be at least 1, found ${String(def.vcpus)}${at.where(def, 'vcpus')}`);
  if (def.vcpus > MAX_VCPUS) {
    throw unsupported(`${String(def.vcpus)} vCPUs requested, but Firecracker supports at most ${String(MAX_VCPUS)}${at.where(def, 'vcpus')}`);
  }
  if (def.vcpuCurrent !== undefined && def.vcpuCurrent !== def.vcpus) {
    throw unsupported(
      `<vcpu current='${String(def.vcpuCurrent)}'> differs from the vCPU count ${String(def.vcpus)}: Firecracker has no vCPU hotplug${at.where(def, 'vcpus')}`,
    );
  }
  if (!oneOf(def.vcpuPlacement, vcpuPlacements)) {
    throw xmlError(`invalid vcpu placement '${String(def.vcpuPlacement)}', expected 'static' or 'auto'${at.where(def, 'vcpus')}`);
  }
}

function checkOs(def: DomainDef, at: Locations): void {
  const { os } = def;
  if (!oneOf(os.type, osTypes)) throw unsupported(`OS type '${os.type}' is not supported, only 'hvm'${at.where(os)}`);
  if (!oneOf(os.arch, arches)) {
    throw unsupported(`architecture '${os.arch}' is not supported, only 'x86_64' and 'aarch64'${at.where(os)}`);
  }
  if (os.kernel === '') {
    throw new VirError('VIR_ERR_NO_KERNEL', `Firecracker boots a kernel directly: add <kernel>/path/to/vmlinux</kernel> to <os>${at.where(os)}`, {
      domain: 'VIR_FROM_DOMAIN',
    });
  }
  if (!os.kernel.startsWith('/')) throw notAbsolute(os.kernel, 'kernel', at.where(os, 'kernel'));
  if (os.initrd?.startsWith('/') === false) throw notAbsolute(os.initrd, 'initrd', at.where(os, 'initrd'));
  if (os.root !== undefined && !hasDiskTarget(def.disks, os.root)) {
    throw xmlError(
      `<root> names '${os.root}' but no disk has target dev='${os.root}': give the target dev of the root disk, e.g. <root>vda</root>${at.where(os, 'root')}`,
    );
  }
}

// The first of `items` before `end` whose `key` is `value`. Devices are few: a scan of those
// already checked costs less than the map or set it would take to remember them.
function earlier<T extends object, K extends keyof T>(items: readonly T[], end: number, key: K, value: T[K]): T | undefined {
  for (let index = 0; index < end; index++) {
    const item = items[index];
    if (item !== undefined && item[key] === value) return item;
  }
  return undefined;
}

function hasDiskTarget(disks: readonly DiskDef[], target: string): boolean {
  return earlier(disks, disks.length, 'target', target) !== undefined;
}

function checkDisks(def: DomainDef, at: Locations): void {
  const { disks } = def;
  for (let index = 0; index < disks.length; index++) {
    const disk = disks[index];
    if (disk === undefined) continue;
    if (!oneOf(disk.type, diskTypes)) throw unsupported(`disk '${disk.target}': disk type '${disk.type}' is not supported, only 'file'${at.where(disk)}`);
    if (!oneOf(disk.device, diskDevices)) throw unsupported(`disk '${disk.target}': disk device '${disk.device}' is not supported, only 'disk'${at.where(disk)}`);
    if (!oneOf(disk.bus, diskBuses)) throw unsupported(`disk '${disk.target}': disk bus '${disk.bus}' is not supported, only 'virtio'${at.where(disk, 'target')}`);
    if (!/^vd[a-z]+$/.test(disk.target)) {
      throw xmlError(`disk target dev '${disk.target}' is not a virtio disk name: use vda, vdb, … vdz, vdaa, …${at.where(disk, 'target')}`);
    }
    const other = earlier(disks, index, 'target', disk.target);
    if (other !== undefined) {
      throw xmlError(`target '${disk.target}' duplicated for disk sources '${other.source}' and '${disk.source}'${at.where(disk, 'target')}`);
    }
    if (disk.source === '') {
      throw new VirError('VIR_ERR_NO_SOURCE', `${disk.target}: add <source file='/path/to/disk.img'/> to the disk${at.where(disk)}`, {
        domain: 'VIR_FROM_DOMAIN',
      });
    }
    if (!disk.source.startsWith('/')) throw notAbsolute(disk.source, `disk '${disk.target}': source file`, at.where(disk, 'source'));
    if (disk.driverType !== undefined && disk.driverType !== 'raw') {
      throw unsupported(
        `disk '${disk.target}': driver type '${disk.driverType}' is not supported: Firecracker takes raw images only (convert with qemu-img convert -O raw)${at.where(disk, 'driver')}`,
      );
    }
    if (!oneOf(disk.cache, diskCaches)) throw xmlError(`disk '${disk.target}': unknown disk cache mode '${String(disk.cache)}'${at.where(disk, 'driver')}`);
    if (!oneOf(disk.io, diskIos)) throw xmlError(`disk '${disk.target}': unknown disk io mode '${String(disk.io)}'${at.where(disk, 'driver')}`);
    if (typeof disk.readonly !== 'boolean') throw xmlError(`disk '${disk.target}': readonly must be true or false`);
    if (disk.iotune !== undefined) {
      for (const [field, value] of Object.entries(disk.iotune)) {
        if (value !== undefined && !isCount(value, 0)) throw xmlError(`disk '${disk.target}': iotune ${field} must be a non-negative integer${at.where(disk.iotune)}`);
      }
    }
  }
}

function checkBandwidth(rate: BandwidthDef | undefined, direction: string, net: InterfaceDef, index: number, at: Locations): void {
  if (rate === undefined) return;
  if (!isCount(rate.average, 1)) {
    throw xmlError(`${interfaceName(net, index)}: ${direction} average must be at least 1 KiB/s (leave out <${direction}> for no limit)${at.where(rate)}`);
  }
  if (rate.peak !== undefined && !isCount(rate.peak, 0)) throw xmlError(`${interfaceName(net, index)}: ${direction} peak must be a non-negative integer${at.where(rate)}`);
  if (rate.burst !== undefined && !isCount(rate.burst, 0)) throw xmlError(`${interfaceName(net, index)}: ${direction} burst must be a non-negative integer${at.where(rate)}`);
}

function checkInterfaces(def: DomainDef, at: Locations): void {
  const { interfaces } = def;
  for (let index = 0; index < interfaces.length; index++) {
    const net = interfaces[index];
    if (net === undefined) continue;
    if (!oneOf(net.type, interfaceTypes)) {
      throw unsupported(`interface type '${net.type}' is not supported, only 'ethernet' and 'bridge'${at.where(net)}`);
    }
    if (!isCanonicalMac(net.mac)) throw xmlError(`unable to parse mac address '${net.mac}'${at.where(net, 'mac')}`);
    if (isMulticastMac(net.mac)) throw xmlError(`expected unicast mac address, found multicast '${net.mac}'${at.where(net, 'mac')}`);
    if (earlier(interfaces, index, 'mac', net.mac) !== undefined) {
      throw xmlError(`${interfaceName(net, index)}: mac address '${net.mac}' is already used by another interface${at.where(net, 'mac')}`);
    }
    if (net.type === 'ethernet' && net.targetDev === undefined) {
      throw xmlError(`interface type='ethernet' needs <target dev='TAP'/> naming its existing tap device${at.where(net)}`);
    }
    if (net.type === 'bridge') {
      if (net.sourceBridge === undefined || net.sourceBridge === '') {
        throw xmlError(`interface type='bridge' needs <source bridge='BRIDGE'/> naming the host bridge${at.where(net, 'sourceBridge')}`);
      }
      checkIfname(net.sourceBridge, 'source bridge', net, index, 'sourceBridge', at);
    } else if (net.sourceBridge !== undefined) {
      throw xmlError(`${interfaceName(net, index)}: only a bridge interface has a source bridge${at.where(net)}`);
    }
    if (net.targetDev !== undefined) {
      checkIfname(net.targetDev, 'target dev', net, index, 'targetDev', at);
      if (earlier(interfaces, index, 'targetDev', net.targetDev) !== undefined) {
        throw xmlError(`${interfaceName(net, index)}: target dev '${net.targetDev}' is already used by another interface${at.where(net, 'targetDev')}`);
      }
    }
    if (net.guestDev !== undefined) {
      checkIfname(net.guestDev, 'guest dev', net, index, 'guestDev', at);
      if (earlier(interfaces, index, 'guestDev', net.guestDev) !== undefined) {
        throw xmlError(`${interfaceName(net, index)}: guest dev '${net.guestDev}' is already used by another interface${at.where(net, 'guestDev')}`);
      }
    }
    if (!oneOf(net.model, interfaceModels)) {
      throw unsupported(`interface model '${String(net.model)}' is not supported, only 'virtio'${at.where(net)}`);
    }
    checkBandwidth(net.inbound, 'inbound', net, index, at);
    checkBandwidth(net.outbound, 'outbound', net, index, at);
  }
}

function checkDevices(def: DomainDef, at: Locations): void {
  const balloon = def.memballoon;
  if (balloon !== undefined) {
    if (!oneOf(balloon.model, balloonModels)) {
      throw unsupported(`memballoon model '${balloon.model}' is not supported, only 'virtio' or 'none'${at.where(balloon)}`);
    }
    if (balloon.model === 'none' && (balloon.autodeflate !== undefined || balloon.statsPeriod !== undefined)) {
      throw xmlError(`<memballoon model='none'> cannot have autodeflate or <stats>: there is no balloon${at.where(balloon)}`);
    }
    if (balloon.statsPeriod !== undefined && !isCount(balloon.statsPeriod, 1, 0x7fffffff)) {
      throw xmlError(`memballoon stats period must be a positive number of seconds${at.where(balloon)}`);
    }
  }
  const { vsock } = def;
  if (vsock !== undefined) {
    if (!oneOf(vsock.model, virtioModels)) throw unsupported(`vsock model '${vsock.model}' is not supported, only 'virtio'${at.where(vsock)}`);
    if (vsock.cid !== undefined && !isCount(vsock.cid, 3, 0xffffffff)) {
      throw xmlError(`vsock cid ${String(vsock.cid)} is reserved: guest CIDs start at 3 (0-2 are the hypervisor, local and host)${at.where(vsock, 'cid')}`);
    }
    if (vsock.autoCid === false && vsock.cid === undefined) {
      throw xmlError(`<cid auto='no'> needs an address: write <cid auto='no' address='3'/> or auto='yes'${at.where(vsock, 'cid')}`);
    }
  }
  if (def.rng !== undefined) checkRng(def.rng, at);
}

function checkRng(rng: RngDef, at: Locations): void {
  if (!oneOf(rng.model, virtioModels)) throw unsupported(`rng model '${rng.model}' is not supported, only 'virtio'${at.where(rng)}`);
  if (!oneOf(rng.backendModel, rngBackendModels)) {
    throw unsupported(`rng backend '${rng.backendModel}' is not supported, only 'random' or 'builtin'${at.where(rng)}`);
  }
  if (rng.backendPath !== undefined && (rng.backendModel !== 'random' || !randomSources.includes(rng.backendPath))) {
    throw unsupported(
      `rng backend '${rng.backendPath}' is not supported: Firecracker's entropy device draws from the host kernel, use /dev/urandom or /dev/random${at.where(rng, 'backendPath')}`,
    );
  }
  if (rng.rateBytes !== undefined && !isCount(rng.rateBytes, 1)) throw xmlError(`rng rate bytes must be at least 1${at.where(rng, 'rate')}`);
  if (rng.ratePeriodMs !== undefined) {
    if (rng.rateBytes === undefined) throw xmlError(`rng rate period needs a rate in bytes${at.where(rng, 'rate')}`);
    if (!isCount(rng.ratePeriodMs, 1)) throw xmlError(`rng rate period must be at least 1 ms${at.where(rng, 'rate')}`);
  }
}

function checkMmds(mmds: MmdsDef, interfaces: InterfaceDef[], at: Locations): void {
  if (!oneOf(mmds.version, mmdsVersions)) throw xmlError(`MMDS version '${mmds.version}' is unknown, expected 'V1' or 'V2'${at.where(mmds)}`);
  if (mmds.address !== undefined) {
    const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(mmds.address)?.slice(1).map(Number);
    if (octets === undefined || octets.some((octet) => octet > 255)) {
      throw xmlError(`MMDS address '${mmds.address}' is not an IPv4 address${at.where(mmds)}`);
    }
    // Firecracker's own check (RFC 3927): 169.254.1.0 to 169.254.254.255.
    if (octets[0] !== 169 || octets[1] !== 254 || octets[2] === 0 || octets[2] === 255) {
      throw unsupported(`MMDS address '${mmds.address}' is not link-local: Firecracker takes 169.254.1.0 to 169.254.254.255${at.where(mmds)}`);
    }
  }
  if (mmds.interfaces.length === 0) {
    throw xmlError(`<fc:mmds> needs at least one <fc:interface dev='…'/> naming the <guest dev> of an interface that may reach it${at.where(mmds)}`);
  }
  mmds.interfaces.forEach((dev, index) => {
    const devAt = (): string => at.where(mmds, `interface:${String(index)}`);
    if (mmds.interfaces.indexOf(dev) < index) throw xmlError(`MMDS interface '${dev}' is listed twice${devAt()}`);
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
