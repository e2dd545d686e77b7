import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostArchitecture, prepareLiveDef } from '../../src/driver/live-def.js';
import { VirError } from '../../src/errors.js';
import { domain as minimalDef } from '../firecracker/helpers/domain.js';

const UUID = '11111111-2222-3333-4444-555555555555';

test('the live definition gets the id, libvirt\'s aliases and a free CID; the original is untouched', () => {
  const def = minimalDef({
    name: 'a',
    uuid: UUID,
    disks: [
      { type: 'file', device: 'disk', source: '/b', target: 'vdb', bus: 'virtio', readonly: false },
      { type: 'file', device: 'disk', source: '/a', target: 'vda', bus: 'virtio', readonly: true },
    ],
    interfaces: [
      { type: 'ethernet', mac: '52:54:00:00:00:01', targetDev: 'tap0' },
      { type: 'bridge', mac: '52:54:00:00:00:02', sourceBridge: 'br0' },
    ],
    serial: { type: 'pty', port: 0 },
    memballoon: { model: 'virtio' },
    rng: { model: 'virtio', backendModel: 'builtin' },
    vsock: { model: 'virtio', autoCid: true },
  });
  const live = prepareLiveDef(def, { id: 7, cidsInUse: new Set([3, 4, 6]), hostArch: 'x86_64' });
  assert.equal(live.id, 7);
  assert.deepEqual(live.disks.map((disk) => disk.alias), ['virtio-disk1', 'virtio-disk0']);
  assert.deepEqual(live.interfaces.map((iface) => iface.alias), ['net0', 'net1']);
  assert.equal(live.serial?.alias, 'serial0');
  assert.equal(live.memballoon?.alias, 'balloon0');
  assert.equal(live.rng?.alias, 'rng0');
  assert.equal(live.vsock?.alias, 'vsock0');
  assert.equal(live.vsock.cid, 5);
  assert.equal(def.id, undefined);
  assert.equal(def.disks[0]?.alias, undefined);
  assert.equal(def.vsock?.cid, undefined);
});

test('a fixed CID is kept; memballoon none has no alias', () => {
  const def = minimalDef({ name: 'a', uuid: UUID, vsock: { model: 'virtio', autoCid: false, cid: 42 }, memballoon: { model: 'none' } });
  const live = prepareLiveDef(def, { id: 1, cidsInUse: new Set([42]), hostArch: 'x86_64' });
  assert.equal(live.vsock?.cid, 42);
  assert.equal(live.memballoon?.alias, undefined);
});

test('a guest of another architecture is refused before anything starts', () => {
  const def = minimalDef({ name: 'a', uuid: UUID, os: { type: 'hvm', arch: 'aarch64', kernel: '/k' } });
  assert.throws(() => prepareLiveDef(def, { id: 1, cidsInUse: new Set(), hostArch: 'x86_64' }), (error: unknown) =>
    error instanceof VirError && error.codeName === 'VIR_ERR_CONFIG_UNSUPPORTED'
    && error.message === "unsupported configuration: domain architecture 'aarch64' cannot run on this x86_64 host: Firecracker runs guests of the host's own architecture (<type arch>)");
});

test('host architectures in libvirt\'s spelling', () => {
  assert.equal(hostArchitecture('x64'), 'x86_64');
  assert.equal(hostArchitecture('arm64'), 'aarch64');
});
