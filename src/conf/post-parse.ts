// Values the parser fills in when the XML leaves them out (libvirt's post-parse step):
// a random uuid and random MACs, from injected randomness so parsing stays a pure function.
import { getRandomValues } from 'node:crypto';
import { VirError } from '../errors.js';
import type { DomainDef, ParseOptions } from './domain-def.js';
import { macFromRandom } from './mac.js';
import { uuidFromRandom } from './uuid.js';

type RandomBytes = (length: number) => Uint8Array;

const systemRandom: RandomBytes = (length) => getRandomValues(new Uint8Array(length));

function take(random: RandomBytes, length: number): Uint8Array {
  const bytes = random(length);
  if (!(bytes instanceof Uint8Array) || bytes.length < length) {
    throw new VirError('VIR_ERR_INTERNAL_ERROR', `randomBytes(${String(length)}) returned fewer than ${String(length)} bytes`);
  }
  return bytes;
}

/** How many times a generated MAC may collide with one already in use before giving up. */
const MAC_ATTEMPTS = 16;

export function fillDefaults(def: DomainDef, options: ParseOptions): void {
  const random = options.randomBytes ?? systemRandom;
  if (def.uuid === '') def.uuid = uuidFromRandom(take(random, 16));
  const used = new Set(def.interfaces.map((net) => net.mac).filter((mac) => mac !== ''));
  for (const net of def.interfaces) {
    if (net.mac !== '') continue;
    let mac = macFromRandom(take(random, 3));
    for (let attempt = 1; used.has(mac) && attempt < MAC_ATTEMPTS; attempt++) mac = macFromRandom(take(random, 3));
    used.add(mac);
    net.mac = mac;
  }
}
