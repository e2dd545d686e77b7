// Where each part of a parsed DomainDef came from, so the checks that run on the finished def
// (validate-domain.ts) can still name a line. Found only when a check fails, by walking the
// element tree the way the readers did: nothing is recorded while parsing. A def built in code
// has no tree, and the same checks then speak without a location.
import { FC_XML_NAMESPACE, type DomainDef } from './domain-def.js';
import type { XElement } from './xml-tree.js';

/** " (<target> at line 12)": the suffix every located message ends with. */
export function where(element: XElement): string {
  const { line } = element.document.position(element.offset);
  return ` (<${element.name}> at line ${String(line)})`;
}

function children(parent: XElement | undefined, name: string, uri = ''): XElement[] {
  return parent === undefined ? [] : parent.children.filter((child) => child.local === name && child.uri === uri);
}

function child(parent: XElement | undefined, name: string, uri = ''): XElement | undefined {
  return children(parent, name, uri)[0];
}

// Which child element holds each field of a device (the field names of domain-def.ts).
const deviceFields: Readonly<Record<string, string>> = {
  target: 'target',
  source: 'source',
  driver: 'driver',
  mac: 'mac',
  targetDev: 'target',
  guestDev: 'guest',
  sourceBridge: 'source',
  cid: 'cid',
  backendPath: 'backend',
  rate: 'rate',
  data: 'data',
};

const domainFields: Readonly<Record<string, string>> = {
  name: 'name',
  uuid: 'uuid',
  title: 'title',
  memoryKiB: 'memory',
  currentMemoryKiB: 'currentMemory',
  vcpus: 'vcpu',
};

export class Locations {
  constructor(
    private readonly def?: DomainDef,
    private readonly root?: XElement,
  ) {}

  /** The location suffix for `owner[field]`, else for the owner itself; '' when unknown. */
  where(owner: object, field = ''): string {
    const element = this.find(owner, field);
    return element === undefined ? '' : where(element);
  }

  private find(owner: object, field: string): XElement | undefined {
    const { def, root } = this;
    if (def === undefined || root === undefined) return undefined;
    const devices = child(root, 'devices');
    const inside = (element: XElement | undefined): XElement | undefined => {
      const name = deviceFields[field];
      return (name === undefined ? undefined : child(element, name, element?.uri)) ?? element;
    };
    if (owner === def) {
      if (field === 'emulator') return child(devices, 'emulator');
      if (field === 'currentMemoryKiB') return child(root, 'currentMemory') ?? child(root, 'memory') ?? root;
      const name = domainFields[field];
      return (name === undefined ? undefined : child(root, name)) ?? root;
    }
    if (owner === def.os) {
      const os = child(root, 'os');
      return (field === '' ? undefined : child(os, field)) ?? os;
    }
    const diskIndex = def.disks.findIndex((disk) => disk === owner || disk.iotune === owner);
    if (diskIndex >= 0) {
      const disk = children(devices, 'disk')[diskIndex];
      return owner === def.disks[diskIndex]?.iotune ? child(disk, 'iotune') : inside(disk);
    }
    const netIndex = def.interfaces.findIndex((net) => net === owner || net.inbound === owner || net.outbound === owner);
    if (netIndex >= 0) {
      const net = children(devices, 'interface')[netIndex];
      const found = def.interfaces[netIndex];
      if (found !== undefined && owner !== found) {
        return child(child(net, 'bandwidth'), owner === found.inbound ? 'inbound' : 'outbound');
      }
      return inside(net);
    }
    if (owner === def.serial) return child(devices, 'serial') ?? child(devices, 'console');
    if (owner === def.memballoon) return child(devices, 'memballoon');
    if (owner === def.vsock) return inside(child(devices, 'vsock'));
    if (owner === def.rng) return inside(child(devices, 'rng'));
    if (owner === def.mmds) {
      const mmds = child(root, 'mmds', FC_XML_NAMESPACE);
      const index = /^interface:(\d+)$/.exec(field)?.[1];
      if (index !== undefined) return children(mmds, 'interface', FC_XML_NAMESPACE)[Number(index)] ?? mmds;
      return inside(mmds);
    }
    return undefined;
  }
}
