// <serial> and <console>: Firecracker has one serial port, wired to a pty. A console that
// mirrors the serial port (target type 'serial', port 0) is the same device, as in libvirt.
import type { SerialDef } from './domain-def.js';
import {
  attribute,
  child,
  enumAttribute,
  finish,
  unsignedAttribute,
  unsupported,
  type ReadContext,
} from './element-reader.js';
import { where } from './locations.js';
import { readDeviceInfo } from './read-alias.js';
import type { XElement } from './xml-tree.js';

const chardevTypes = [
  'dev', 'file', 'pipe', 'unix', 'tcp', 'udp', 'null', 'stdio', 'vc', 'pty', 'spicevmc', 'spiceport',
  'nmdm', 'qemu-vdagent', 'dbus',
] as const;
const consoleTargetTypes = ['xen', 'serial', 'uml', 'virtio', 'lxc', 'openvz', 'sclp', 'sclplm'] as const;

export interface ChardevRead {
  serial: SerialDef;
  element: XElement;
}

function readChardev(element: XElement, kind: 'serial' | 'console', read: ReadContext): ChardevRead {
  // libvirt reads a character device without a type as a pty.
  const type = enumAttribute(element, 'type', chardevTypes) ?? 'pty';
  if (type !== 'pty') {
    throw unsupported(`${kind} type '${type}' is not supported, only 'pty'${where(element)}`);
  }
  // tty='…' repeats the pty path of a running domain's console; the <source path> is what counts.
  attribute(element, 'tty');
  const serial: SerialDef = { type: 'pty', port: 0 };
  const source = child(element, 'source');
  if (source !== undefined) {
    const path = attribute(source, 'path');
    if (path !== undefined && path !== '') serial.sourcePath = path;
    finish(source, 'chardev/source', read);
  }
  const target = child(element, 'target');
  if (target !== undefined) {
    if (kind === 'console') {
      const targetType = enumAttribute(target, 'type', consoleTargetTypes);
      if (targetType !== undefined && targetType !== 'serial') {
        throw unsupported(
          `console target type '${targetType}' is not supported: Firecracker's console is its serial port, use <target type='serial'/>${where(target)}`,
        );
      }
    }
    const port = unsignedAttribute(target, 'port', 0xffffffff);
    if (port !== undefined && port !== 0) {
      throw unsupported(`${kind} port ${port} is not supported, only port 0: Firecracker has one serial port${where(target)}`);
    }
    finish(target, 'chardev/target', read);
  }
  const alias = readDeviceInfo(element, read);
  if (alias !== undefined) serial.alias = alias;
  finish(element, 'chardev', read);
  return { serial, element };
}

export function readSerial(element: XElement, read: ReadContext): ChardevRead {
  return readChardev(element, 'serial', read);
}

export function readConsole(element: XElement, read: ReadContext): ChardevRead {
  return readChardev(element, 'console', read);
}

/**
 * The one serial port from the <serial> and <console> elements read: a console mirrors the
 * serial port, and a lone console becomes it, as libvirt does for hvm guests.
 */
export function mergeChardevs(serials: ChardevRead[], consoles: ChardevRead[]): SerialDef | undefined {
  const extraSerial = serials[1];
  if (extraSerial !== undefined) {
    throw unsupported(`only one <serial> is supported: Firecracker has one serial port${where(extraSerial.element)}`);
  }
  const extraConsole = consoles[1];
  if (extraConsole !== undefined) {
    throw unsupported(`only one <console> is supported: Firecracker has one serial port${where(extraConsole.element)}`);
  }
  const serial = serials[0]?.serial;
  const console = consoles[0]?.serial;
  if (serial === undefined) return console;
  if (console !== undefined) {
    if (serial.sourcePath === undefined && console.sourcePath !== undefined) serial.sourcePath = console.sourcePath;
    if (serial.alias === undefined && console.alias !== undefined) serial.alias = console.alias;
  }
  return serial;
}
