import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainState, PausedReason, RunningReason } from '../../src/api/constants.js';
import { formatStatus, parseStatus, type StatusRecord } from '../../src/driver/status-file.js';
import { VirError } from '../../src/errors.js';

const domainXml = [
  "<domain type='firecracker' id='3' xmlns:fc='http://fcvirt.org/xmlns/domain/1.0'>",
  '  <name>demo</name>',
  '  <metadata>',
  '    <!-- a comment that says </domain> and <domain> -->',
  '  </metadata>',
  '</domain>',
  '',
].join('\n');

const record: StatusRecord = {
  state: DomainState.RUNNING,
  reason: RunningReason.BOOTED,
  domainId: 3,
  runtime: {
    pid: 1234,
    startTime: 987654,
    binary: "/opt/fire'cracker",
    version: '1.16.1',
    runtimeDir: '/run/libvirt/fc/u',
    apiSocket: '/run/libvirt/fc/u/api.sock',
    consoleLog: '/var/log/libvirt/fc/demo.log',
    consoleInput: '/run/libvirt/fc/u/console.in',
    consoleOwner: '/run/libvirt/fc/u/console.owner',
    ptyPath: '/dev/pts/4',
    tapsCreated: ['fctap0', 'tap<1>'],
    shutdownRequested: true,
    logOffset: 4096,
    autodestroy: 'b8f2c0de-connection',
  },
  domainXml,
};

test('a status file round-trips, the domain XML included verbatim', () => {
  const text = formatStatus(record);
  assert.match(text, /^<domstatus state='running' reason='booted' pid='1234' starttime='987654'>\n/);
  assert.match(text, /\n {2}<domain type='firecracker' id='3'/);
  const parsed = parseStatus(text);
  assert.deepEqual({ ...parsed, domainXml: undefined }, { ...record, domainXml: undefined });
  // Re-indented by two spaces in the file; conf parses the element whatever its indentation.
  assert.equal(parsed.domainXml.replace(/^ {2}/gm, ''), domainXml);
});

test('optional facts may be absent; reasons map by name', () => {
  const text = formatStatus({
    ...record,
    state: DomainState.PAUSED,
    reason: PausedReason.STARTING_UP,
    runtime: { ...record.runtime, ptyPath: undefined, tapsCreated: [], shutdownRequested: false, autodestroy: undefined },
  });
  const parsed = parseStatus(text);
  assert.equal(parsed.state, DomainState.PAUSED);
  assert.equal(parsed.reason, PausedReason.STARTING_UP);
  assert.equal(parsed.runtime.ptyPath, undefined);
  assert.deepEqual(parsed.runtime.tapsCreated, []);
  assert.equal(parsed.runtime.shutdownRequested, false);
  assert.equal(parsed.runtime.autodestroy, undefined);
  assert.doesNotMatch(text, /autodestroy/);
});

test('a damaged status file is an error, not a crash', () => {
  const text = formatStatus(record);
  for (const damaged of ['', text.slice(0, 40), text.replace("pid='1234'", "pid='x'"), text.replace('domstatus', 'other'), text.replace(/<domain /, '<nodomain ')]) {
    assert.throws(() => parseStatus(damaged), (error: unknown) => error instanceof VirError && /invalid status file/.test(error.message));
  }
});
