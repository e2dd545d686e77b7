// Debian's stock virsh against virtfcd serving the fc driver (backed by the Firecracker test
// double), through the seed's workflow, checking virsh's exact output. virtfcd runs inside a
// network namespace of the test's own, so the taps of the seed's example (tap0, tap2) are made
// there and never on the host.
//
// What the test environment forces on the seed's example XML, and nothing else: the kernel and
// root filesystem paths (they must exist; the double never reads them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { domainXml, fakeBackend } from '../helpers/fc-backend.js';
import { linksIn, testNetns } from '../helpers/netns.js';
import { repoRoot, testData } from '../helpers/paths.js';
import { run, which, type RunResult } from '../helpers/run.js';
import { makeDaemonRoot, type DaemonRoot } from '../helpers/virtfcd.js';
import { waitFor } from '../helpers/wait.js';

const VIRSH = which('virsh');
const PYTHON = which('/usr/bin/python3');
const skip = VIRSH === null ? 'virsh is not installed (apt-get install libvirt-clients; .ci/run does)' : PYTHON === null ? '/usr/bin/python3 is missing' : false;
const PTY_RUN = path.join(repoRoot, 'test', 'helpers', 'pty-run.py');
const NAME = 'demo_domain';
// virsh tries pkttyagent when it has a tty; without polkit it prints this, whatever the daemon.
const POLKIT = /^Authorization not available\..*\r\n/;

/** The seed's example, adjusted only as the header says. */
async function seedXml(dir: string): Promise<string> {
  const seed = await fs.readFile(testData('xml2xml', 'seed-example.xml'), 'utf8');
  const xml = seed
    .replace('/home/user/kernels/hello-vmlinux.bin', fakeBackend.kernel)
    .replace('/home/ec2-user/LV/myownfiles/isos/hello-rootfs.ext4', fakeBackend.rootfs);
  const file = path.join(dir, 'demo_domain.xml');
  await fs.writeFile(file, xml);
  return file;
}

function ok(stdout: string): RunResult {
  return { stdout, stderr: '', status: 0 };
}

function failed(stderr: string): RunResult {
  return { stdout: '\n', stderr, status: 1 };
}

function virshOn(daemon: DaemonRoot) {
  return {
    rw: (...args: string[]) => run(VIRSH ?? 'virsh', ['-c', daemon.uri, ...args]),
    ro: (...args: string[]) => run(VIRSH ?? 'virsh', ['-c', daemon.roUri, ...args]),
  };
}

interface Transcript {
  output: string;
  status: number | null;
  error: string | null;
}

async function consoleSession(uri: string, domain: string, script: unknown[]): Promise<Transcript> {
  const result = await run(PYTHON ?? 'python3', [PTY_RUN, JSON.stringify(script), VIRSH ?? 'virsh', '-c', uri, 'console', domain], { timeoutMs: 40_000 });
  const transcript = JSON.parse(result.stdout) as Transcript;
  return { ...transcript, output: transcript.output.replace(POLKIT, '') };
}

/** `virsh event --all --loop` running in the background; stop() interrupts it as ctrl-c does. */
function eventLoop(uri: string) {
  const child = spawn(VIRSH ?? 'virsh', ['-c', uri, 'event', '--all', '--loop'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    get stdout() {
      return stdout;
    },
    async stop(): Promise<RunResult> {
      child.kill('SIGINT');
      const status = await exited;
      return { stdout, stderr, status };
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}

const registered = (stderr: string) => stderr.split('\n').filter((line) => line.includes('CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY') && line.endsWith(': ok')).length;

test('virsh: the seed workflow against virtfcd — define, list, start, dominfo, domstate, dumpxml, console, suspend, resume, reboot, shutdown, destroy, undefine, events', { skip }, async (t) => {
  const netns = await testNetns(t);
  if (netns === undefined) return;
  const root = await makeDaemonRoot(t, netns);
  const daemon = await root.start(['--verbose']);
  const virsh = virshOn(root);
  const file = await seedXml(root.root);

  const events = eventLoop(root.uri);
  t.after(() => {
    events.kill();
  });
  // virsh registers all 27 event ids before it waits.
  await waitFor(() => registered(daemon.stderr) === 27, 'virsh event to register its callbacks', 15_000);

  assert.deepEqual(await virsh.rw('define', file), ok(`Domain '${NAME}' defined from ${file}\n\n`));
  assert.deepEqual(await virsh.rw('list', '--all'), ok(' Id   Name          State\n------------------------------\n -    demo_domain   shut off\n\n'));
  const uuid = (await virsh.rw('domuuid', NAME)).stdout.trim();
  assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const inactive = (await virsh.rw('dumpxml', '--inactive', NAME)).stdout;
  const macs = [...inactive.matchAll(/<mac address='([0-9a-f:]+)'\/>/g)].map((match) => match[1] ?? '');
  assert.equal(macs.length, 2);

  assert.deepEqual(await virsh.rw('start', NAME), ok(`Domain '${NAME}' started\n\n`));
  assert.deepEqual((await linksIn(netns)).map((link) => link.ifname).sort(), ['lo', 'tap0', 'tap2']);
  assert.deepEqual(await virsh.rw('list'), ok(' Id   Name          State\n-----------------------------\n 1    demo_domain   running\n\n'));
  const info = await virsh.rw('dominfo', NAME);
  assert.equal(info.status, 0);
  assert.equal(
    info.stdout.replace(/^CPU time: {7}\d+\.\ds$/m, 'CPU time:       N'),
    [
      'Id:             1',
      'Name:           demo_domain',
      `UUID:           ${uuid}`,
      'OS Type:        hvm',
      'State:          running',
      'CPU(s):         4',
      'CPU time:       N',
      'Max memory:     1048576 KiB',
      'Used memory:    1048576 KiB',
      'Persistent:     yes',
      'Autostart:      disable',
      'Managed save:   no',
      '',
      '',
    ].join('\n'),
  );
  assert.deepEqual(await virsh.rw('domstate', NAME), ok('running\n\n'));
  assert.deepEqual(await virsh.rw('domstate', '--reason', NAME), ok('running (booted)\n\n'));
  assert.deepEqual(await virsh.rw('domid', NAME), ok('1\n\n'));
  assert.deepEqual(await virsh.rw('domname', '1'), ok(`${NAME}\n\n`));
  assert.deepEqual(await virsh.rw('domname', uuid), ok(`${NAME}\n\n`));
  const live = await virsh.rw('dumpxml', NAME);
  assert.equal(live.status, 0);
  // virtfcd offers a pty bridged to the console, as libvirt's daemons do.
  const pty = /<source path='(\/dev\/pts\/\d+)'\/>/.exec(live.stdout)?.[1] ?? '';
  assert.ok((await fs.stat(pty)).isCharacterDevice(), `${pty} is a pty`);
  assert.deepEqual(await virsh.rw('ttyconsole', NAME), ok(`${pty}\n\n`));
  assert.equal(
    live.stdout,
    `<domain type='firecracker' id='1'>
  <name>demo_domain</name>
  <uuid>${uuid}</uuid>
  <memory unit='KiB'>1048576</memory>
  <currentMemory unit='KiB'>1048576</currentMemory>
  <vcpu placement='static'>4</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>${fakeBackend.kernel}</kernel>
    <cmdline>panic=1</cmdline>
    <root>vda</root>
  </os>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <source file='${fakeBackend.rootfs}'/>
      <target dev='vda' bus='virtio'/>
      <alias name='virtio-disk0'/>
    </disk>
    <interface type='ethernet'>
      <mac address='${macs[0] ?? ''}'/>
      <target dev='tap0'/>
      <guest dev='eth0'/>
      <alias name='net0'/>
    </interface>
    <interface type='ethernet'>
      <mac address='${macs[1] ?? ''}'/>
      <target dev='tap2'/>
      <guest dev='eth1'/>
      <alias name='net1'/>
    </interface>
    <serial type='pty'>
      <source path='${pty}'/>
      <target port='0'/>
      <alias name='serial0'/>
    </serial>
    <console type='pty' tty='${pty}'>
      <source path='${pty}'/>
      <target type='serial' port='0'/>
      <alias name='serial0'/>
    </console>
  </devices>
</domain>

`,
  );
  assert.equal((await virsh.rw('dumpxml', '--inactive', NAME)).stdout, inactive);

  // The console: as on a real serial line, what the guest printed before is gone; Enter
  // brings a fresh prompt, a typed line is echoed and run, ctrl-] leaves.
  const session = await consoleSession(root.uri, NAME, [
    { expect: 'Escape character is ^] (Ctrl + ])\r\n' },
    // What is typed before virsh makes the terminal raw is flushed: wait for raw mode.
    { wait_raw: true },
    { send: '\r' },
    { expect: 'fcguest# ' },
    { send: 'echo hello from virsh\r' },
    { expect: 'hello from virsh\r\nfcguest# ' },
    { send: '\x1d' },
  ]);
  assert.equal(session.error, null, session.output);
  assert.equal(session.status, 0);
  assert.equal(
    session.output,
    "Connected to domain 'demo_domain'\r\nEscape character is ^] (Ctrl + ])\r\n\r\nfcguest# echo hello from virsh\r\nhello from virsh\r\nfcguest# \r\n",
  );

  assert.deepEqual(await virsh.rw('suspend', NAME), ok(`Domain '${NAME}' suspended\n\n`));
  assert.deepEqual(await virsh.rw('domstate', '--reason', NAME), ok('paused (user)\n\n'));
  assert.deepEqual(await virsh.rw('resume', NAME), ok(`Domain '${NAME}' resumed\n\n`));
  assert.deepEqual(await virsh.rw('domstate', '--reason', NAME), ok('running (unpaused)\n\n'));
  // A reboot is a fresh Firecracker process with the same id (<on_reboot>restart).
  assert.deepEqual(await virsh.rw('reboot', NAME), ok(`Domain '${NAME}' is being rebooted\n\n`));
  await waitFor(() => events.stdout.includes(`event 'reboot' for domain '${NAME}'`), 'the reboot event', 15_000);
  assert.deepEqual(await virsh.rw('domid', NAME), ok('1\n\n'));
  assert.deepEqual(await virsh.rw('shutdown', NAME), ok(`Domain '${NAME}' is being shutdown\n\n`));
  await waitFor(async () => (await virsh.rw('domstate', NAME)).stdout === 'shut off\n\n', 'the guest to shut down', 15_000);
  assert.deepEqual(await virsh.rw('domstate', '--reason', NAME), ok('shut off (shutdown)\n\n'));
  assert.deepEqual(await virsh.rw('start', NAME), ok(`Domain '${NAME}' started\n\n`));
  assert.deepEqual(await virsh.rw('destroy', NAME), ok(`Domain '${NAME}' destroyed\n\n`));
  assert.deepEqual(await virsh.rw('domstate', '--reason', NAME), ok('shut off (destroyed)\n\n'));
  assert.deepEqual((await linksIn(netns)).map((link) => link.ifname), ['lo']);
  assert.deepEqual(await virsh.rw('undefine', NAME), ok(`Domain '${NAME}' has been undefined\n\n`));
  assert.deepEqual(await virsh.rw('list', '--all'), ok(' Id   Name   State\n--------------------\n\n'));

  await waitFor(() => events.stdout.includes('Undefined Removed'), 'the last event', 10_000);
  assert.deepEqual(
    await events.stop(),
    ok(
      [
        `event 'lifecycle' for domain '${NAME}': Defined Added`,
        `event 'lifecycle' for domain '${NAME}': Started Booted`,
        `event 'lifecycle' for domain '${NAME}': Suspended Paused`,
        `event 'lifecycle' for domain '${NAME}': Resumed Unpaused`,
        `event 'reboot' for domain '${NAME}'`,
        `event 'lifecycle' for domain '${NAME}': Stopped Shutdown`,
        `event 'lifecycle' for domain '${NAME}': Started Booted`,
        `event 'lifecycle' for domain '${NAME}': Stopped Destroyed`,
        `event 'lifecycle' for domain '${NAME}': Undefined Removed`,
        'event loop interrupted',
        'events received: 9',
        '',
        '',
      ].join('\n'),
    ),
  );
  // virsh never had to fall back: nothing it sent was answered NO_SUPPORT, and no warning.
  await waitFor(() => daemon.stderr.includes('disconnected'), 'the clients to leave');
  assert.deepEqual(daemon.stderr.split('\n').filter((line) => / (warning|error) : /.test(line) || line.includes('unsupported')), []);
  assert.equal(await daemon.stop(), 0);
});

test('virsh: host commands, a transient domain, reboot, autostart, and the read-only socket\'s refusals', { skip }, async (t) => {
  const root = await makeDaemonRoot(t);
  const daemon = await root.start();
  const virsh = virshOn(root);
  const file = path.join(root.root, 'plain.xml');
  await fs.writeFile(file, domainXml(fakeBackend, { name: 'plain' }));

  assert.deepEqual(
    await virsh.rw('version'),
    ok('Compiled against library: libvirt 9.0.0\nUsing library: libvirt 9.0.0\nUsing API: FC 9.0.0\nRunning hypervisor: FC 1.16.1\n\n'),
  );
  assert.deepEqual(await virsh.rw('uri'), ok(`${root.uri}\n\n`));
  assert.deepEqual(await virsh.rw('hostname'), ok(`${os.hostname()}\n\n`));
  assert.deepEqual(await virsh.rw('maxvcpus'), ok('32\n\n'));
  assert.deepEqual(await virsh.rw('maxvcpus', '--type', 'kvm'), failed("error: invalid argument: unknown type 'kvm'\n"));
  const nodeinfo = await virsh.rw('nodeinfo');
  assert.equal(nodeinfo.status, 0);
  assert.match(nodeinfo.stdout, new RegExp(`^CPU model: +${process.arch === 'x64' ? 'x86_64' : 'aarch64'}\nCPU\\(s\\): +${os.cpus().length}\n`));
  assert.match(nodeinfo.stdout, new RegExp(`\nMemory size: +${Math.floor(os.totalmem() / 1024)} KiB\n\n$`));
  const capabilities = await virsh.rw('capabilities');
  assert.equal(capabilities.status, 0);
  assert.match(capabilities.stdout, /^<capabilities>\n/);
  assert.match(capabilities.stdout, /<guest>\n\s+<os_type>hvm<\/os_type>\n[\s\S]*<domain type='firecracker'/);

  // A transient domain: create, reboot (a fresh process, same id), gone once destroyed.
  assert.deepEqual(await virsh.rw('create', file), ok(`Domain 'plain' created from ${file}\n\n`));
  assert.match((await virsh.rw('dominfo', 'plain')).stdout, /^Persistent: {5}no$/m);
  assert.deepEqual(await virsh.rw('reboot', 'plain'), ok("Domain 'plain' is being rebooted\n\n"));
  await waitFor(async () => (await virsh.rw('domstate', '--reason', 'plain')).stdout === 'running (booted)\n\n', 'the reboot', 15_000);
  assert.deepEqual(await virsh.rw('domid', 'plain'), ok('1\n\n'));
  assert.deepEqual(await virsh.rw('destroy', 'plain'), ok("Domain 'plain' destroyed\n\n"));
  assert.deepEqual(await virsh.rw('list', '--all'), ok(' Id   Name   State\n--------------------\n\n'));

  // Persistent: autostart, and what the read-only socket may not do.
  assert.deepEqual(await virsh.rw('define', file), ok(`Domain 'plain' defined from ${file}\n\n`));
  // No vCPU hotplug: every count is <vcpu>; an inactive domain has no live counts.
  assert.deepEqual(await virsh.rw('vcpucount', 'plain'), ok('maximum      config         1\ncurrent      config         1\n\n'));
  assert.deepEqual(await virsh.rw('vcpucount', '--live', 'plain'), failed('error: Requested operation is not valid: domain is not running\n'));
  assert.deepEqual(await virsh.rw('autostart', 'plain'), ok("Domain 'plain' marked as autostarted\n\n"));
  assert.match((await virsh.rw('dominfo', 'plain')).stdout, /^Autostart: {6}enable$/m);
  await fs.access(path.join(root.root, 'etc/libvirt/fc/autostart/plain.xml'));
  assert.deepEqual(await virsh.rw('autostart', '--disable', 'plain'), ok("Domain 'plain' unmarked as autostarted\n\n"));

  const refused = (verb: string, api: string) => failed(`error: ${verb}\nerror: operation forbidden: read only access prevents ${api}\n`);
  assert.deepEqual(await virsh.ro('list', '--all'), ok(' Id   Name    State\n------------------------\n -    plain   shut off\n\n'));
  assert.deepEqual(await virsh.ro('start', 'plain'), refused("Failed to start domain 'plain'", 'virDomainCreate'));
  assert.deepEqual(await virsh.ro('define', file), refused(`Failed to define domain from ${file}`, 'virDomainDefineXML'));
  assert.deepEqual(await virsh.ro('undefine', 'plain'), refused("Failed to undefine domain 'plain'", 'virDomainUndefineFlags'));
  assert.deepEqual(await virsh.ro('autostart', 'plain'), refused("Failed to mark domain 'plain' as autostarted", 'virDomainSetAutostart'));
  assert.deepEqual(await virsh.ro('create', file), refused(`Failed to create domain from ${file}`, 'virDomainCreateXML'));
  assert.deepEqual(await virsh.rw('start', 'plain'), ok("Domain 'plain' started\n\n"));
  assert.deepEqual(
    await virsh.ro('vcpucount', 'plain'),
    ok('maximum      config         1\nmaximum      live           1\ncurrent      config         1\ncurrent      live           1\n\n'),
  );
  assert.deepEqual(await virsh.ro('suspend', 'plain'), refused("Failed to suspend domain 'plain'", 'virDomainSuspend'));
  assert.deepEqual(await virsh.ro('shutdown', 'plain'), refused("Failed to shutdown domain 'plain'", 'virDomainShutdown'));
  assert.deepEqual(await virsh.ro('reboot', 'plain'), refused("Failed to reboot domain 'plain'", 'virDomainReboot'));
  assert.deepEqual(await virsh.ro('destroy', 'plain'), refused("Failed to destroy domain 'plain'", 'virDomainDestroy'));
  // Reads work there; -r on the rw socket is read-only too.
  assert.deepEqual(await virsh.ro('domstate', '--reason', 'plain'), ok('running (booted)\n\n'));
  assert.deepEqual(await run(VIRSH ?? 'virsh', ['-r', '-c', root.uri, 'destroy', 'plain']), refused("Failed to destroy domain 'plain'", 'virDomainDestroy'));
  const denied = await consoleSession(root.roUri, 'plain', []);
  assert.equal(denied.status, 1);
  assert.equal(
    denied.output,
    "Connected to domain 'plain'\r\nEscape character is ^] (Ctrl + ])\r\nerror: operation forbidden: read only access prevents virDomainOpenConsole\r\n\r\n",
  );
  // A procedure the driver lacks: libvirt's NO_SUPPORT, and virsh's own message.
  assert.deepEqual(
    await virsh.rw('domtime', 'plain'),
    failed('error: this function is not supported by the connection driver: virDomainGetTime\n'),
  );
  assert.deepEqual(await virsh.rw('destroy', 'plain'), ok("Domain 'plain' destroyed\n\n"));
  // Memory through the balloon: setmem, dommemstat (the double's guest reports statistics).
  const elastic = path.join(root.root, 'elastic.xml');
  await fs.writeFile(elastic, domainXml(fakeBackend, { name: 'elastic', memoryMiB: 256, devices: "    <memballoon model='virtio'>\n      <stats period='1'/>\n    </memballoon>" }));
  assert.deepEqual(await virsh.rw('create', elastic), ok(`Domain 'elastic' created from ${elastic}\n\n`));
  assert.deepEqual(await virsh.rw('setmem', 'elastic', '128M'), ok('\n'));
  const stats = await virsh.ro('dommemstat', 'elastic');
  assert.equal(stats.status, 0);
  assert.match(stats.stdout, /^actual 131072\nswap_in 0\nswap_out 0\nmajor_fault \d+\nminor_fault \d+\nunused \d+\navailable 262144\nusable \d+\ndisk_caches \d+\nhugetlb_pgalloc 0\nhugetlb_pgfail 0\nrss \d+\n\n$/);
  assert.deepEqual(await virsh.ro('setmem', 'elastic', '64M'), failed("error: operation forbidden: read only access prevents virDomainSetMemoryFlags\n"));
  assert.deepEqual(await virsh.rw('destroy', 'elastic'), ok("Domain 'elastic' destroyed\n\n"));
  // start --autodestroy: the domain lives as long as that virsh's connection.
  assert.deepEqual(await virsh.rw('start', '--autodestroy', 'plain'), ok("Domain 'plain' started\n\n"));
  await waitFor(async () => (await virsh.rw('domstate', '--reason', 'plain')).stdout === 'shut off (destroyed)\n\n', 'virsh\'s connection to take the domain with it', 15_000);
  assert.equal(await daemon.stop(), 0);
});
