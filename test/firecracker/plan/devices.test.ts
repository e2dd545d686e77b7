import { test } from 'node:test';
import assert from 'node:assert/strict';
import { domain, v0_25, v1_0, v1_3, v1_4, v1_16 } from '../helpers/domain.js';
import { assertVirError, plan, requestAt, requestsUnder } from '../helpers/assertions.js';

// Balloon, vsock and entropy: one device each, one request each.

test('balloon: inflated by memory − currentMemory in MiB, autodeflate and stats period as given', () => {
  const def = domain({ memoryKiB: 1048576, currentMemoryKiB: 786432, memballoon: { model: 'virtio', autodeflate: true, statsPeriod: 5 } });
  for (const version of [v0_25, v1_16]) {
    assert.deepEqual(requestAt(plan(def, version), '/balloon').body, { amount_mib: 256, deflate_on_oom: true, stats_polling_interval_s: 5 });
  }
});

test('balloon: currentMemory rounds up (the guest gets no less), autodeflate defaults to off', () => {
  const def = domain({ memoryKiB: 1048576, currentMemoryKiB: 1047553, memballoon: { model: 'virtio' } });
  assert.deepEqual(requestAt(plan(def, v1_16), '/balloon').body, { amount_mib: 0, deflate_on_oom: false });
  const half = domain({ memoryKiB: 1048577, currentMemoryKiB: 524288, memballoon: { model: 'virtio' } });
  assert.equal(requestAt(plan(half, v1_16), '/balloon').body.amount_mib, 513);
});

test('balloon: model none or no <memballoon> means no balloon', () => {
  assert.deepEqual(requestsUnder(plan(domain({ memballoon: { model: 'none' } }), v1_16), '/balloon'), []);
  assert.deepEqual(requestsUnder(plan(domain(), v1_16), '/balloon'), []);
});

const vsockPaths = { vsockUdsPath: '/run/libvirt/fc/demo.vsock' };

test('vsock: v0.25 needs vsock_id; v1.x gets only cid and socket (vsock_id is deprecated)', () => {
  const def = domain({ vsock: { model: 'virtio', cid: 42 } });
  assert.deepEqual(requestAt(plan(def, v0_25, vsockPaths), '/vsock').body,
    { vsock_id: 'vsock0', guest_cid: 42, uds_path: '/run/libvirt/fc/demo.vsock' });
  for (const version of [v1_0, v1_16]) {
    assert.deepEqual(requestAt(plan(def, version, vsockPaths), '/vsock').body, { guest_cid: 42, uds_path: '/run/libvirt/fc/demo.vsock' });
  }
});

test('vsock: a missing CID or socket path is an internal error: the driver provides them', () => {
  assertVirError(() => plan(domain({ vsock: { model: 'virtio', autoCid: true } }), v1_16, vsockPaths), 'VIR_ERR_INTERNAL_ERROR',
    "internal error: <vsock> has no guest CID: the driver must assign one (<cid auto='yes'>) before planning");
  assertVirError(() => plan(domain({ vsock: { model: 'virtio', cid: 3 } }), v1_16), 'VIR_ERR_INTERNAL_ERROR',
    'internal error: <vsock> has no host socket path: the driver must give one (vsockUdsPath) before planning');
});

test('entropy: PUT /entropy from 1.4.0, with a rate limiter for <rate>', () => {
  assert.deepEqual(requestAt(plan(domain({ rng: { model: 'virtio', backendModel: 'builtin' } }), v1_4), '/entropy').body, {});
  const rated = domain({ rng: { model: 'virtio', backendModel: 'random', backendPath: '/dev/urandom', rateBytes: 1024, ratePeriodMs: 2000 } });
  assert.deepEqual(requestAt(plan(rated, v1_16), '/entropy').body, { rate_limiter: { bandwidth: { size: 1024, refill_time: 2000 } } });
  const perSecond = domain({ rng: { model: 'virtio', backendModel: 'random', rateBytes: 512 } });
  assert.deepEqual(requestAt(plan(perSecond, v1_16), '/entropy').body, { rate_limiter: { bandwidth: { size: 512, refill_time: 1000 } } });
});

test('entropy: refused before 1.4.0, in exactly the shape every version refusal has', () => {
  const def = domain({ rng: { model: 'virtio', backendModel: 'builtin' } });
  for (const [version, found] of [[v0_25, '0.25.2'], [v1_0, '1.0.0'], [v1_3, '1.3.3']] as const) {
    assertVirError(() => plan(def, version), 'VIR_ERR_CONFIG_UNSUPPORTED',
      `unsupported configuration: <rng> needs Firecracker ≥ 1.4.0, found ${found}`);
  }
});

test('entropy: a backend other than the kernel\'s random source is refused', () => {
  const def = domain({ rng: { model: 'virtio', backendModel: 'random', backendPath: '/dev/hwrng' } });
  assertVirError(() => plan(def, v1_16), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: <rng> <backend model='random'>/dev/hwrng</backend> is not supported: " +
    "Firecracker's entropy device draws from the host kernel's random source; use /dev/urandom or <backend model='builtin'/>");
  assert.deepEqual(requestAt(plan(domain({ rng: { model: 'virtio', backendModel: 'random', backendPath: '/dev/random' } }), v1_16), '/entropy').body, {});
});
