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
// time of one getRandomValues call, which would otherwise dominate parsing a small domain. Its
// hex digits 0-5, 24-29 and 30-35 are fully random: three MACs' worth.
function systemGenerators(): Generators {
  let pool = '';
  return {
    uuid: () => randomUUID(),
    mac: () => {
      if (pool === '') {
        const uuid = randomUUID();
        pool = uuid.slice(0, 6) + uuid.slice(24);
      }
      const mac = `52:54:00:${pool.slice(0, 2)}:${pool.slice(2, 4)}:${pool.slice(4, 6)}`;
      pool = pool.slice(6);
      return mac;
    },
  };
}

/** How many times a generated MAC may collide with one already in use before giving up. */
const MAC_ATTEMPTS = 16;

export function fillDefaults(def: DomainDef, options: ParseOptions): void {
  const generate = options.randomBytes === undefined ? systemGenerators() : fromRandomBytes(options.randomBytes);
  if (def.uuid === '') def.uuid = generate.uuid();
  const taken = (mac: string): boolean => def.interfaces.some((net) => net.mac === mac);
  for (const net of def.interfaces) {
    if (net.mac !== '') continue;
    let mac = generate.mac();
    for (let attempt = 1; taken(mac) && attempt < MAC_ATTEMPTS; attempt++) mac = generate.mac();
    net.mac = mac;
  }
}
