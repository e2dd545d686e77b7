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

/** True when `items` are already in the order `compare` gives (a stable sort would keep them). */
export function inOrder<T>(items: readonly T[], compare: (a: T, b: T) => number): boolean {
  for (let index = 1; index < items.length; index++) {
    const previous = items[index - 1];
    const item = items[index];
    if (previous !== undefined && item !== undefined && compare(previous, item) > 0) return false;
  }
  return true;
}

/**
 * Natural order of names: digit runs compare as numbers (eth2 < eth10), the rest by code unit.
 * Names are cut into runs of digits and of non-digits and compared run by run; equal runs all
 * through, the name with fewer runs comes first, then plain code-unit order decides.
 */
export function compareNatural(a: string, b: string): number {
  // Runs are walked in place: no substrings, no arrays (this runs inside sort comparators).
  let startA = 0;
  let startB = 0;
  while (startA < a.length && startB < b.length) {
    const digitsA = isDigit(a.charCodeAt(startA));
    const digitsB = isDigit(b.charCodeAt(startB));
    const endA = runEnd(a, startA, digitsA);
    const endB = runEnd(b, startB, digitsB);
    const order = digitsA && digitsB ? compareDigitRuns(a, startA, endA, b, startB, endB) : compareRanges(a, startA, endA, b, startB, endB);
    if (order !== 0) return order;
    startA = endA;
    startB = endB;
  }
  return countRuns(a, startA) - countRuns(b, startB) || compareRanges(a, 0, a.length, b, 0, b.length);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Where the run of digits (or of non-digits) starting at `start` ends. */
function runEnd(text: string, start: number, digits: boolean): number {
  let end = start + 1;
  while (end < text.length && isDigit(text.charCodeAt(end)) === digits) end++;
  return end;
}

function countRuns(text: string, start: number): number {
  let runs = 0;
  for (let index = start; index < text.length; index = runEnd(text, index, isDigit(text.charCodeAt(index)))) runs++;
  return runs;
}

// Compares digit runs of any length without converting them (no overflow, no precision loss):
// leading zeros aside, the longer is the larger.
function compareDigitRuns(a: string, startA: number, endA: number, b: string, startB: number, endB: number): number {
  while (startA < endA - 1 && a.charCodeAt(startA) === 48) startA++;
  while (startB < endB - 1 && b.charCodeAt(startB) === 48) startB++;
  return endA - startA - (endB - startB) || compareRanges(a, startA, endA, b, startB, endB);
}

/** a[startA, endA) against b[startB, endB) by code unit, as `<` compares strings: -1, 0 or 1. */
function compareRanges(a: string, startA: number, endA: number, b: string, startB: number, endB: number): number {
  const length = Math.min(endA - startA, endB - startB);
  for (let offset = 0; offset < length; offset++) {
    const difference = a.charCodeAt(startA + offset) - b.charCodeAt(startB + offset);
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  const lengths = endA - startA - (endB - startB);
  return lengths < 0 ? -1 : lengths > 0 ? 1 : 0;
}
