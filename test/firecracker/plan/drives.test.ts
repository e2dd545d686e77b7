import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DiskDef, DomainDef } from '../../../src/conf/domain-def.js';
import { domain, disk, allVersions, v0_25, v1_0, v1_16 } from '../helpers/domain.js';
import { assertVirError, plan, requestsUnder } from '../helpers/assertions.js';

function drives(def: DomainDef, version = v1_16): { id: unknown; root: unknown }[] {
  return requestsUnder(plan(def, version), '/drives/').map((request) => ({ id: request.body.drive_id, root: request.body.is_root_device }));
}

function withOs(os: Partial<DomainDef['os']>, disks: DiskDef[]): DomainDef {
  const base = domain();
  return domain({ os: { ...base.os, ...os }, disks });
}

test('drives attach in target order: vda < vdb < … < vdz < vdaa', () => {
  const def = withOs({ root: 'vda' }, ['vdaa', 'vdz', 'vdb', 'vda', 'vdab', 'vdc'].map((target) => disk(target)));
  assert.deepEqual(drives(def).map((drive) => drive.id), ['vda', 'vdb', 'vdc', 'vdz', 'vdaa', 'vdab']);
});

test('the disk <root> names is the root device and attaches first, wherever it is in the document', () => {
  const def = withOs({ root: 'vdc' }, [disk('vda'), disk('vdc'), disk('vdb')]);
  assert.deepEqual(drives(def), [{ id: 'vdc', root: true }, { id: 'vda', root: false }, { id: 'vdb', root: false }]);
  assert.deepEqual(drives(withOs({ root: '/dev/vdb' }, [disk('vda'), disk('vdb')]))[0], { id: 'vdb', root: true });
});

test('without <root>, the first disk in target order is the root device', () => {
  const def = withOs({}, [disk('vdc'), disk('vdb')]);
  assert.deepEqual(drives(def), [{ id: 'vdb', root: true }, { id: 'vdc', root: false }]);
});

test('without <root>, an <initrd> or a root= in <cmdline> means no disk is the root device', () => {
  for (const os of [{ initrd: '/boot/initrd' }, { cmdline: 'console=ttyS0 root=/dev/vdb rw' }, { cmdline: 'root=PARTUUID=1234-01' }]) {
    assert.deepEqual(drives(withOs(os, [disk('vdb'), disk('vda')])), [{ id: 'vda', root: false }, { id: 'vdb', root: false }]);
  }
  // After `--` a root= is init's argument, not the kernel's.
  assert.deepEqual(drives(withOs({ cmdline: 'quiet -- root=x' }, [disk('vda')])), [{ id: 'vda', root: true }]);
});

test('<root> wins over an <initrd>', () => {
  assert.deepEqual(drives(withOs({ root: 'vda', initrd: '/boot/initrd' }, [disk('vda')])), [{ id: 'vda', root: true }]);
});

test('a <root> that names no disk is refused', () => {
  assertVirError(() => plan(withOs({ root: 'vdq' }, [disk('vda')]), v1_16), 'VIR_ERR_XML_ERROR',
    "XML error: <root>vdq</root> names no disk: no <disk> has <target dev='vdq'>");
});

test('a drive body has the id, the image, whether it is root and read-only, in every version', () => {
  for (const version of allVersions) {
    const [body] = requestsUnder(plan(withOs({}, [disk('vda', { readonly: true, source: '/srv/root.img' })]), version), '/drives/')
      .map((request) => request.body);
    assert.deepEqual(body, { drive_id: 'vda', path_on_host: '/srv/root.img', is_root_device: true, is_read_only: true });
  }
});

test('drive ids keep only letters, digits and underscores, and stay unique', () => {
  const def = withOs({ root: 'v-a' }, [disk('v-a'), disk('v.a'), disk('v_a')]);
  const requests = requestsUnder(plan(def, v1_16), '/drives/');
  assert.deepEqual(requests.map((request) => request.path), ['/drives/v_a', '/drives/v_a_2', '/drives/v_a_3']);
  assert.deepEqual(requests.map((request) => request.body.path_on_host), ['/images/v-a.ext4', '/images/v.a.ext4', '/images/v_a.ext4']);
});

function driveBody(overrides: Partial<DiskDef>, version = v1_16): Record<string, unknown> {
  const [request] = requestsUnder(plan(withOs({}, [disk('vda', overrides)]), version), '/drives/');
  return request?.body ?? assert.fail('no drive');
}

test('cache: unsafe → Unsafe; writeback and none → Writeback; default or absent → omitted', () => {
  for (const version of allVersions) {
    assert.equal(driveBody({ cache: 'unsafe' }, version).cache_type, 'Unsafe');
    assert.equal(driveBody({ cache: 'writeback' }, version).cache_type, 'Writeback');
    assert.equal(driveBody({ cache: 'none' }, version).cache_type, 'Writeback');
    assert.equal('cache_type' in driveBody({ cache: 'default' }, version), false);
    assert.equal('cache_type' in driveBody({}, version), false);
  }
});

test('cache writethrough and directsync are refused: Firecracker cannot write through', () => {
  for (const cache of ['writethrough', 'directsync'] as const) {
    assertVirError(() => driveBody({ cache }), 'VIR_ERR_CONFIG_UNSUPPORTED',
      `unsupported configuration: disk 'vda': cache='${cache}' is not supported: Firecracker cannot write through ` +
      "to the image on every write; use cache='writeback' or 'none' (flushes honoured) or 'unsafe'");
  }
});

test('io: threads → Sync and native/io_uring → Async on v1.x; absent → omitted', () => {
  for (const version of [v1_0, v1_16]) {
    assert.equal(driveBody({ io: 'threads' }, version).io_engine, 'Sync');
    assert.equal(driveBody({ io: 'native' }, version).io_engine, 'Async');
    assert.equal(driveBody({ io: 'io_uring' }, version).io_engine, 'Async');
    assert.equal('io_engine' in driveBody({}, version), false);
  }
});

test('io on v0.25: threads is what it does anyway (omitted); native and io_uring are refused', () => {
  assert.equal('io_engine' in driveBody({ io: 'threads' }, v0_25), false);
  for (const io of ['native', 'io_uring'] as const) {
    assertVirError(() => driveBody({ io }, v0_25), 'VIR_ERR_CONFIG_UNSUPPORTED',
      `unsupported configuration: io='${io}' needs Firecracker ≥ 1.0.0, found 0.25.2`);
  }
});

test('<iotune> becomes the drive\'s rate_limiter', () => {
  assert.deepEqual(driveBody({ iotune: { totalBytesSec: 10485760, totalIopsSec: 500 } }).rate_limiter, {
    bandwidth: { size: 10485760, refill_time: 1000 },
    ops: { size: 500, refill_time: 1000 },
  });
  assert.equal('rate_limiter' in driveBody({ iotune: {} }), false);
});
