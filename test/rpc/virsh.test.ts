// Debian's stock virsh (libvirt-clients 9.0.0) against the RPC server serving the in-memory
// Connection: every command of the brief, checked against virsh's exact output. The layouts
// are virsh's own (tools/virsh-domain*.c in libvirt 9.0.0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDaemon, type TestDaemon } from '../helpers/rpc-daemon.js';
import { testData, repoRoot } from '../helpers/paths.js';
import { run, which, type RunResult } from '../helpers/run.js';
import { waitFor } from '../helpers/wait.js';
import path from 'node:path';

const VIRSH = which('virsh');
const PYTHON = which('/usr/bin/python3');
const skip = VIRSH === null ? 'virsh is not installed (apt-get install libvirt-clients; .ci/run does)' : false;
const UUID = '6f1e5c36-1f3a-4f5e-9a38-2b8f0f3c2d11';
const DEMO_XML = testData('rpc', 'demo.xml');

function virshIn(daemon: TestDaemon) {
  const uri = `fc:///system?socket=${daemon.rwPath}`;
  const roUri = `fc:///system?socket=${daemon.roPath}`;
  return {
    uri,
    roUri,
    rw: (...args: string[]) => run(VIRSH ?? 'virsh', ['-c', uri, ...args]),
    ro: (...args: string[]) => run(VIRSH ?? 'virsh', ['-c', roUri, ...args]),
  };
}

function ok(stdout: string): RunResult {
  return { stdout, stderr: '', status: 0 };
}

function failed(stderr: string): RunResult {
  // virsh ends its (empty) output with a newline even when the command fails.
  return { stdout: '\n', stderr, status: 1 };
}

const LIST_EMPTY = ' Id   Name   State\n--------------------\n\n';
const liveXml = (id: number) => `<domain type='firecracker' id='${id}'>
  <name>demo</name>
  <uuid>${UUID}</uuid>
  <memory unit='KiB'>131072</memory>
  <currentMemory unit='KiB'>131072</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
  </os>
</domain>

`;

test('virsh: host commands, define, start, queries, suspend/resume, shutdown, destroy, undefine', { skip }, async () => {
  const daemon = await startTestDaemon();
  const virsh = virshIn(daemon);
  try {
    assert.deepEqual(await virsh.rw('list', '--all'), ok(LIST_EMPTY));
    assert.deepEqual(
      await virsh.rw('version'),
      ok('Compiled against library: libvirt 9.0.0\nUsing library: libvirt 9.0.0\nUsing API: FC 9.0.0\nRunning hypervisor: FC 1.7.0\n\n'),
    );
    assert.deepEqual(await virsh.rw('uri'), ok(`${virsh.uri}\n\n`));
    assert.deepEqual(await virsh.rw('hostname'), ok('fc-test-host\n\n'));
    assert.deepEqual(
      await virsh.rw('nodeinfo'),
      ok(
        [
          'CPU model:           x86_64',
          'CPU(s):              2',
          'CPU frequency:       2400 MHz',
          'CPU socket(s):       1',
          'Core(s) per socket:  2',
          'Thread(s) per core:  1',
          'NUMA cell(s):        1',
          'Memory size:         16384000 KiB',
          '',
          '',
        ].join('\n'),
      ),
    );
    const local = await daemon.hv.connect('fc:///system', true);
    const capabilities = await local.getCapabilities();
    await local.close();
    assert.deepEqual(await virsh.rw('capabilities'), ok(`${capabilities}\n\n`));

    assert.deepEqual(await virsh.rw('define', DEMO_XML), ok(`Domain 'demo' defined from ${DEMO_XML}\n\n`));
    assert.deepEqual(await virsh.rw('define', '--validate', DEMO_XML), ok(`Domain 'demo' defined from ${DEMO_XML}\n\n`));
    assert.deepEqual(
      await virsh.rw('list', '--all'),
      ok(' Id   Name   State\n-----------------------\n -    demo   shut off\n\n'),
    );
    assert.deepEqual(await virsh.rw('domid', 'demo'), ok('-\n\n'));
    assert.deepEqual(await virsh.rw('start', 'demo'), ok("Domain 'demo' started\n\n"));
    const id = [...daemon.hv.domains.values()][0]?.id ?? -1;
    assert.ok(id > 0);
    assert.deepEqual(
      await virsh.rw('dominfo', 'demo'),
      ok(
        [
          `Id:             ${id}`,
          'Name:           demo',
          `UUID:           ${UUID}`,
          'OS Type:        hvm',
          'State:          running',
          'CPU(s):         2',
          'CPU time:       1.5s',
          'Max memory:     131072 KiB',
          'Used memory:    131072 KiB',
          'Persistent:     yes',
          'Autostart:      disable',
          'Managed save:   no',
          '',
          '',
        ].join('\n'),
      ),
    );
    assert.deepEqual(await virsh.rw('domstate', 'demo'), ok('running\n\n'));
    assert.deepEqual(await virsh.rw('domstate', '--reason', 'demo'), ok('running (booted)\n\n'));
    assert.deepEqual(await virsh.rw('dumpxml', 'demo'), ok(liveXml(id)));
    assert.deepEqual(
      await virsh.rw('dumpxml', '--inactive', 'demo'),
      ok(liveXml(id).replace(` id='${id}'`, '')),
    );
    assert.deepEqual(await virsh.rw('autostart', 'demo'), ok("Domain 'demo' marked as autostarted\n\n"));
    assert.match((await virsh.rw('dominfo', 'demo')).stdout, /^Autostart: {6}enable$/m);
    assert.deepEqual(await virsh.rw('autostart', '--disable', 'demo'), ok("Domain 'demo' unmarked as autostarted\n\n"));
    assert.deepEqual(await virsh.rw('domid', 'demo'), ok(`${id}\n\n`));
    assert.deepEqual(await virsh.rw('domuuid', 'demo'), ok(`${UUID}\n\n`));
    assert.deepEqual(await virsh.rw('domname', String(id)), ok('demo\n\n'));
    assert.deepEqual(await virsh.rw('domname', UUID), ok('demo\n\n'));
    assert.deepEqual(await virsh.rw('suspend', 'demo'), ok("Domain 'demo' suspended\n\n"));
    assert.deepEqual(await virsh.rw('domstate', '--reason', 'demo'), ok('paused (user)\n\n'));
    assert.deepEqual(
      await virsh.rw('list'),
      ok(` Id   Name   State\n---------------------\n ${id}    demo   paused\n\n`),
    );
    assert.deepEqual(await virsh.rw('resume', 'demo'), ok("Domain 'demo' resumed\n\n"));
    assert.deepEqual(await virsh.rw('reboot', 'demo'), ok("Domain 'demo' is being rebooted\n\n"));
    assert.deepEqual(await virsh.rw('domstate', '--reason', 'demo'), ok('running (unpaused)\n\n'));
    assert.deepEqual(await virsh.rw('shutdown', 'demo'), ok("Domain 'demo' is being shutdown\n\n"));
    assert.deepEqual(await virsh.rw('domstate', '--reason', 'demo'), ok('shut off (shutdown)\n\n'));
    assert.deepEqual(await virsh.rw('start', 'demo'), ok("Domain 'demo' started\n\n"));
    assert.deepEqual(await virsh.rw('destroy', 'demo'), ok("Domain 'demo' destroyed\n\n"));
    assert.deepEqual(await virsh.rw('domstate', '--reason', 'demo'), ok('shut off (destroyed)\n\n'));
    assert.deepEqual(await virsh.rw('undefine', 'demo'), ok("Domain 'demo' has been undefined\n\n"));
    assert.deepEqual(await virsh.rw('list', '--all'), ok(LIST_EMPTY));
    // create: a transient domain, gone once it stops.
    assert.deepEqual(await virsh.rw('create', DEMO_XML), ok(`Domain 'demo' created from ${DEMO_XML}\n\n`));
    assert.match((await virsh.rw('dominfo', 'demo')).stdout, /^Persistent: {5}no$/m);
    assert.deepEqual(await virsh.rw('destroy', 'demo'), ok("Domain 'demo' destroyed\n\n"));
    assert.deepEqual(await virsh.rw('list', '--all'), ok(LIST_EMPTY));
    assert.deepEqual(
      await virsh.rw('start', 'demo'),
      failed("error: failed to get domain 'demo'\n"),
    );
    // virsh never had to fall back: nothing it sent was answered NO_SUPPORT.
    assert.deepEqual(daemon.log.filter((line) => line.startsWith('unsupported')), []);
    assert.equal(daemon.hv.openCount, 0);
  } finally {
    await daemon.close();
  }
});

test('virsh -r: reads work, changes are refused with libvirt\'s message', { skip }, async () => {
  const daemon = await startTestDaemon();
  const virsh = virshIn(daemon);
  try {
    await virsh.rw('define', DEMO_XML);
    assert.deepEqual(
      await virsh.ro('list', '--all'),
      ok(' Id   Name   State\n-----------------------\n -    demo   shut off\n\n'),
    );
    const refusal = failed("error: Failed to start domain 'demo'\nerror: operation forbidden: read only access prevents virDomainCreate\n");
    assert.deepEqual(await virsh.ro('start', 'demo'), refusal);
    assert.deepEqual(await run(VIRSH ?? 'virsh', ['-r', '-c', virsh.uri, 'start', 'demo']), refusal);
    assert.deepEqual(
      await virsh.ro('undefine', 'demo'),
      failed("error: Failed to undefine domain 'demo'\nerror: operation forbidden: read only access prevents virDomainUndefineFlags\n"),
    );
    assert.deepEqual(
      await virsh.ro('autostart', 'demo'),
      failed("error: Failed to mark domain 'demo' as autostarted\nerror: operation forbidden: read only access prevents virDomainSetAutostart\n"),
    );
    assert.deepEqual(
      await virsh.ro('define', DEMO_XML),
      failed(`error: Failed to define domain from ${DEMO_XML}\nerror: operation forbidden: read only access prevents virDomainDefineXML\n`),
    );
    await virsh.rw('start', 'demo');
    assert.deepEqual(
      await virsh.ro('destroy', 'demo'),
      failed("error: Failed to destroy domain 'demo'\nerror: operation forbidden: read only access prevents virDomainDestroy\n"),
    );
    assert.deepEqual(await virsh.ro('domstate', '--reason', 'demo'), ok('running (booted)\n\n'));
    // The -ro socket and virsh -r both open read-only; the two rw calls do not.
    assert.deepEqual(
      daemon.hv.opened.map((o) => o.readOnly),
      [false, true, true, true, true, true, true, false, true, true],
    );
  } finally {
    await daemon.close();
  }
});

test('virsh event --all --loop prints every lifecycle and reboot event', { skip }, async () => {
  const daemon = await startTestDaemon();
  const virsh = virshIn(daemon);
  try {
    await virsh.rw('define', DEMO_XML);
    const events = virsh.rw('event', '--all', '--loop', '--timeout', '3');
    // virsh registers all 27 event ids, then its timeout starts.
    await waitFor(() => daemon.hv.listenerCount === 27, 'virsh to register its callbacks', 10_000);
    const conn = await daemon.hv.connect('fc:///system', false);
    const dom = await conn.lookupByName('demo');
    await dom.create();
    await dom.suspend();
    await dom.resume();
    await dom.reboot();
    await dom.shutdown();
    await dom.create();
    await dom.destroy();
    await dom.undefine();
    await conn.close();
    assert.deepEqual(
      await events,
      ok(
        [
          "event 'lifecycle' for domain 'demo': Started Booted",
          "event 'lifecycle' for domain 'demo': Suspended Paused",
          "event 'lifecycle' for domain 'demo': Resumed Unpaused",
          "event 'reboot' for domain 'demo'",
          "event 'lifecycle' for domain 'demo': Shutdown Finished",
          "event 'lifecycle' for domain 'demo': Stopped Shutdown",
          "event 'lifecycle' for domain 'demo': Started Booted",
          "event 'lifecycle' for domain 'demo': Stopped Destroyed",
          "event 'lifecycle' for domain 'demo': Undefined Removed",
          'event loop timed out',
          'events received: 9',
          '',
          '',
        ].join('\n'),
      ),
    );
    await waitFor(() => daemon.hv.listenerCount === 0, 'virsh to deregister');
  } finally {
    await daemon.close();
  }
});

test('virsh console: guest output, typed line echoed, ctrl-] leaves; guest stop ends it', { skip: skip || (PYTHON === null ? '/usr/bin/python3 is missing' : false) }, async () => {
  const daemon = await startTestDaemon();
  const virsh = virshIn(daemon);
  const ptyRun = path.join(repoRoot, 'test', 'helpers', 'pty-run.py');
  const console = (script: unknown[]) =>
    run(PYTHON ?? 'python3', [ptyRun, JSON.stringify(script), VIRSH ?? 'virsh', '-c', virsh.uri, 'console', 'demo'], {
      timeoutMs: 30_000,
    });
  // virsh tries pkttyagent when it has a tty; without polkit it prints this, whatever the daemon.
  const polkit = /^Authorization not available\..*\r\n/;
  try {
    await virsh.rw('define', DEMO_XML);
    await virsh.rw('start', 'demo');
    const first = await console([{ expect: 'login: ' }, { send: 'root\r' }, { expect: 'root\r\n' }, { send: '\x1d' }]);
    assert.equal(first.status, 0, first.stderr);
    const transcript = JSON.parse(first.stdout) as { output: string; status: number | null; error: string | null };
    assert.equal(transcript.error, null);
    assert.equal(transcript.status, 0);
    assert.equal(
      transcript.output.replace(polkit, ''),
      "Connected to domain 'demo'\r\nEscape character is ^] (Ctrl + ])\r\n\r\ndemo login: root\r\n\r\n",
    );
    // The console is free again, and a guest stop ends the session by itself.
    const second = await console([{ expect: 'login: ' }, { run: [VIRSH, '-c', virsh.uri, 'destroy', 'demo'] }]);
    const ended = JSON.parse(second.stdout) as { output: string; status: number | null; error: string | null };
    assert.equal(ended.error, null);
    assert.equal(ended.status, 0);
    assert.equal(ended.output.replace(polkit, ''), "Connected to domain 'demo'\r\nEscape character is ^] (Ctrl + ])\r\n\r\ndemo login: \r\n");
    assert.deepEqual(await virsh.rw('domstate', 'demo'), ok('shut off\n\n'));
    // A read-only client may not take the console.
    await virsh.rw('start', 'demo');
    const refused = await run(
      PYTHON ?? 'python3',
      [ptyRun, '[]', VIRSH ?? 'virsh', '-c', virsh.roUri, 'console', 'demo'],
      { timeoutMs: 30_000 },
    );
    const denied = JSON.parse(refused.stdout) as { output: string; status: number | null; error: string | null };
    assert.equal(denied.status, 1);
    assert.equal(
      denied.output.replace(polkit, ''),
      // virsh announces the console before it asks for it (virshRunConsole).
      "Connected to domain 'demo'\r\nEscape character is ^] (Ctrl + ])\r\n" +
        'error: operation forbidden: read only access prevents virDomainOpenConsole\r\n\r\n',
    );
    await waitFor(() => daemon.hv.openCount === 0, 'virsh connections to close');
  } finally {
    await daemon.close();
  }
});
