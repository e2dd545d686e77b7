import { test } from 'node:test';
import assert from 'node:assert/strict';
import { domain, v0_25, v1_0, v1_16 } from '../helpers/domain.js';
import { plan, requestAt } from '../helpers/assertions.js';

test('v0.25 gets the mandatory ht_enabled: false, never smt', () => {
  assert.deepEqual(requestAt(plan(domain({ vcpus: 3 }), v0_25), '/machine-config').body,
    { vcpu_count: 3, mem_size_mib: 256, ht_enabled: false });
});

test('v1.x gets smt: false, never ht_enabled', () => {
  for (const version of [v1_0, v1_16]) {
    assert.deepEqual(requestAt(plan(domain({ vcpus: 4 }), version), '/machine-config').body,
      { vcpu_count: 4, mem_size_mib: 256, smt: false });
  }
});

test('memory rounds up to whole MiB', () => {
  const sizes: [number, number][] = [[1048576, 1024], [1048577, 1025], [1, 1], [1023, 1], [1025, 2], [131072, 128]];
  for (const [memoryKiB, mib] of sizes) {
    const body = requestAt(plan(domain({ memoryKiB, currentMemoryKiB: memoryKiB }), v1_16), '/machine-config').body;
    assert.equal(body.mem_size_mib, mib, `${memoryKiB} KiB`);
  }
});
