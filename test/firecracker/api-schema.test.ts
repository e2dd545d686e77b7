import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { PlanRequest } from '../../src/firecracker/plan/index.js';
import { testData } from '../helpers/paths.js';
import { version } from './helpers/domain.js';
import { schemaFor, schemaViolations, schemaV0_25_2, schemaV1_16_1 } from './helpers/api-schema.js';

interface RecordedPut {
  binary: string;
  scenario: string;
  request: PlanRequest;
  status: number;
  body: { fault_message?: string } | null;
}

const recorded = JSON.parse(readFileSync(testData('firecracker-api-bodies', 'recorded.json'), 'utf8')) as RecordedPut[];
// Faults about the shape of a request (fields, types, enum values, ids, paths), as opposed to
// the host (missing files, busy taps) or the VM's state.
const SHAPE_FAULT = /unknown field|missing field|Missing mandatory|invalid type|unknown variant|Resource IDs|does not match the id|Invalid request method and\/or path/;

test('the field table accepts every body the real binaries accepted', () => {
  const accepted = recorded.filter((entry) => entry.status === 204);
  assert.ok(accepted.length > 90);
  for (const entry of accepted) {
    const schema = schemaFor(version(entry.binary));
    assert.deepEqual(schemaViolations(schema, entry.request), [], `${entry.binary} ${entry.scenario}: ${JSON.stringify(entry.request)}`);
  }
});

test('the field table refuses every body the real binaries refused for its shape', () => {
  const refused = recorded.filter((entry) => entry.status === 400 && SHAPE_FAULT.test(entry.body?.fault_message ?? ''));
  assert.ok(refused.length > 40);
  for (const entry of refused) {
    const schema = schemaFor(version(entry.binary));
    assert.notDeepEqual(schemaViolations(schema, entry.request), [], `${entry.binary}: ${entry.body?.fault_message ?? ''}`);
  }
});

test('the field table catches the version differences the plan must respect', () => {
  const put = (path: string, body: PlanRequest['body']): PlanRequest => ({ method: 'PUT', path, body });
  assert.deepEqual(schemaViolations(schemaV0_25_2, put('/machine-config', { vcpu_count: 1, mem_size_mib: 128, smt: false })), [
    'PUT /machine-config body: unknown field `smt`', 'PUT /machine-config body: missing field `ht_enabled`',
  ]);
  assert.deepEqual(schemaViolations(schemaV1_16_1, put('/vsock', { guest_cid: 3, uds_path: '/v' })), []);
  assert.deepEqual(schemaViolations(schemaV0_25_2, put('/vsock', { guest_cid: 3, uds_path: '/v' })), ['PUT /vsock body: missing field `vsock_id`']);
  assert.deepEqual(schemaViolations(schemaV0_25_2, put('/entropy', {})), ['PUT /entropy: no such endpoint in v0.25.2']);
  assert.deepEqual(schemaViolations(schemaV1_16_1, put('/drives/vda', {
    drive_id: 'vda', path_on_host: '/x', is_root_device: true, rate_limiter: { bandwidth: { size: 1 } },
  })), ['PUT /drives/vda body.rate_limiter.bandwidth: missing field `refill_time`']);
});
