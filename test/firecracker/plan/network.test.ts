import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InterfaceDef } from '../../../src/conf/domain-def.js';
import { domain, ethernet, allVersions, v1_16 } from '../helpers/domain.js';
import { assertVirError, plan, requestAt, requestsUnder } from '../helpers/assertions.js';

function attached(interfaces: InterfaceDef[]): { id: unknown; tap: unknown }[] {
  return requestsUnder(plan(domain({ interfaces }), v1_16), '/network-interfaces/')
    .map((request) => ({ id: request.body.iface_id, tap: request.body.host_dev_name }));
}

test('interfaces with a <guest dev> attach in natural order (eth2 < eth10), the others after, in document order', () => {
  const order = attached([
    ethernet('tapA', undefined), ethernet('tap10', 'eth10'), ethernet('tapB', undefined), ethernet('tap2', 'eth2'), ethernet('tap0', 'eth0'),
  ]);
  assert.deepEqual(order, [
    { id: 'eth0', tap: 'tap0' }, { id: 'eth2', tap: 'tap2' }, { id: 'eth10', tap: 'tap10' },
    { id: 'net3', tap: 'tapA' }, { id: 'net4', tap: 'tapB' },
  ]);
});

test('the seed example\'s order: eth0 on tap0, eth1 on tap2', () => {
  assert.deepEqual(attached([ethernet('tap0', 'eth0'), ethernet('tap2', 'eth1')]), [{ id: 'eth0', tap: 'tap0' }, { id: 'eth1', tap: 'tap2' }]);
});

test('iface ids keep only letters, digits and underscores, and stay unique', () => {
  const order = attached([ethernet('t1', 'eth-0'), ethernet('t2', 'eth.0'), ethernet('t3', 'net1'), ethernet('t4', undefined)]);
  assert.deepEqual(order.map((entry) => entry.id), ['eth_0', 'eth_0_2', 'net1', 'net3']);
  const clash = attached([ethernet('t1', 'net1'), ethernet('t2', undefined), ethernet('t3', undefined)]);
  assert.deepEqual(clash.map((entry) => entry.id), ['net1', 'net1_2', 'net2']);
});

test('a body names the tap and the guest MAC, in every version', () => {
  for (const version of allVersions) {
    const [request] = requestsUnder(plan(domain({ interfaces: [ethernet('tap0', 'eth0', { mac: '52:54:00:ab:cd:ef' })] }), version), '/network-interfaces/');
    assert.deepEqual(request, {
      method: 'PUT', path: '/network-interfaces/eth0', body: { iface_id: 'eth0', host_dev_name: 'tap0', guest_mac: '52:54:00:ab:cd:ef' },
    });
  }
});

test('inbound limits what the guest receives (rx), outbound what it sends (tx)', () => {
  const iface = ethernet('tap0', 'eth0', { inbound: { average: 100 }, outbound: { average: 200, burst: 400 } });
  const { body } = requestAt(plan(domain({ interfaces: [iface] }), v1_16), '/network-interfaces/eth0');
  assert.deepEqual(body.rx_rate_limiter, { bandwidth: { size: 102400, refill_time: 1000 } });
  assert.deepEqual(body.tx_rate_limiter, { bandwidth: { size: 409600, refill_time: 2000 } });
});

test('an interface without a tap name is an internal error: the driver names taps before planning', () => {
  const bridge: InterfaceDef = { type: 'bridge', mac: '52:54:00:00:00:01', sourceBridge: 'br0', guestDev: 'eth0' };
  assertVirError(() => plan(domain({ interfaces: [bridge] }), v1_16), 'VIR_ERR_INTERNAL_ERROR',
    "internal error: interface 'eth0' has no tap name: the driver must name its tap (<target dev>) before planning");
});
