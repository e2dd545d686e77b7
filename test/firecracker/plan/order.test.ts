import { test } from 'node:test';
import assert from 'node:assert/strict';
import { domain, disk, ethernet, allVersions, v0_25, v1_16 } from '../helpers/domain.js';
import { plan } from '../helpers/assertions.js';

const everything = domain({
  disks: [disk('vdb'), disk('vda')],
  interfaces: [ethernet('tap1', 'eth1'), ethernet('tap0', 'eth0')],
  serial: { type: 'pty', port: 0 },
  memballoon: { model: 'virtio' },
  vsock: { model: 'virtio', cid: 7 },
  mmds: { version: 'V1', interfaces: ['eth0'], address: '169.254.169.254', data: '{"latest": {}}' },
});
const paths = { logPath: '/log/demo.log', metricsPath: '/log/demo.metrics', vsockUdsPath: '/run/demo.vsock' };

test('the plan configures in a fixed order and starts the instance last', () => {
  assert.deepEqual(plan(everything, v0_25, paths).map((request) => request.path), [
    '/logger', '/metrics', '/machine-config', '/boot-source', '/drives/vda', '/drives/vdb',
    '/network-interfaces/eth0', '/network-interfaces/eth1', '/mmds/config', '/mmds', '/balloon', '/vsock', '/actions',
  ]);
  assert.deepEqual(plan({ ...everything, rng: { model: 'virtio', backendModel: 'builtin' } }, v1_16, paths)
    .map((request) => request.path), [
    '/logger', '/metrics', '/machine-config', '/boot-source', '/drives/vda', '/drives/vdb',
    '/network-interfaces/eth0', '/network-interfaces/eth1', '/mmds/config', '/mmds', '/balloon', '/vsock', '/entropy', '/actions',
  ]);
});

test('every request is a PUT, and the last one is InstanceStart', () => {
  for (const version of allVersions) {
    const requests = plan(everything, version, paths);
    assert.ok(requests.every((request) => request.method === 'PUT'));
    assert.deepEqual(requests.at(-1), { method: 'PUT', path: '/actions', body: { action_type: 'InstanceStart' } });
  }
});

test('a minimal domain is machine-config, boot-source and InstanceStart', () => {
  assert.deepEqual(plan(domain(), v1_16).map((request) => request.path), ['/machine-config', '/boot-source', '/actions']);
});

test('planning is pure: the same input gives the same plan and the def is not changed', () => {
  const before = structuredClone(everything);
  const first = plan(everything, v1_16, paths);
  assert.deepEqual(plan(everything, v1_16, paths), first);
  assert.deepEqual(everything, before);
});
