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

/** True for a canonical MAC with the multicast bit set (libvirt refuses those for guests). */
export function isMulticastMac(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 1;
}

export function isCanonicalMac(mac: string): boolean {
  return /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac);
}

/** libvirt's generated MACs: its 52:54:00 prefix and three random bytes. */
export function macFromRandom(random: Uint8Array): string {
  const tail = Array.from(random.subarray(0, 3), (byte) => byte.toString(16).padStart(2, '0'));
  return ['52', '54', '00', ...tail].join(':');
}
