// UUIDs as libvirt reads them (virUUIDParse: 32 hex digits, dashes and spaces anywhere between
// byte pairs, surrounding whitespace) and writes them (dashed, lowercase).

const hex = '0123456789abcdef';
const DASH = '-'.charCodeAt(0);

// Built from character codes in one call, the string comes out flat: concatenation would make a
// rope, which the first regular expression to read it (validation does) must flatten first.
function formatBytes(bytes: ArrayLike<number>): string {
  const codes: number[] = [];
  for (let index = 0; index < 16; index++) {
    if (index === 4 || index === 6 || index === 8 || index === 10) codes.push(DASH);
    const byte = bytes[index] ?? 0;
    codes.push(hex.charCodeAt(byte >> 4), hex.charCodeAt(byte & 15));
  }
  return String.fromCharCode(...codes);
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
  const bytes: number[] = [];
  for (let index = 0; index < 16; index++) bytes.push(random[index] ?? 0);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  return formatBytes(bytes);
}

/** True for the dashed lowercase form the parser produces. */
export function isCanonicalUuid(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text);
}
