import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPlan, dialectFor, featureSince, type Feature } from '../../../src/firecracker/plan/index.js';
import { formatVersion } from '../../../src/firecracker/version.js';
import { domain, version, v0_25, v1_3, v1_16 } from '../helpers/domain.js';
import { assertVirError } from '../helpers/assertions.js';

test('each feature is present from its first version on, absent before', () => {
  for (const [feature, since] of Object.entries(featureSince) as [Feature, typeof featureSince[Feature]][]) {
    assert.equal(dialectFor(since).has(feature), true, feature);
    assert.equal(dialectFor(v0_25).has(feature), false, feature);
    assert.equal(dialectFor(v1_16).has(feature), true, feature);
    assertVirError(() => { dialectFor(v0_25).require(feature, '<thing>'); }, 'VIR_ERR_CONFIG_UNSUPPORTED',
      `unsupported configuration: <thing> needs Firecracker ≥ ${formatVersion(since)}, found 0.25.2`);
  }
  assert.equal(dialectFor(v1_3).has('entropy'), false);
  assert.equal(dialectFor(v1_3).has('smt'), true);
});

test('a version fcvirt does not drive is refused before planning', () => {
  for (const text of ['0.24.0', '2.0.0']) {
    assertVirError(() => buildPlan(domain(), version(text), {}), 'VIR_ERR_CONFIG_UNSUPPORTED',
      `unsupported configuration: Firecracker ${text} is not supported: fcvirt supports Firecracker ≥ 0.25.0 and < 2.0.0`);
  }
});
