import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSocketPath, domainPaths, planPaths, rootLayout, sessionLayout, systemLayout } from '../../src/driver/paths.js';
import { domain } from '../firecracker/helpers/domain.js';
import { VirError } from '../../src/errors.js';

test('the system layout is libvirt\'s', () => {
  const layout = systemLayout();
  assert.equal(layout.configDir, '/etc/libvirt/fc');
  assert.equal(layout.autostartDir, '/etc/libvirt/fc/autostart');
  assert.equal(layout.stateDir, '/run/libvirt/fc');
  assert.equal(layout.logDir, '/var/log/libvirt/fc');
  assert.equal(layout.autostartStamp, '/run/libvirt/fc/fc-autostarted');
});

test('a root relocates the same tree', () => {
  const layout = rootLayout('/tmp/r/');
  assert.equal(layout.root, '/tmp/r');
  assert.equal(layout.configDir, '/tmp/r/etc/libvirt/fc');
  assert.equal(layout.stateDir, '/tmp/r/run/libvirt/fc');
  assert.equal(layout.logDir, '/tmp/r/var/log/libvirt/fc');
  assert.throws(() => rootLayout('relative/dir'), (error: unknown) =>
    error instanceof VirError && error.codeName === 'VIR_ERR_INVALID_ARG' && /must be an absolute path/.test(error.message));
});

test('the session layout follows the XDG variables', () => {
  const layout = sessionLayout({ XDG_CONFIG_HOME: '/c', XDG_CACHE_HOME: '/k', XDG_RUNTIME_DIR: '/r' }, '/home/u');
  assert.equal(layout.configDir, '/c/libvirt/fc');
  assert.equal(layout.stateDir, '/r/libvirt/fc');
  assert.equal(layout.logDir, '/k/libvirt/fc/log');
  const defaults = sessionLayout({}, '/home/u');
  assert.equal(defaults.configDir, '/home/u/.config/libvirt/fc');
  assert.equal(defaults.stateDir, '/home/u/.cache/libvirt/fc');
});

test('domain paths: files by name, the runtime dir by uuid', () => {
  const paths = domainPaths(systemLayout(), 'demo', '4dea22b3-1d52-d8f3-2516-782e98ab3fa0');
  assert.equal(paths.configFile, '/etc/libvirt/fc/demo.xml');
  assert.equal(paths.autostartLink, '/etc/libvirt/fc/autostart/demo.xml');
  assert.equal(paths.autostartTarget, '../demo.xml');
  assert.equal(paths.statusFile, '/run/libvirt/fc/demo.xml');
  assert.equal(paths.apiSocket, '/run/libvirt/fc/4dea22b3-1d52-d8f3-2516-782e98ab3fa0/api.sock');
  assert.equal(paths.logFile, '/var/log/libvirt/fc/demo.log');
});

test('socket paths over the sun_path limit are refused clearly', () => {
  checkSocketPath('/run/libvirt/fc/x/api.sock', 'API socket');
  const long = `/${'d'.repeat(120)}/api.sock`;
  assert.throws(() => { checkSocketPath(long, 'API socket'); }, (error: unknown) =>
    error instanceof VirError && error.codeName === 'VIR_ERR_CONFIG_UNSUPPORTED' && /107-byte limit of UNIX socket paths; use a shorter root directory/.test(error.message));
  assert.throws(() => { checkSocketPath(`/${'d'.repeat(100)}`, 'vsock socket', 11); }, VirError);
});

test('the plan gets the vsock socket of the runtime dir, and no logger or metrics files', () => {
  const uuid = '4196935a-e7bf-4f9e-915e-abf1094ce0d6';
  assert.deepEqual(planPaths(systemLayout(), domain({ name: 'web', uuid })), {});
  assert.deepEqual(planPaths(rootLayout('/srv/fc'), domain({ name: 'web', uuid, vsock: { model: 'virtio', cid: 3 } })), {
    vsockUdsPath: `/srv/fc/run/libvirt/fc/${uuid}/vsock.sock`,
  });
});
