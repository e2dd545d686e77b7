// <vsock>: Firecracker's virtio-vsock, exposed on the host as a UNIX socket.
import type { VsockDef } from './domain-def.js';
import { child, enumAttribute, finish, switchAttribute, unsignedAttribute, unsupported, type ReadContext } from './element-reader.js';
import { where } from './locations.js';
import { readDeviceInfo } from './read-alias.js';
import type { XElement } from './xml-tree.js';

const models = ['virtio', 'virtio-transitional', 'virtio-non-transitional'] as const;

export function readVsock(element: XElement, read: ReadContext): VsockDef {
  // libvirt's drivers fill in virtio when the model is absent.
  const model = enumAttribute(element, 'model', models) ?? 'virtio';
  if (model !== 'virtio') {
    throw unsupported(`vsock model '${model}' is not supported, only 'virtio'${where(element)}`);
  }
  const vsock: VsockDef = { model };
  const cid = child(element, 'cid');
  if (cid !== undefined) {
    const auto = switchAttribute(cid, 'auto', 'yes/no');
    const address = unsignedAttribute(cid, 'address', 0xffffffff);
    if (auto !== undefined) vsock.autoCid = auto;
    if (address !== undefined) vsock.cid = address;
    finish(cid, 'vsock/cid', read);
  }
  const alias = readDeviceInfo(element, read);
  if (alias !== undefined) vsock.alias = alias;
  finish(element, 'vsock', read);
  return vsock;
}
