import { test } from 'node:test';
import assert from 'node:assert/strict';
import { domain, allVersions } from '../helpers/domain.js';
import { plan, requestAt, requestsUnder } from '../helpers/assertions.js';

test('a log path becomes PUT /logger at level Warning with levels shown', () => {
  for (const version of allVersions) {
    assert.deepEqual(requestAt(plan(domain(), version, { logPath: '/var/log/x.log' }), '/logger').body,
      { log_path: '/var/log/x.log', level: 'Warning', show_level: true, show_log_origin: false });
  }
});

test('a metrics path becomes PUT /metrics', () => {
  assert.deepEqual(requestAt(plan(domain(), allVersions[0] ?? assert.fail(), { metricsPath: '/m' }), '/metrics').body, { metrics_path: '/m' });
});

test('without paths there is no logger and no metrics request', () => {
  const requests = plan(domain(), allVersions[0] ?? assert.fail());
  assert.deepEqual(requestsUnder(requests, '/logger'), []);
  assert.deepEqual(requestsUnder(requests, '/metrics'), []);
});
