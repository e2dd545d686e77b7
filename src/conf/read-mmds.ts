// <fc:mmds>: Firecracker's microVM metadata service, in fcvirt's own XML namespace.
import { FC_XML_NAMESPACE, type MmdsDef } from './domain-def.js';
import { attribute, enumAttribute, finish, requiredAttribute, xmlError, type ReadContext } from './element-reader.js';
import { where } from './locations.js';
import type { XElement } from './xml-tree.js';

const versions = ['V1', 'V2'] as const;

export function readMmds(element: XElement, read: ReadContext): MmdsDef {
  const mmds: MmdsDef = { version: enumAttribute(element, 'version', versions) ?? 'V2', interfaces: [] };
  const address = attribute(element, 'address');
  if (address !== undefined) mmds.address = address;
  let data: XElement | undefined;
  for (const part of element.children) {
    if (part.uri !== FC_XML_NAMESPACE) continue;
    if (part.local === 'interface') {
      mmds.interfaces.push(requiredAttribute(part, 'dev'));
    } else if (part.local === 'data') {
      if (data !== undefined) throw xmlError(`<${element.name}> may contain only one <${part.name}>${where(part)}`);
      data = part;
      mmds.data = part.text.trim();
    } else {
      continue;
    }
    part.used = true;
    finish(part, `mmds/${part.local}`, read);
  }
  finish(element, 'mmds', read);
  return mmds;
}
