import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InterfaceDef } from '../../../src/conf/domain-def.js';
import { withPlanDefaults } from '../../../src/firecracker/plan/index.js';
import { domain, ethernet } from '../helpers/domain.js';

const bridge = (guestDev: string | undefined, targetDev?: string): InterfaceDef => ({
  type: 'bridge', mac: '52:54:00:00:00:01', sourceBridge: 'br0',
  ...(guestDev === undefined ? {} : { guestDev }), ...(targetDev === undefined ? {} : { targetDev }),
});

test('bridge interfaces without a tap get fctap0, fctap1, … in attach order, skipping names in use', () => {
  const def = domain({ interfaces: [bridge(undefined), bridge('eth1'), ethernet('fctap1', 'eth5'), bridge('eth0'), bridge('eth2', 'mytap')] });
  const filled = withPlanDefaults(def);
  assert.deepEqual(filled.interfaces.map((iface) => iface.targetDev), ['fctap3', 'fctap2', 'fctap1', 'fctap0', 'mytap']);
  assert.equal(def.interfaces[0]?.targetDev, undefined, 'the input def is left alone');
});

test('a vsock without a CID gets 3; one with a CID keeps it; no vsock stays none', () => {
  assert.equal(withPlanDefaults(domain({ vsock: { model: 'virtio', autoCid: true } })).vsock?.cid, 3);
  assert.equal(withPlanDefaults(domain({ vsock: { model: 'virtio', cid: 9 } })).vsock?.cid, 9);
  assert.equal('vsock' in withPlanDefaults(domain()), false);
});

test('with nothing to fill in, the def is returned as it is', () => {
  const def = domain({ interfaces: [ethernet('tap0', 'eth0')], vsock: { model: 'virtio', cid: 5 } });
  assert.equal(withPlanDefaults(def), def);
});
