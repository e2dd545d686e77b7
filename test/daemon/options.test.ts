import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine } from '../../src/daemon/options.js';
import { daemonSockets } from '../../src/daemon/socket-paths.js';

const run = (argv: string[], privileged = true) => {
  const parsed = parseCommandLine(argv, privileged);
  assert.equal(parsed.action, 'run');
  return parsed.options;
};

test('the mode defaults to system for root and session for other users', () => {
  assert.deepEqual(run([]), { mode: 'system', root: undefined, timeoutSeconds: 0, verbose: false });
  assert.deepEqual(run([], false), { mode: 'session', root: undefined, timeoutSeconds: 0, verbose: false });
  assert.equal(run(['--session']).mode, 'session');
  assert.equal(run(['--system'], false).mode, 'system');
});

test('--timeout takes both spellings libvirt accepts, -v is --verbose, --root implies system', () => {
  // The stock client starts a session daemon with exactly "--timeout=120".
  assert.equal(run(['--timeout=120'], false).timeoutSeconds, 120);
  assert.equal(run(['--timeout', '5']).timeoutSeconds, 5);
  assert.equal(run(['-t', '7', '-v']).timeoutSeconds, 7);
  assert.equal(run(['-v']).verbose, true);
  assert.deepEqual(run(['--root', '/tmp/r'], false), { mode: 'system', root: '/tmp/r', timeoutSeconds: 0, verbose: false });
  assert.deepEqual(parseCommandLine(['--help'], true), { action: 'help' });
  assert.deepEqual(parseCommandLine(['-V'], true), { action: 'version' });
});

test('bad command lines are refused with a sentence that says what to do', () => {
  const refused = (argv: string[], pattern: RegExp) => {
    assert.throws(() => parseCommandLine(argv, true), (error: Error) => {
      assert.match(error.message, pattern);
      assert.match(error.message, /see 'virtfcd --help'/);
      return true;
    });
  };
  refused(['--system', '--session'], /--system and --session exclude each other/);
  refused(['--session', '--root', '/r'], /cannot be combined with --session/);
  refused(['--root', 'relative'], /absolute directory, not 'relative'/);
  refused(['--timeout=soon'], /Invalid value for timeout 'soon'/);
  refused(['--timeout=-1'], /Invalid value for timeout/);
  refused(['--listen'], /Unknown option '--listen'/);
  refused(['extra'], /Unexpected argument 'extra'/);
  refused(['--root'], /--root/);
});

test('sockets sit where the stock client looks: /run/libvirt for system, the runtime dir for session', () => {
  assert.deepEqual(daemonSockets({ mode: 'system', root: undefined }, {}), {
    rw: '/run/libvirt/virtfcd-sock',
    ro: '/run/libvirt/virtfcd-sock-ro',
    dir: '/run/libvirt',
    uri: 'fc:///system',
  });
  assert.deepEqual(daemonSockets({ mode: 'system', root: '/srv/fc/' }, {}), {
    rw: '/srv/fc/run/libvirt/virtfcd-sock',
    ro: '/srv/fc/run/libvirt/virtfcd-sock-ro',
    dir: '/srv/fc/run/libvirt',
    uri: 'fc:///system',
  });
  assert.deepEqual(daemonSockets({ mode: 'session', root: undefined }, { XDG_RUNTIME_DIR: '/run/user/1000' }), {
    rw: '/run/user/1000/libvirt/virtfcd-sock',
    ro: undefined,
    dir: '/run/user/1000/libvirt',
    uri: 'fc:///session',
  });
  // Without XDG_RUNTIME_DIR, GLib (and so libvirt) falls back to the cache dir.
  assert.equal(daemonSockets({ mode: 'session', root: undefined }, {}, '/home/u').rw, '/home/u/.cache/libvirt/virtfcd-sock');
  assert.equal(daemonSockets({ mode: 'session', root: undefined }, { XDG_CACHE_HOME: '/c' }, '/home/u').rw, '/c/libvirt/virtfcd-sock');
});
