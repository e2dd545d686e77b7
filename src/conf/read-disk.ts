// <disk>: file-backed virtio disks, the only kind Firecracker attaches.
import { VirError } from '../errors.js';
import type { DiskCache, DiskDef, DiskIo, DiskIoTune } from './domain-def.js';
import {
  attribute,
  child,
  enumAttribute,
  finish,
  unsignedText,
  unsupported,
  xmlError,
  type ReadContext,
} from './element-reader.js';
import { where } from './locations.js';
import { readDeviceInfo } from './read-alias.js';
import type { XElement } from './xml-tree.js';

// libvirt's spellings; which of them Firecracker takes is decided below or in the plan.
const diskTypes = ['file', 'block', 'dir', 'network', 'volume', 'nvme', 'vhostuser'] as const;
const diskDevices = ['disk', 'cdrom', 'floppy', 'lun'] as const;
const buses = ['ide', 'fdc', 'scsi', 'virtio', 'xen', 'usb', 'uml', 'sata', 'sd', 'nvme'] as const;
const caches: readonly DiskCache[] = ['default', 'none', 'writethrough', 'writeback', 'directsync', 'unsafe'];
const ios: readonly DiskIo[] = ['threads', 'native', 'io_uring'];

// The bus libvirt infers from a target name when <target bus> is absent.
const busByPrefix: readonly [string, string][] = [
  ['vd', 'virtio'], ['sd', 'scsi'], ['hd', 'ide'], ['xvd', 'xen'], ['fd', 'fdc'], ['ubd', 'uml'],
];

const iotuneFields: Readonly<Record<string, keyof DiskIoTune>> = {
  total_bytes_sec: 'totalBytesSec',
  total_iops_sec: 'totalIopsSec',
  total_bytes_sec_max: 'totalBytesSecMax',
  total_iops_sec_max: 'totalIopsSecMax',
  total_bytes_sec_max_length: 'totalBytesSecMaxLength',
  total_iops_sec_max_length: 'totalIopsSecMaxLength',
};

export function readDisk(element: XElement, read: ReadContext): DiskDef {
  const type = enumAttribute(element, 'type', diskTypes) ?? 'file';
  const device = enumAttribute(element, 'device', diskDevices) ?? 'disk';

  const target = child(element, 'target');
  const source = child(element, 'source');
  const sourcePath = source === undefined ? undefined : attribute(source, 'file');
  const dev = target === undefined ? undefined : attribute(target, 'dev');
  if (target === undefined || dev === undefined || dev === '') {
    throw new VirError(
      'VIR_ERR_NO_TARGET',
      `${sourcePath ?? '<disk>'}: add <target dev='vda' bus='virtio'/>${where(target ?? element)}`,
      { domain: 'VIR_FROM_DOMAIN' },
    );
  }
  const name = `disk '${dev}'`;
  if (type !== 'file') {
    throw unsupported(`${name}: disk type '${type}' is not supported, only 'file'${where(element)}`);
  }
  if (device !== 'disk') {
    throw unsupported(`${name}: disk device '${device}' is not supported, only 'disk'${where(element)}`);
  }
  const bus = enumAttribute(target, 'bus', buses) ?? busByPrefix.find(([prefix]) => dev.startsWith(prefix))?.[1];
  if (bus !== 'virtio') {
    throw unsupported(
      bus === undefined
        ? `${name}: cannot tell the bus from target dev '${dev}': name virtio disks vda, vdb, …${where(target)}`
        : `${name}: disk bus '${bus}' is not supported, only 'virtio'${where(target)}`,
    );
  }
  finish(target, 'disk/target', read);

  if (source === undefined || sourcePath === undefined || sourcePath === '') {
    throw new VirError(
      'VIR_ERR_NO_SOURCE',
      `${dev}: add <source file='/path/to/disk.img'/> to the disk${where(source ?? element)}`,
      { domain: 'VIR_FROM_DOMAIN' },
    );
  }
  finish(source, 'disk/source', read);

  const disk: DiskDef = { type: 'file', device: 'disk', source: sourcePath, target: dev, bus: 'virtio', readonly: false };
  const driver = child(element, 'driver');
  if (driver !== undefined) {
    const driverName = attribute(driver, 'name');
    const driverType = attribute(driver, 'type');
    const cache = enumAttribute(driver, 'cache', caches);
    const io = enumAttribute(driver, 'io', ios);
    if (driverName !== undefined) disk.driverName = driverName;
    if (driverType !== undefined) disk.driverType = driverType;
    if (cache !== undefined) disk.cache = cache;
    if (io !== undefined) disk.io = io;
    finish(driver, 'disk/driver', read);
  }
  const readonly = child(element, 'readonly');
  if (readonly !== undefined) {
    disk.readonly = true;
    finish(readonly, 'readonly', read);
  }
  const iotune = child(element, 'iotune');
  if (iotune !== undefined) {
    const tune = readIoTune(iotune, name, read);
    if (Object.keys(tune).length > 0) disk.iotune = tune;
  }
  const alias = readDeviceInfo(element, read);
  if (alias !== undefined) disk.alias = alias;
  finish(element, 'disk', read);

  return disk;
}

function readIoTune(element: XElement, name: string, read: ReadContext): DiskIoTune {
  const tune: DiskIoTune = {};
  const seen = new Set<string>();
  for (const limit of element.children) {
    if (limit.uri !== '') continue;
    const field = iotuneFields[limit.local];
    if (field === undefined) {
      if (/^(read|write)_/.test(limit.local)) {
        const total = limit.local.replace(/^(read|write)_/, 'total_');
        throw unsupported(
          `${name}: <${limit.name}> is not supported: Firecracker limits reads and writes together, use <${total}>${where(limit)}`,
        );
      }
      continue;
    }
    if (seen.has(limit.local)) {
      throw xmlError(`${name}: <iotune> may contain only one <${limit.name}>${where(limit)}`);
    }
    seen.add(limit.local);
    limit.used = true;
    const value = unsignedText(limit);
    // libvirt reads 0 as "no limit" and does not write it back.
    if (value > 0) tune[field] = value;
    finish(limit, 'iotune/limit', read);
  }
  finish(element, 'iotune', read);
  return tune;
}
