// Deterministic stand-ins for randomness in tests (not a test file itself).

/** A randomBytes for ParseOptions: bytes from a counter, so generated uuids and MACs are fixed. */
export function fixedRandomBytes(seed = 1): (length: number) => Uint8Array {
  let next = seed;
  return (length) => {
    const bytes = new Uint8Array(length);
    for (let index = 0; index < length; index++) {
      next = (next * 1103515245 + 12345) >>> 0;
      bytes[index] = next >>> 24;
    }
    return bytes;
  };
}

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}
