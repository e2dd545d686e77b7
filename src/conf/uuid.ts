// UUIDs as libvirt reads them (virUUIDParse: 32 hex digits, dashes and spaces anywhere between
// byte pairs, surrounding whitespace) and writes them (dashed, lowercase).

const hex = '0123456789abcdef';
const DASH = '-'.charCodeAt(0);

/** The character code of the hex digit of `word` at bit `shift`. */
function digit(word: number, shift: number): number {
  return hex.charCodeAt((word >>> shift) & 15);
}

/** Four bytes from `bytes[start]` on as one (unsigned) 32-bit word, the first the highest. */
function word(bytes: ArrayLike<number>, start: number): number {
  return (((bytes[start] ?? 0) << 24) | ((bytes[start + 1] ?? 0) << 16) | ((bytes[start + 2] ?? 0) << 8) | (bytes[start + 3] ?? 0)) >>> 0;
}

// The 128 bits as four 32-bit words, written from character codes in one call: the string
// comes out flat, where concatenation would make a rope that the first regular expression to
// read it (validation does) must flatten first.
function formatWords(a: number, b: number, c: number, d: number): string {
  return String.fromCharCode(
    digit(a, 28), digit(a, 24), digit(a, 20), digit(a, 16), digit(a, 12), digit(a, 8), digit(a, 4), digit(a, 0), DASH,
    digit(b, 28), digit(b, 24), digit(b, 20), digit(b, 16), DASH, digit(b, 12), digit(b, 8), digit(b, 4), digit(b, 0), DASH,
    digit(c, 28), digit(c, 24), digit(c, 20), digit(c, 16), DASH, digit(c, 12), digit(c, 8), digit(c, 4), digit(c, 0),
    digit(d, 28), digit(d, 24), digit(d, 20), digit(d, 16), digit(d, 12), digit(d, 8), digit(d, 4), digit(d, 0),
  );
}

function formatBytes(bytes: ArrayLike<number>): string {
  return formatWords(word(bytes, 0), word(bytes, 4), word(bytes, 8), word(bytes, 12));
}

/** The canonical form of a UUID as written, or undefined when it is malformed. */
export function parseUuid(text: string): string | undefined {
  const trimmed = text.trim();
  const bytes: number[] = [];
  let index = 0;
  while (bytes.length < 16) {
    const char = trimmed.charAt(index);
    if (char === '') return undefined;
    if (char === '-' || char === ' ') {
      index++;
      continue;
    }
    const pair = trimmed.slice(index, index + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) return undefined;
    bytes.push(parseInt(pair, 16));
    index += 2;
  }
  return index === trimmed.length ? formatBytes(bytes) : undefined;
}

/** A random (version 4) UUID from 16 random bytes, as libvirt's virUUIDGenerate makes them. */
export function uuidFromRandom(random: ArrayLike<number>): string {
  return uuidFromWords(word(random, 0), word(random, 4), word(random, 8), word(random, 12));
}

/** The same from four random 32-bit words (bytes 0–3, 4–7, 8–11, 12–15). */
export function uuidFromWords(a: number, b: number, c: number, d: number): string {
  // Version 4 in the high nibble of byte 6, variant 10 in the high bits of byte 8.
  return formatWords(a, (((b & 0xffff0fff) | 0x4000) >>> 0), (((c & 0x3fffffff) | 0x80000000) >>> 0), d);
}

/** True for the dashed lowercase form the parser produces. */
export function isCanonicalUuid(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text);
}
