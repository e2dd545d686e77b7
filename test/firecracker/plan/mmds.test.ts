import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MmdsDef } from '../../../src/conf/domain-def.js';
import { domain, ethernet, v0_25, v1_0, v1_16 } from '../helpers/domain.js';
import { assertVirError, plan, requestAt, requestsUnder } from '../helpers/assertions.js';
import type { FirecrackerVersion } from '../../../src/firecracker/version.js';

const interfaces = [ethernet('tap0', 'eth0'), ethernet('tap1', 'eth-1')];
const withMmds = (mmds: MmdsDef) => domain({ interfaces, mmds });
const mmdsRequests = (mmds: MmdsDef, version: FirecrackerVersion) => requestsUnder(plan(withMmds(mmds), version), '/mmds');

test('v1.x: PUT /mmds/config names the interfaces by iface id, with version and address', () => {
  for (const version of [v1_0, v1_16]) {
    assert.deepEqual(mmdsRequests({ version: 'V2', interfaces: ['eth-1', 'eth0'], address: '169.254.170.2' }, version), [
      { method: 'PUT', path: '/mmds/config', body: { network_interfaces: ['eth_1', 'eth0'], version: 'V2', ipv4_address: '169.254.170.2' } },
    ]);
    assert.deepEqual(mmdsRequests({ version: 'V1', interfaces: ['eth0'] }, version), [
      { method: 'PUT', path: '/mmds/config', body: { network_interfaces: ['eth0'], version: 'V1' } },
    ]);
  }
});

test('v1.x: no interface carries allow_mmds_requests', () => {
  const requests = requestsUnder(plan(withMmds({ version: 'V1', interfaces: ['eth0'] }), v1_16), '/network-interfaces/');
  assert.ok(requests.every((request) => !('allow_mmds_requests' in request.body)));
});

test('v0.25, V1: the listed interfaces allow MMDS requests; /mmds/config only for an address', () => {
  const requests = plan(withMmds({ version: 'V1', interfaces: ['eth0'], address: '169.254.169.250' }), v0_25);
  assert.deepEqual(requestsUnder(requests, '/network-interfaces/').map((request) => request.body.allow_mmds_requests), [true, undefined]);
  assert.deepEqual(requestAt(requests, '/mmds/config').body, { ipv4_address: '169.254.169.250' });
  assert.deepEqual(mmdsRequests({ version: 'V1', interfaces: ['eth0'] }, v0_25), []);
});

test('v0.25 refuses MMDS V2', () => {
  assertVirError(() => plan(withMmds({ version: 'V2', interfaces: ['eth0'] }), v0_25), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: <fc:mmds version='V2'> needs Firecracker ≥ 1.0.0, found 0.25.2");
});

test('initial data follows the config as PUT /mmds', () => {
  for (const version of [v0_25, v1_16]) {
    const requests = mmdsRequests({ version: 'V1', interfaces: ['eth0'], address: '169.254.169.254', data: '{"latest": {"meta-data": {"id": "i-1"}}}' }, version);
    assert.deepEqual(requests.map((request) => request.path), ['/mmds/config', '/mmds']);
    assert.deepEqual(requests[1]?.body, { latest: { 'meta-data': { id: 'i-1' } } });
  }
});

test('MMDS refusals: data that is not an object, a non-link-local address, unknown or no interfaces', () => {
  assertVirError(() => plan(withMmds({ version: 'V2', interfaces: ['eth0'], data: '[1, 2]' }), v1_16), 'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: <fc:data> in <fc:mmds> must hold a JSON object: it is the root of the metadata tree');
  assertVirError(() => plan(withMmds({ version: 'V2', interfaces: ['eth0'], data: '{' }), v1_16), 'VIR_ERR_XML_ERROR',
    `XML error: <fc:data> in <fc:mmds> is not valid JSON: ${jsonError('{')}`);
  assertVirError(() => plan(withMmds({ version: 'V2', interfaces: ['eth0'], address: '10.0.0.1' }), v1_16), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: <fc:mmds address='10.0.0.1'> is not supported: Firecracker serves MMDS only on a link-local IPv4 address (169.254.0.0/16)");
  assertVirError(() => plan(withMmds({ version: 'V2', interfaces: ['eth0'], address: '169.254.1.256' }), v1_16), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: <fc:mmds address='169.254.1.256'> is not supported: Firecracker serves MMDS only on a link-local IPv4 address (169.254.0.0/16)");
  for (const version of [v0_25, v1_16]) {
    assertVirError(() => plan(withMmds({ version: 'V1', interfaces: ['eth9'] }), version), 'VIR_ERR_XML_ERROR',
      "XML error: <fc:interface dev='eth9'> in <fc:mmds> names no interface: no <interface> has <guest dev='eth9'>");
    assertVirError(() => plan(withMmds({ version: 'V1', interfaces: [] }), version), 'VIR_ERR_XML_ERROR',
      "XML error: <fc:mmds> lists no interface: add <fc:interface dev='…'/> naming an interface's <guest dev>");
  }
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return assert.fail('parsed');
}
