// virDomainMemoryStats from Firecracker's balloon statistics, and the balloon size for setmem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainMemoryStatTag as Tag } from '../../src/api/constants.js';
import { parseDomainXML } from '../../src/conf/index.js';
import { balloonAmountMiB, memoryStats } from '../../src/driver/memory.js';

const def = parseDomainXML(`<domain type='firecracker'>
  <name>m</name>
  <memory unit='MiB'>512</memory>
  <currentMemory unit='MiB'>384</currentMemory>
  <os><type arch='x86_64'>hvm</type><kernel>/k</kernel></os>
  <devices><memballoon model='virtio'/></devices>
</domain>`);

test('the balloon leaves the guest the new size, rounded up to whole MiB', () => {
  assert.equal(balloonAmountMiB(def, 256 * 1024), 256);
  assert.equal(balloonAmountMiB(def, 256 * 1024 + 1), 255);
  assert.equal(balloonAmountMiB(def, 512 * 1024), 0);
});

test('balloon statistics become libvirt tags in KiB, in libvirt\'s order; rss last', () => {
  const MiB = 1024 * 1024;
  const stats = memoryStats(def, {
    actual_mib: 100, target_mib: 100, swap_in: 2 * MiB, swap_out: 0, major_faults: 7, minor_faults: 9,
    free_memory: 50 * MiB, total_memory: 412 * MiB, available_memory: 60 * MiB, disk_caches: 3 * MiB,
    hugetlb_allocations: 0, hugetlb_failures: 0, oom_kill: 0,
  }, 4096);
  assert.deepEqual(stats, [
    { tag: Tag.ACTUAL_BALLOON, val: 412 * 1024 },
    { tag: Tag.SWAP_IN, val: 2048 },
    { tag: Tag.SWAP_OUT, val: 0 },
    { tag: Tag.MAJOR_FAULT, val: 7 },
    { tag: Tag.MINOR_FAULT, val: 9 },
    { tag: Tag.UNUSED, val: 50 * 1024 },
    { tag: Tag.AVAILABLE, val: 412 * 1024 },
    { tag: Tag.USABLE, val: 60 * 1024 },
    { tag: Tag.DISK_CACHES, val: 3 * 1024 },
    { tag: Tag.HUGETLB_PGALLOC, val: 0 },
    { tag: Tag.HUGETLB_PGFAIL, val: 0 },
    { tag: Tag.RSS, val: 4096 },
  ]);
});

test('without statistics: the configured current memory, and rss when the process is readable', () => {
  assert.deepEqual(memoryStats(def, undefined, 10), [{ tag: Tag.ACTUAL_BALLOON, val: 384 * 1024 }, { tag: Tag.RSS, val: 10 }]);
  assert.deepEqual(memoryStats(def, { actual_mib: 'x', swap_in: -1 }, undefined), [{ tag: Tag.ACTUAL_BALLOON, val: 384 * 1024 }]);
});
