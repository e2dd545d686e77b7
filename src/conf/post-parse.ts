// Values the parser fills in when the XML leaves them out (libvirt's post-parse step): a random
// uuid and random MACs. Randomness is injected (ParseOptions.randomBytes) so parsing stays a pure
// function; without it, node's randomInt is the source.
import { randomInt } from 'node:crypto';
import { VirError } from '../errors.js';
import type { DomainDef, InterfaceDef, ParseOptions } from './domain-def.js';
import { macFromRandom, macFromWord } from './mac.js';
import { uuidFromRandom, uuidFromWords } from './uuid.js';

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

// randomInt draws from node's cached pool of system entropy: a uuid's worth costs a tenth of
// one getRandomValues call, which would otherwise dominate parsing a small domain (randomUUID
// is as cheap, but its string is a rope that costs more to read than the draw).
const WORD = 0x100000000;
const system: Generators = {
  uuid: () => uuidFromWords(randomInt(WORD), randomInt(WORD), randomInt(WORD), randomInt(WORD)),
  mac: () => macFromWord(randomInt(0x1000000)),
};

/** How many times a generated MAC may collide with one already in use before giving up. */
const MAC_ATTEMPTS = 16;

function macInUse(interfaces: readonly InterfaceDef[], mac: string): boolean {
  for (const net of interfaces) {
    if (net.mac === mac) return true;
  }
  return false;
}

export function fillDefaults(def: DomainDef, options: ParseOptions): void {
  const generate = options.randomBytes === undefined ? system : fromRandomBytes(options.randomBytes);
  if (def.uuid === '') def.uuid = generate.uuid();
  for (const net of def.interfaces) {
    if (net.mac !== '') continue;
    let mac = generate.mac();
    for (let attempt = 1; macInUse(def.interfaces, mac) && attempt < MAC_ATTEMPTS; attempt++) mac = generate.mac();
    net.mac = mac;
  }
}
