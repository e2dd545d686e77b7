// The orders devices are attached in, which decide what the guest sees: Firecracker adds its
// virtio devices in attach order, and the guest's kernel names block devices (vda, vdb, …)
// and network interfaces (eth0, eth1, …) in that order.

// libvirt's disk naming: vda … vdz, vdaa … (virDiskNameToIndex), a bijective base-26 number.
const DISK_NAME_PATTERN = /^(?:vd|sd|hd|xvd)([a-z]{1,7})$/;

/** The index of a disk target name (vda → 0, vdz → 25, vdaa → 26); undefined when not one. */
export function diskNameToIndex(name: string): number | undefined {
  const letters = DISK_NAME_PATTERN.exec(name)?.[1];
  if (letters === undefined) return undefined;
  let index = 0;
  for (const letter of letters) index = index * 26 + (letter.charCodeAt(0) - 96);
  return index - 1;
}

/** Orders disk targets as libvirt numbers them: vda < vdb < … < vdz < vdaa; others after, by name. */
export function compareDiskTargets(a: string, b: string): number {
  const indexA = diskNameToIndex(a);
  const indexB = diskNameToIndex(b);
  if (indexA !== undefined && indexB !== undefined) return indexA - indexB;
  if (indexA !== undefined) return -1;
  if (indexB !== undefined) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Natural order of names: digit runs compare as numbers (eth2 < eth10), the rest by code unit. */
export function compareNatural(a: string, b: string): number {
  const chunksA = a.match(/\d+|\D+/g) ?? [];
  const chunksB = b.match(/\d+|\D+/g) ?? [];
  for (let index = 0; index < Math.min(chunksA.length, chunksB.length); index++) {
    const chunkA = chunksA[index] ?? '';
    const chunkB = chunksB[index] ?? '';
    const order = isDigits(chunkA) && isDigits(chunkB) ? compareDigitRuns(chunkA, chunkB) : compareText(chunkA, chunkB);
    if (order !== 0) return order;
  }
  return chunksA.length - chunksB.length || compareText(a, b);
}

function isDigits(chunk: string): boolean {
  return chunk.charCodeAt(0) >= 48 && chunk.charCodeAt(0) <= 57;
}

// Compares digit runs of any length without converting them (no overflow, no precision loss).
function compareDigitRuns(a: string, b: string): number {
  const trimmedA = a.replace(/^0+(?=\d)/, '');
  const trimmedB = b.replace(/^0+(?=\d)/, '');
  return trimmedA.length - trimmedB.length || compareText(trimmedA, trimmedB);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
