import { test } from 'node:test';
import assert from 'node:assert/strict';
import { remoteTarget } from '../../src/rpc/client/socket-path.js';

test('system URIs reach /var/run/libvirt/virtfcd-sock, -ro when read-only', () => {
  assert.deepEqual(remoteTarget('fc:///system', false), { socketPath: '/var/run/libvirt/virtfcd-sock', name: 'fc:///system', autostart: false });
  assert.deepEqual(remoteTarget('fc+unix:///system', true), { socketPath: '/var/run/libvirt/virtfcd-sock-ro', name: 'fc:///system', autostart: false });
});

test('?socket= wins and, like every client-only parameter, is not sent to the daemon', () => {
  assert.deepEqual(remoteTarget('fc:///system?socket=/tmp/s&mode=direct&extra=1', false), {
    socketPath: '/tmp/s',
    name: 'fc:///system?extra=1',
    autostart: false,
  });
  // An explicit socket is never auto-started, session or not.
  assert.equal(remoteTarget('fc:///session?socket=/tmp/s', false, {}, false).autostart, false);
});

test('a user\'s session URI reaches the runtime dir and may start a daemon; root\'s reaches the system socket', () => {
  assert.deepEqual(remoteTarget('fc:///session', false, { XDG_RUNTIME_DIR: '/run/user/1000' }, false), {
    socketPath: '/run/user/1000/libvirt/virtfcd-sock',
    name: 'fc:///session',
    autostart: true,
  });
  // There is no read-only session socket: the flag travels in CONNECT_OPEN.
  assert.equal(remoteTarget('fc:///session', true, { XDG_RUNTIME_DIR: '/run/user/1000' }, false).socketPath, '/run/user/1000/libvirt/virtfcd-sock');
  assert.equal(remoteTarget('fc:///session', false, { XDG_RUNTIME_DIR: '/x', LIBVIRT_AUTOSTART: '0' }, false).autostart, false);
  assert.deepEqual(remoteTarget('fc:///session', false, { XDG_RUNTIME_DIR: '/run/user/0' }, true), {
    socketPath: '/var/run/libvirt/virtfcd-sock',
    name: 'fc:///session',
    autostart: false,
  });
});

test('other transports are refused with a clear error', () => {
  assert.throws(() => remoteTarget('fc+ssh://host/system', false), /transport 'ssh'/);
  // A host without a transport means TLS to libvirt.
  assert.throws(() => remoteTarget('fc://host/system', false), /transport 'tls'/);
  assert.throws(() => remoteTarget('::', false), /not a URI/);
});
