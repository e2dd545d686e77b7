// Values the parser fills in when the XML leaves them out (libvirt's post-parse step): a random
// uuid and random MACs. Randomness is injected (ParseOptions.randomBytes) so parsing stays a pure
// function; without it, node's randomInt is the source.
import { randomInt } from 'node:crypto';
import { VirError } from '../errors.js';
import type { DomainDef, InterfaceDef, ParseOptions } from './domain-def.js';
import { macFromRandom } from './mac.js';
import { uuidFromRandom } from './uuid.js';

type RandomSource = (length: number) => ArrayLike<number>;

function checked(random: (length: number) => Uint8Array): RandomSource {
  return (length) => {
    const bytes = random(length);
    if (!(bytes instanceof Uint8Array) || bytes.length < length) {
      throw new VirError('VIR_ERR_INTERNAL_ERROR', `randomBytes(${String(length)}) returned fewer than ${String(length)} bytes`);
    }
    return bytes;
  };
}

// randomInt draws from node's cached pool of system entropy: a uuid's worth costs a tenth of
// one getRandomValues call, which would otherwise dominate parsing a small domain (randomUUID
// is as cheap, but its string is a rope that costs more to read than the draw).
function systemRandom(length: number): number[] {
  const bytes: number[] = [];
  while (bytes.length < length) {
    const word = randomInt(0x100000000);
    bytes.push(word >>> 24, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff);
  }
  return bytes;
}

/** How many times a generated MAC may collide with one already in use before giving up. */
const MAC_ATTEMPTS = 16;

function macInUse(interfaces: readonly InterfaceDef[], mac: string): boolean {
  for (const net of interfaces) {
    if (net.mac === mac) return true;
  }
  return false;
}

export function fillDefaults(def: DomainDef, options: ParseOptions): void {
  const random = options.randomBytes === undefined ? systemRandom : checked(options.randomBytes);
  if (def.uuid === '') def.uuid = uuidFromRandom(random(16));
  for (const net of def.interfaces) {
    if (net.mac !== '') continue;
    let mac = macFromRandom(random(3));
    for (let attempt = 1; macInUse(def.interfaces, mac) && attempt < MAC_ATTEMPTS; attempt++) mac = macFromRandom(random(3));
    net.mac = mac;
  }
}
