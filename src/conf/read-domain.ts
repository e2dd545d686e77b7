// The <domain> element: what Firecracker can honour becomes a DomainDef; what libvirt knows and
// Firecracker cannot is refused by name.
import { VirError } from '../errors.js';
import { FC_XML_NAMESPACE, type DomainDef, type LifecycleAction } from './domain-def.js';
import {
  attribute,
  finish,
  once,
  optionalText,
  unsignedAttribute,
  unsignedText,
  unsupported,
  xmlError,
  type ReadContext,
} from './element-reader.js';
import { where } from './locations.js';
import { readDevices } from './read-devices.js';
import { readMetadata } from './read-metadata.js';
import { readMmds } from './read-mmds.js';
import { readOs } from './read-os.js';
import { parseScaledKiB } from './scaled-size.js';
import { parseUuid } from './uuid.js';
import type { XElement } from './xml-tree.js';

/** libvirt's lifecycle actions; Firecracker can only let the domain go or start it again. */
const lifecycleValues: Readonly<Record<'on_poweroff' | 'on_reboot' | 'on_crash', readonly string[]>> = {
  on_poweroff: ['destroy', 'restart', 'preserve', 'rename-restart'],
  on_reboot: ['destroy', 'restart', 'preserve', 'rename-restart'],
  on_crash: ['destroy', 'restart', 'preserve', 'rename-restart', 'coredump-destroy', 'coredump-restart'],
};

const clockOffsets = ['utc', 'localtime', 'timezone', 'variable', 'absolute'];

/** A DomainDef as read, before defaults are filled in: the uuid is '' when absent, and so are MACs. */
export function readDomain(root: XElement, read: ReadContext): DomainDef {
  if (root.local !== 'domain' || root.uri !== '') {
    throw xmlError(`unexpected root element <${root.name}>, expecting <domain>${where(root)}`);
  }
  const type = attribute(root, 'type');
  if (type === undefined) {
    throw xmlError(`missing domain type attribute: write <domain type='firecracker'>${where(root)}`);
  }
  if (type !== 'firecracker') {
    throw unsupported(`domain type '${type}' is not supported by this driver, only 'firecracker'${where(root)}`);
  }
  const id = unsignedAttribute(root, 'id', 0x7fffffff);

  // Every key present from the start, and each set by name (a switch, not a computed key):
  // one shape and plain property stores, however many parts the domain has.
  const parts: Parts = {
    name: undefined, uuid: undefined, title: undefined, description: undefined, metadata: undefined,
    memory: undefined, currentMemory: undefined, vcpu: undefined, os: undefined, clock: undefined,
    on_poweroff: undefined, on_reboot: undefined, on_crash: undefined, devices: undefined, mmds: undefined,
  };
  for (const element of root.children) {
    if (element.uri === '') {
      if (!takePart(parts, element, root)) continue;
    } else if (element.uri === FC_XML_NAMESPACE && element.local === 'mmds') {
      parts.mmds = once(parts.mmds, element, root);
    } else {
      continue;
    }
    element.used = true;
  }
  finish(root, 'domain', read);
  // Elements that only hold text have nothing of their own to read, but schema validation
  // still refuses what libvirt would not allow on them.
  finishLeaf(parts.name, 'name', read);
  finishLeaf(parts.uuid, 'uuid', read);
  finishLeaf(parts.title, 'title', read);
  finishLeaf(parts.description, 'description', read);
  finishLeaf(parts.on_poweroff, 'on_poweroff', read);
  finishLeaf(parts.on_reboot, 'on_reboot', read);
  finishLeaf(parts.on_crash, 'on_crash', read);

  const name = optionalText(parts.name);
  if (name === undefined) {
    throw new VirError('VIR_ERR_NO_NAME', `<domain>: add a <name> naming the domain${where(parts.name ?? root)}`, {
      domain: 'VIR_FROM_DOMAIN',
    });
  }
  let uuid = '';
  // An empty <uuid/> is as good as none, as libvirt reads it: one is generated.
  if (parts.uuid !== undefined && parts.uuid.text !== '') {
    const parsed = parseUuid(parts.uuid.text);
    if (parsed === undefined) throw xmlError(`malformed uuid element '${parts.uuid.text}'${where(parts.uuid)}`);
    uuid = parsed;
  }
  if (parts.memory === undefined) {
    throw xmlError(`missing <memory>: give the guest's memory size, e.g. <memory unit='MiB'>512</memory>${where(root)}`);
  }
  const memoryKiB = readSize(parts.memory, read);
  const currentMemoryKiB = parts.currentMemory === undefined ? memoryKiB : readSize(parts.currentMemory, read);
  if (parts.os === undefined) {
    throw new VirError('VIR_ERR_NO_OS', `<domain>: add <os> with <type>hvm</type> and <kernel>${where(root)}`, {
      domain: 'VIR_FROM_DOMAIN',
    });
  }
  const os = readOs(parts.os, read);
  if (parts.clock !== undefined) readClock(parts.clock, read);
  const devices = parts.devices === undefined ? { disks: [], interfaces: [] } : readDevices(parts.devices, read);

  const def: DomainDef = {
    type: 'firecracker',
    name,
    uuid,
    memoryKiB,
    currentMemoryKiB,
    vcpus: 1,
    os,
    onPoweroff: readLifecycle(parts.on_poweroff, 'on_poweroff', 'destroy'),
    onReboot: readLifecycle(parts.on_reboot, 'on_reboot', 'restart'),
    onCrash: readLifecycle(parts.on_crash, 'on_crash', 'destroy'),
    disks: devices.disks,
    interfaces: devices.interfaces,
  };
  if (id !== undefined) def.id = id;
  const title = optionalText(parts.title);
  if (title !== undefined) def.title = title;
  const description = optionalText(parts.description);
  if (description !== undefined) def.description = description;
  if (parts.metadata !== undefined) def.metadata = readMetadata(parts.metadata, root);
  if (parts.vcpu !== undefined) readVcpu(parts.vcpu, def, read);
  if (devices.emulator !== undefined) def.emulator = devices.emulator;
  if (devices.serial !== undefined) def.serial = devices.serial;
  if (devices.memballoon !== undefined) def.memballoon = devices.memballoon;
  if (devices.vsock !== undefined) def.vsock = devices.vsock;
  if (devices.rng !== undefined) def.rng = devices.rng;
  if (parts.mmds !== undefined) def.mmds = readMmds(parts.mmds, read);
  return def;
}

/** The elements of <domain> that may occur once, by name (mmds is <fc:mmds>). */
interface Parts {
  name: XElement | undefined;
  uuid: XElement | undefined;
  title: XElement | undefined;
  description: XElement | undefined;
  metadata: XElement | undefined;
  memory: XElement | undefined;
  currentMemory: XElement | undefined;
  vcpu: XElement | undefined;
  os: XElement | undefined;
  clock: XElement | undefined;
  on_poweroff: XElement | undefined;
  on_reboot: XElement | undefined;
  on_crash: XElement | undefined;
  devices: XElement | undefined;
  mmds: XElement | undefined;
}

/** Files an unprefixed child of <domain> under its name; false when it is not one of the parts. */
function takePart(parts: Parts, element: XElement, root: XElement): boolean {
  switch (element.local) {
    case 'name': parts.name = once(parts.name, element, root); return true;
    case 'uuid': parts.uuid = once(parts.uuid, element, root); return true;
    case 'title': parts.title = once(parts.title, element, root); return true;
    case 'description': parts.description = once(parts.description, element, root); return true;
    case 'metadata': parts.metadata = once(parts.metadata, element, root); return true;
    case 'memory': parts.memory = once(parts.memory, element, root); return true;
    case 'currentMemory': parts.currentMemory = once(parts.currentMemory, element, root); return true;
    case 'vcpu': parts.vcpu = once(parts.vcpu, element, root); return true;
    case 'os': parts.os = once(parts.os, element, root); return true;
    case 'clock': parts.clock = once(parts.clock, element, root); return true;
    case 'on_poweroff': parts.on_poweroff = once(parts.on_poweroff, element, root); return true;
    case 'on_reboot': parts.on_reboot = once(parts.on_reboot, element, root); return true;
    case 'on_crash': parts.on_crash = once(parts.on_crash, element, root); return true;
    case 'devices': parts.devices = once(parts.devices, element, root); return true;
    default: return false;
  }
}

function finishLeaf(element: XElement | undefined, context: string, read: ReadContext): void {
  if (element !== undefined) finish(element, context, read);
}

function readSize(element: XElement, read: ReadContext): number {
  const kib = parseScaledKiB(element.text, attribute(element, 'unit'), `<${element.name}>`, () => where(element));
  finish(element, element.local, read);
  return kib;
}

function readVcpu(element: XElement, def: DomainDef, read: ReadContext): void {
  def.vcpus = unsignedText(element, 0xffffffff);
  const placement = attribute(element, 'placement');
  if (placement !== undefined) {
    if (placement !== 'static' && placement !== 'auto') {
      throw xmlError(
        `invalid value for attribute 'placement' in element 'vcpu': '${placement}', expected 'static' or 'auto'${where(element)}`,
      );
    }
    def.vcpuPlacement = placement;
  }
  const current = unsignedAttribute(element, 'current', 0xffffffff);
  if (current !== undefined) def.vcpuCurrent = current;
  finish(element, 'vcpu', read);
}

function readClock(element: XElement, read: ReadContext): void {
  const offset = attribute(element, 'offset');
  if (offset !== undefined && offset !== 'utc') {
    if (!clockOffsets.includes(offset)) {
      throw xmlError(
        `invalid value for attribute 'offset' in element 'clock': '${offset}', expected 'utc'${where(element)}`,
      );
    }
    throw unsupported(`clock offset '${offset}' is not supported, only 'utc': a Firecracker guest's clock runs in UTC${where(element)}`);
  }
  finish(element, 'clock', read);
}

function readLifecycle(
  element: XElement | undefined,
  name: 'on_poweroff' | 'on_reboot' | 'on_crash',
  fallback: LifecycleAction,
): LifecycleAction {
  if (element === undefined) return fallback;
  const value = element.text.trim();
  if (value === 'destroy' || value === 'restart') return value;
  if (lifecycleValues[name].includes(value)) {
    throw unsupported(
      `<${name}> action '${value}' is not supported: Firecracker can only 'destroy' or 'restart'${where(element)}`,
    );
  }
  throw xmlError(`unknown <${name}> action '${value}', expected 'destroy' or 'restart'${where(element)}`);
}
