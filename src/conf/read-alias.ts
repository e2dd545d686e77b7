// <alias name='…'/> of a device: kept on the def, written only in the live form.
import { attribute, child, finish, skipChildren, type ReadContext } from './element-reader.js';
import type { XElement } from './xml-tree.js';

/** Reads a device's <alias> and marks its <address> read: Firecracker places devices itself. */
export function readDeviceInfo(device: XElement, read: ReadContext): string | undefined {
  skipChildren(device, 'address');
  const alias = child(device, 'alias');
  if (alias === undefined) return undefined;
  const name = attribute(alias, 'name');
  finish(alias, 'alias', read);
  return name === '' ? undefined : name;
}
