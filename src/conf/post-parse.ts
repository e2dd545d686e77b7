// Values the parser fills in when the XML leaves them out (libvirt's post-parse step): a random
// uuid and random MACs. Randomness is injected (ParseOptions.randomBytes) so parsing stays a pure
// function; without it, node's randomUUID is the source.
import { randomUUID } from 'node:crypto';
import { VirError } from '../errors.js';
import type { DomainDef, ParseOptions } from './domain-def.js';
import { macFromRandom } from './mac.js';
import { uuidFromRandom } from './uuid.js';

interface Generators {
  uuid: () => string;
  mac: () => string;
}

function fromRandomBytes(random: (length: number) => Uint8Array): Generators {
  const take = (length: number): Uint8Array => {
    const bytes = random(length);
    if (!(bytes instanceof Uint8Array) || bytes.length < length) {
      throw new VirError('VIR_ERR_INTERNAL_ERROR', `randomBytes(${String(length)}) returned fewer than ${String(length)} bytes`);
    }
    return bytes;
  };
  return { uuid: () => uuidFromRandom(take(16)), mac: () => macFromRandom(take(3)) };
}

// randomUUID gives a version 4 uuid from node's cached pool of system entropy, in a tenth of the
// time of one getRandomValues call, which would otherwise dominate parsing a small domain; its
// first three bytes are fully random, which is what a MAC needs.
const system: Generators = {
  uuid: () => randomUUID(),
  mac: () => {
    const uuid = randomUUID();
    return `52:54:00:${uuid.slice(0, 2)}:${uuid.slice(2, 4)}:${uuid.slice(4, 6)}`;
  },
};

/** How many times a generated MAC may collide with one already in use before giving up. */
const MAC_ATTEMPTS = 16;

export function fillDefaults(def: DomainDef, options: ParseOptions): void {
  const generate = options.randomBytes === undefined ? system : fromRandomBytes(options.randomBytes);
  if (def.uuid === '') def.uuid = generate.uuid();
  let used: Set<string> | undefined;
  for (const net of def.interfaces) {
    if (net.mac !== '') continue;
    used ??= new Set(def.interfaces.map((other) => other.mac).filter((mac) => mac !== ''));
    let mac = generate.mac();
    for (let attempt = 1; used.has(mac) && attempt < MAC_ATTEMPTS; attempt++) mac = generate.mac();
    used.add(mac);
    net.mac = mac;
  }
}
