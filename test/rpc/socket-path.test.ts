import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remoteTarget } from '../../src/rpc/client/socket-path.js';

test('system URIs reach /var/run/libvirt/virtfcd-sock, -ro when read-only', () => {
  assert.deepEqual(remoteTarget('fc:///system', false), { socketPath: '/var/run/libvirt/virtfcd-sock', name: 'fc:///system' });
  assert.deepEqual(remoteTarget('fc+unix:///system', true), { socketPath: '/var/run/libvirt/virtfcd-sock-ro', name: 'fc:///system' });
});

test('?socket= wins and, like every client-only parameter, is not sent to the daemon', () => {
  assert.deepEqual(remoteTarget('fc:///system?socket=/tmp/s&mode=direct&extra=1', false), {
    socketPath: '/tmp/s',
    name: 'fc:///system?extra=1',
  });
});

test('other transports are refused with a clear error', () => {
  assert.throws(() => remoteTarget('fc+ssh://host/system', false), /transport 'ssh'/);
  assert.throws(() => remoteTarget('::', false), /not a URI/);
});
