// <devices>: what Firecracker can attach; everything else libvirt knows is refused by name.
import type { DiskDef, InterfaceDef, MemballoonDef, RngDef, SerialDef, VsockDef } from './domain-def.js';
import { finish, once, optionalText, unsupported, type ReadContext } from './element-reader.js';
import { where } from './locations.js';
import { mergeChardevs, readConsole, readSerial, type ChardevRead } from './read-chardev.js';
import { readDisk } from './read-disk.js';
import { readInterface } from './read-interface.js';
import { readMemballoon } from './read-memballoon.js';
import { readRng } from './read-rng.js';
import { readVsock } from './read-vsock.js';
import type { XElement } from './xml-tree.js';

export interface DevicesRead {
  emulator?: string;
  disks: DiskDef[];
  serial?: SerialDef;
  interfaces: InterfaceDef[];
  memballoon?: MemballoonDef;
  vsock?: VsockDef;
  rng?: RngDef;
}

export function readDevices(element: XElement, read: ReadContext): DevicesRead {
  const devices: DevicesRead = { disks: [], interfaces: [] };
  const serials: ChardevRead[] = [];
  const consoles: ChardevRead[] = [];
  let emulator: XElement | undefined;
  let memballoon: XElement | undefined;
  let vsock: XElement | undefined;
  let rng: XElement | undefined;
  for (const device of element.children) {
    if (device.uri !== '') continue;
    switch (device.local) {
      case 'emulator':
        emulator = once(emulator, device, element);
        break;
      case 'disk':
        devices.disks.push(readDisk(device, read));
        break;
      case 'serial':
        serials.push(readSerial(device, read));
        break;
      case 'console':
        consoles.push(readConsole(device, read));
        break;
      case 'interface':
        devices.interfaces.push(readInterface(device, read));
        break;
      case 'memballoon':
        memballoon = once(memballoon, device, element);
        devices.memballoon = readMemballoon(device, read);
        break;
      case 'vsock':
        vsock = once(vsock, device, element);
        devices.vsock = readVsock(device, read);
        break;
      case 'rng':
        if (rng !== undefined) {
          throw unsupported(`only one <rng> is supported: Firecracker has one entropy device${where(device)}`);
        }
        rng = device;
        devices.rng = readRng(device, read);
        break;
      default:
        continue;
    }
    device.used = true;
  }
  if (emulator !== undefined) {
    const path = optionalText(emulator);
    if (path !== undefined) devices.emulator = path;
    finish(emulator, 'emulator', read);
  }
  const serial = mergeChardevs(serials, consoles);
  if (serial !== undefined) devices.serial = serial;
  finish(element, 'devices', read);
  return devices;
}
