// <interface>: virtio-net devices on a host tap, given (type='ethernet') or created on a
// bridge by the driver (type='bridge').
import type { BandwidthDef, InterfaceDef } from './domain-def.js';
import {
  attribute,
  child,
  enumAttribute,
  finish,
  requiredAttribute,
  switchAttribute,
  unsignedAttribute,
  unsupported,
  xmlError,
  type ReadContext,
} from './element-reader.js';
import { where } from './locations.js';
import { parseMac } from './mac.js';
import { readDeviceInfo } from './read-alias.js';
import type { XElement } from './xml-tree.js';

const interfaceTypes = [
  'bridge', 'ethernet', 'vhostuser', 'network', 'direct', 'user', 'internal', 'mcast', 'client', 'udp',
  'server', 'hostdev', 'vdpa', 'dummy', 'vds', 'null',
] as const;

export function readInterface(element: XElement, read: ReadContext): InterfaceDef {
  const type = enumAttribute(element, 'type', interfaceTypes);
  if (type === undefined) {
    throw xmlError(`missing required attribute 'type' in element 'interface'${where(element)}`);
  }
  if (type !== 'ethernet' && type !== 'bridge') {
    throw unsupported(`interface type '${type}' is not supported, only 'ethernet' and 'bridge'${where(element)}`);
  }
  // The MAC is generated after parsing when absent ('' until then).
  const net: InterfaceDef = { type, mac: '' };

  const mac = child(element, 'mac');
  if (mac !== undefined) {
    const address = requiredAttribute(mac, 'address');
    const parsed = parseMac(address);
    if (parsed === undefined) throw xmlError(`unable to parse mac address '${address}'${where(mac)}`);
    net.mac = parsed;
    finish(mac, 'interface/mac', read);
  }
  if (type === 'bridge') {
    const source = child(element, 'source');
    if (source !== undefined) {
      const bridge = attribute(source, 'bridge');
      if (bridge !== undefined) net.sourceBridge = bridge;
      finish(source, 'interface/source', read);
    }
  }
  const target = child(element, 'target');
  if (target !== undefined) {
    net.targetDev = requiredAttribute(target, 'dev');
    const managed = switchAttribute(target, 'managed', 'yes/no');
    if (managed !== undefined) net.targetManaged = managed;
    finish(target, 'interface/target', read);
  }
  const guest = child(element, 'guest');
  if (guest !== undefined) {
    const dev = attribute(guest, 'dev');
    if (dev !== undefined) net.guestDev = dev;
    finish(guest, 'interface/guest', read);
  }
  const model = child(element, 'model');
  if (model !== undefined) {
    const modelType = requiredAttribute(model, 'type');
    if (modelType !== 'virtio') {
      throw unsupported(`interface model '${modelType}' is not supported, only 'virtio'${where(model)}`);
    }
    net.model = 'virtio';
    finish(model, 'interface/model', read);
  }
  const bandwidth = child(element, 'bandwidth');
  if (bandwidth !== undefined) {
    const inbound = child(bandwidth, 'inbound');
    const outbound = child(bandwidth, 'outbound');
    if (inbound !== undefined) net.inbound = readRate(inbound, read);
    if (outbound !== undefined) net.outbound = readRate(outbound, read);
    finish(bandwidth, 'bandwidth', read);
  }
  const alias = readDeviceInfo(element, read);
  if (alias !== undefined) net.alias = alias;
  finish(element, 'interface', read);
  return net;
}

function readRate(element: XElement, read: ReadContext): BandwidthDef {
  if (attribute(element, 'floor') !== undefined) {
    throw unsupported(
      `<${element.name} floor> is not supported: Firecracker's rate limiters cap traffic, they cannot guarantee a minimum${where(element)}`,
    );
  }
  const average = unsignedAttribute(element, 'average');
  if (average === undefined) {
    throw xmlError(`missing required attribute 'average' in element '${element.name}'${where(element)}`);
  }
  const rate: BandwidthDef = { average };
  const peak = unsignedAttribute(element, 'peak');
  const burst = unsignedAttribute(element, 'burst');
  if (peak !== undefined) rate.peak = peak;
  if (burst !== undefined) rate.burst = burst;
  finish(element, 'bandwidth/rate', read);
  return rate;
}
