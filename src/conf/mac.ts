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
const COLON = ':'.charCodeAt(0);
const GENERATED_PREFIX = Array.from('52:54:00', (char) => char.charCodeAt(0));

/** libvirt's generated MACs: its 52:54:00 prefix and three random bytes. */
export function macFromRandom(random: ArrayLike<number>): string {
  const codes = GENERATED_PREFIX.slice();
  for (let index = 0; index < 3; index++) {
    const byte = random[index] ?? 0;
    codes.push(COLON, hex.charCodeAt(byte >> 4), hex.charCodeAt(byte & 15));
  }
  // From character codes in one call, the string comes out flat (see uuid.ts).
  return String.fromCharCode(...codes);
}
