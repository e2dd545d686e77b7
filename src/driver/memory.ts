// The memory of a running domain as libvirt reports and changes it, from Firecracker's virtio
// balloon: the balloon size for a new current memory (virDomainSetMemoryFlags), and the
// statistics of virDomainMemoryStats from GET /balloon/statistics and the process's RSS.

import { DomainMemoryStatTag as Tag } from '../api/constants.js';
import type { MemoryStat } from '../api/connection.js';
import type { DomainDef } from '../conf/domain-def.js';
import { memorySizeMiB } from '../firecracker/plan/machine-config.js';

/** The balloon size (MiB) that leaves the guest `currentKiB` (rounded up to whole MiB). */
export function balloonAmountMiB(def: DomainDef, currentKiB: number): number {
  return Math.max(0, memorySizeMiB(def) - Math.ceil(currentKiB / 1024));
}

/** Firecracker's BalloonStats fields fcvirt reports: bytes, except the counters and actual_mib. */
const BYTES = 1024;
const statFields: readonly (readonly [field: string, tag: number, divisor: number])[] = [
  ['swap_in', Tag.SWAP_IN, BYTES],
  ['swap_out', Tag.SWAP_OUT, BYTES],
  ['major_faults', Tag.MAJOR_FAULT, 1],
  ['minor_faults', Tag.MINOR_FAULT, 1],
  ['free_memory', Tag.UNUSED, BYTES],
  ['total_memory', Tag.AVAILABLE, BYTES],
  ['available_memory', Tag.USABLE, BYTES],
  ['disk_caches', Tag.DISK_CACHES, BYTES],
  ['hugetlb_allocations', Tag.HUGETLB_PGALLOC, 1],
  ['hugetlb_failures', Tag.HUGETLB_PGFAIL, 1],
];

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/**
 * virDomainMemoryStats in libvirt's qemu order: the balloon's actual size first (what the guest
 * has: `<memory>` less the balloon when Firecracker reports it, else `<currentMemory>`), then the
 * guest's statistics when the balloon polls them (`<stats period>`), then the VMM's RSS.
 */
export function memoryStats(def: DomainDef, balloonStats: Record<string, unknown> | undefined, rssKiB: number | undefined): MemoryStat[] {
  const stats: MemoryStat[] = [];
  const balloonMiB = count(balloonStats?.actual_mib);
  const actualKiB = balloonMiB === undefined ? def.currentMemoryKiB : Math.max(0, memorySizeMiB(def) - balloonMiB) * 1024;
  stats.push({ tag: Tag.ACTUAL_BALLOON, val: actualKiB });
  for (const [field, tag, divisor] of statFields) {
    const value = count(balloonStats?.[field]);
    if (value !== undefined) stats.push({ tag, val: Math.floor(value / divisor) });
  }
  if (rssKiB !== undefined) stats.push({ tag: Tag.RSS, val: rssKiB });
  return stats;
}
