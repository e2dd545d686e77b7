// MAC addresses as libvirt reads them (virMacAddrParse: six groups of one or two hex digits
// separated by ':') and writes them (two lowercase digits per group).

/** The canonical form of a MAC address as written, or undefined when it is malformed. */
export function parseMac(text: string): string | undefined {
  const groups = text.replace(/[\s]+$/, '').split(':');
  if (groups.length !== 6) return undefined;
  const out: string[] = [];
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,2}$/.test(group)) return undefined;
    out.push(group.toLowerCase().padStart(2, '0'));
  }
  return out.join(':');
}

const oddHexDigits = '13579bdf';

/** True for a canonical MAC with the multicast bit set (libvirt refuses those for guests). */
export function isMulticastMac(mac: string): boolean {
  // The group bit is the low bit of the first octet, so of its second hex digit.
  return oddHexDigits.includes(mac.charAt(1));
}

export function isCanonicalMac(mac: string): boolean {
  return /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac);
}

const hex = '0123456789abcdef';
const FIVE = '5'.charCodeAt(0);
const TWO = '2'.charCodeAt(0);
const FOUR = '4'.charCodeAt(0);
const ZERO = '0'.charCodeAt(0);
const COLON = ':'.charCodeAt(0);

/** libvirt's generated MACs: its 52:54:00 prefix and three random bytes. */
export function macFromRandom(random: ArrayLike<number>): string {
  return macFromWord(((random[0] ?? 0) << 16) | ((random[1] ?? 0) << 8) | (random[2] ?? 0));
}

/** The character code of the hex digit of `bits` at bit `shift`. */
function digit(bits: number, shift: number): number {
  return hex.charCodeAt((bits >>> shift) & 15);
}

/** The same from a random 24-bit number (its bytes, highest first). */
export function macFromWord(bits: number): string {
  // From character codes in one call, the string comes out flat (see uuid.ts).
  return String.fromCharCode(FIVE, TWO, COLON, FIVE, FOUR, COLON, ZERO, ZERO, COLON,
    digit(bits, 20), digit(bits, 16), COLON, digit(bits, 12), digit(bits, 8), COLON, digit(bits, 4), digit(bits, 0));
}
