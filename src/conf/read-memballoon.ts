// <memballoon>: Firecracker's virtio balloon, or none.
import type { MemballoonDef } from './domain-def.js';
import { child, enumAttribute, finish, switchAttribute, unsignedAttribute, unsupported, xmlError, type ReadContext } from './element-reader.js';
import { where } from './locations.js';
import { readDeviceInfo } from './read-alias.js';
import type { XElement } from './xml-tree.js';

const models = ['virtio', 'virtio-transitional', 'virtio-non-transitional', 'xen', 'none'] as const;

export function readMemballoon(element: XElement, read: ReadContext): MemballoonDef {
  const model = enumAttribute(element, 'model', models);
  if (model === undefined) {
    throw xmlError(`missing required attribute 'model' in element 'memballoon': use 'virtio' or 'none'${where(element)}`);
  }
  if (model !== 'virtio' && model !== 'none') {
    throw unsupported(`memballoon model '${model}' is not supported, only 'virtio' or 'none'${where(element)}`);
  }
  const balloon: MemballoonDef = { model };
  const autodeflate = switchAttribute(element, 'autodeflate', 'on/off');
  if (autodeflate !== undefined) balloon.autodeflate = autodeflate;
  const stats = child(element, 'stats');
  if (stats !== undefined) {
    const period = unsignedAttribute(stats, 'period', 0x7fffffff);
    if (period === undefined) {
      throw xmlError(`missing required attribute 'period' in element 'stats'${where(stats)}`);
    }
    // libvirt reads a period of 0 as "no statistics" and does not write it back.
    if (period > 0) balloon.statsPeriod = period;
    finish(stats, 'memballoon/stats', read);
  }
  const alias = readDeviceInfo(element, read);
  if (alias !== undefined) balloon.alias = alias;
  finish(element, 'memballoon', read);
  return balloon;
}
