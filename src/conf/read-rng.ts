// <rng>: Firecracker's virtio entropy device.
import type { RngDef } from './domain-def.js';
import {
  child,
  enumAttribute,
  finish,
  optionalText,
  unsignedAttribute,
  unsupported,
  xmlError,
  type ReadContext,
} from './element-reader.js';
import { where } from './locations.js';
import { readDeviceInfo } from './read-alias.js';
import type { XElement } from './xml-tree.js';

const models = ['virtio', 'virtio-transitional', 'virtio-non-transitional'] as const;
const backends = ['random', 'egd', 'builtin'] as const;

export function readRng(element: XElement, read: ReadContext): RngDef {
  const model = enumAttribute(element, 'model', models);
  if (model === undefined) {
    throw xmlError(`missing required attribute 'model' in element 'rng': use 'virtio'${where(element)}`);
  }
  if (model !== 'virtio') {
    throw unsupported(`rng model '${model}' is not supported, only 'virtio'${where(element)}`);
  }
  const backend = child(element, 'backend');
  if (backend === undefined) {
    throw xmlError(`<rng> needs a <backend>: write <backend model='random'>/dev/urandom</backend>${where(element)}`);
  }
  const backendModel = enumAttribute(backend, 'model', backends);
  if (backendModel === undefined) {
    throw xmlError(`missing required attribute 'model' in element 'backend'${where(backend)}`);
  }
  if (backendModel === 'egd') {
    throw unsupported(
      `rng backend 'egd' is not supported: Firecracker's entropy device draws from the host kernel, use model='random' or 'builtin'${where(backend)}`,
    );
  }
  const rng: RngDef = { model, backendModel };
  if (backendModel === 'random') {
    const path = optionalText(backend);
    if (path !== undefined) rng.backendPath = path;
  }
  finish(backend, 'rng/backend', read);
  const rate = child(element, 'rate');
  if (rate !== undefined) {
    const bytes = unsignedAttribute(rate, 'bytes');
    if (bytes === undefined) throw xmlError(`missing required attribute 'bytes' in element 'rate'${where(rate)}`);
    rng.rateBytes = bytes;
    const period = unsignedAttribute(rate, 'period');
    if (period !== undefined) rng.ratePeriodMs = period;
    finish(rate, 'rng/rate', read);
  }
  const alias = readDeviceInfo(element, read);
  if (alias !== undefined) rng.alias = alias;
  finish(element, 'rng', read);
  return rng;
}
