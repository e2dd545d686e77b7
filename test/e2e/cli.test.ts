// fcvirt's verbs with virsh's output, each invocation its own process on an embed root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { backends, domainXml, fakeBackend, type Backend } from '../helpers/fc-backend.js';
import { fcvirt } from '../helpers/cli.js';
import { makeEmbedRoot } from '../helpers/embed-root.js';
import { repoRoot } from '../helpers/paths.js';
import { Collector } from '../helpers/stream-reader.js';
import { waitFor } from '../helpers/wait.js';

const UUID = '4dea22b3-1d52-d8f3-2516-782e98ab3fa0';

function lifecycleVerbs(backend: Backend): void {
  test(`the lifecycle verbs print what virsh prints (${backend.name} Firecracker)`, { skip: backend.skip }, async (t) => {
    const embed = await makeEmbedRoot(t);
    const { root, uri } = embed;
    const file = path.join(root, 'demo.xml');
    await fs.writeFile(file, domainXml(backend, { name: 'demo', uuid: UUID, title: 'A demo' }));
    const run = (...args: string[]) => fcvirt(args, { uri });

    assert.deepEqual(await run('define', file), { code: 0, stdout: `Domain 'demo' defined from ${file}\n\n`, stderr: '' });
    assert.deepEqual(await run('list', '--all'), { code: 0, stdout: ' Id   Name   State\n-----------------------\n -    demo   shut off\n\n', stderr: '' });
    assert.deepEqual(await run('list'), { code: 0, stdout: ' Id   Name   State\n--------------------\n\n', stderr: '' });
    assert.equal((await run('domid', 'demo')).stdout, '-\n\n');
    assert.equal((await run('domuuid', 'demo')).stdout, `${UUID}\n\n`);
    assert.equal((await run('domname', UUID)).stdout, 'demo\n\n');
    assert.equal((await run('domstate', 'demo', '--reason')).stdout, 'shut off (unknown)\n\n');
    assert.equal((await run('dominfo', 'demo')).stdout, [
      'Id:             -',
      'Name:           demo',
      `UUID:           ${UUID}`,
      'OS Type:        hvm',
      'State:          shut off',
      'CPU(s):         1',
      'Max memory:     131072 KiB',
      'Used memory:    131072 KiB',
      'Persistent:     yes',
      'Autostart:      disable',
      'Managed save:   no',
      '',
      '',
    ].join('\n'));

    assert.deepEqual(await run('start', 'demo'), { code: 0, stdout: "Domain 'demo' started\n\n", stderr: '' });
    assert.deepEqual(await run('start', 'demo'), { code: 1, stdout: '\n', stderr: 'error: Domain is already active\n' });
    assert.equal((await run('domstate', '--reason', 'demo')).stdout, 'running (booted)\n\n');
    assert.equal((await run('domid', 'demo')).stdout, '1\n\n');
    assert.equal((await run('domname', '1')).stdout, 'demo\n\n');
    assert.equal((await run('list')).stdout, ' Id   Name   State\n----------------------\n 1    demo   running\n\n');
    assert.equal((await run('list', '--title')).stdout, ` Id   Name   State     Title\n${'-'.repeat(5 + 7 + 10 + 9)}\n 1    demo   running   A demo\n\n`);
    assert.equal((await run('list', '--name')).stdout, 'demo\n\n');
    assert.equal((await run('list', '--uuid', '--name', '--id')).stdout, `${UUID} 1 demo\n\n`);
    assert.deepEqual(await run('list', '--table', '--uuid'), { code: 1, stdout: '\n', stderr: 'error: Options --table and --uuid are mutually exclusive\n' });
    const info = (await run('dominfo', '1')).stdout;
    assert.match(info, /^Id: {13}1\nName: {11}demo\n/);
    assert.match(info, /\nState: {10}running\n/);
    assert.match(await run('dumpxml', 'demo').then((result) => result.stdout), /^<domain type='firecracker' id='1'>\n[\s\S]*<\/domain>\n\n$/);
    assert.doesNotMatch((await run('dumpxml', '--inactive', 'demo')).stdout, /id='1'/);

    assert.deepEqual(await run('suspend', 'demo'), { code: 0, stdout: "Domain 'demo' suspended\n\n", stderr: '' });
    assert.equal((await run('domstate', 'demo', '--reason')).stdout, 'paused (user)\n\n');
    assert.deepEqual(await run('resume', 'demo'), { code: 0, stdout: "Domain 'demo' resumed\n\n", stderr: '' });
    assert.deepEqual(await run('resume', 'demo'), {
      code: 1, stdout: '\n', stderr: "error: Failed to resume domain 'demo'\nerror: Requested operation is not valid: domain is already running\n",
    });
    assert.deepEqual(await run('reboot', 'demo'), { code: 0, stdout: "Domain 'demo' is being rebooted\n\n", stderr: '' });
    assert.deepEqual(await run('autostart', 'demo'), { code: 0, stdout: "Domain 'demo' marked as autostarted\n\n", stderr: '' });
    assert.match((await run('dominfo', 'demo')).stdout, /\nAutostart: {6}enable\n/);
    assert.deepEqual(await run('autostart', '--disable', 'demo'), { code: 0, stdout: "Domain 'demo' unmarked as autostarted\n\n", stderr: '' });
    assert.deepEqual(await run('shutdown', 'demo'), { code: 0, stdout: "Domain 'demo' is being shutdown\n\n", stderr: '' });
    if (backend.double) {
      await waitFor(async () => (await run('domstate', 'demo')).stdout === 'shut off\n\n', 'the shutdown', 15_000);
      assert.equal((await run('domstate', 'demo', '--reason')).stdout, 'shut off (shutdown)\n\n');
    } else {
      // A real guest's init may ignore ctrl-alt-del: destroy is the answer, never a hang.
      await waitFor(async () => (await run('domstate', 'demo')).stdout === 'shut off\n\n', 'the shutdown', backend.bootMs).catch(() => run('destroy', 'demo'));
    }
    assert.deepEqual(await run('start', 'demo'), { code: 0, stdout: "Domain 'demo' started\n\n", stderr: '' });
    assert.deepEqual(await run('destroy', 'demo'), { code: 0, stdout: "Domain 'demo' destroyed\n\n", stderr: '' });
    assert.equal((await run('domstate', 'demo', '--reason')).stdout, 'shut off (destroyed)\n\n');
    assert.deepEqual(await run('destroy', 'demo'), {
      code: 1, stdout: '\n', stderr: "error: Failed to destroy domain 'demo'\nerror: Requested operation is not valid: domain is not running\n",
    });
    assert.deepEqual(await run('undefine', 'demo'), { code: 0, stdout: "Domain 'demo' has been undefined\n\n", stderr: '' });
    assert.deepEqual(await run('list', '--all'), { code: 0, stdout: ' Id   Name   State\n--------------------\n\n', stderr: '' });

    assert.deepEqual(await run('create', file), { code: 0, stdout: `Domain 'demo' created from ${file}\n\n`, stderr: '' });
    assert.match((await run('dominfo', 'demo')).stdout, /\nPersistent: {5}no\n/);
    assert.deepEqual(await run('destroy', UUID), { code: 0, stdout: `Domain '${UUID}' destroyed\n\n`, stderr: '' });
  });
}

for (const backend of backends) lifecycleVerbs(backend);

for (const backend of backends) {
  test(`the memory and vCPU verbs print what virsh prints: setmem, setmaxmem, dommemstat, vcpucount, maxvcpus (${backend.name} Firecracker)`, { skip: backend.skip }, async (t) => {
    const { root, uri } = await makeEmbedRoot(t);
    const file = path.join(root, 'elastic.xml');
    await fs.writeFile(file, domainXml(backend, { name: 'elastic', memoryMiB: 256, devices: "    <memballoon model='virtio'/>" }));
    const run = (...args: string[]) => fcvirt(args, { uri });
    await run('define', file);
    // Without --config/--live/--current virsh's setmem is for the running domain, setmaxmem for the current one.
    assert.deepEqual(await run('setmem', 'elastic', '128M'), { code: 1, stdout: '\n', stderr: 'error: Requested operation is not valid: domain is not running\n' });
    assert.deepEqual(await run('setmaxmem', 'elastic', '384M'), { code: 0, stdout: '\n', stderr: '' });
    assert.deepEqual(await run('setmem', '--config', 'elastic', '196608'), { code: 0, stdout: '\n', stderr: '' });
    assert.match((await run('dominfo', 'elastic')).stdout, /\nMax memory: {5}393216 KiB\nUsed memory: {4}196608 KiB\n/);
    assert.deepEqual(await run('dommemstat', 'elastic'), {
      code: 1, stdout: '\n', stderr: 'error: Failed to get memory statistics for domain elastic\nerror: Requested operation is not valid: domain is not running\n',
    });
    assert.deepEqual(await run('vcpucount', 'elastic'), { code: 0, stdout: 'maximum      config         1\ncurrent      config         1\n\n', stderr: '' });
    assert.deepEqual(await run('vcpucount', '--live', 'elastic'), { code: 1, stdout: '\n', stderr: 'error: Requested operation is not valid: domain is not running\n' });
    assert.deepEqual(await run('maxvcpus'), { code: 0, stdout: '32\n\n', stderr: '' });
    await run('start', 'elastic');
    assert.deepEqual(await run('vcpucount', 'elastic'), {
      code: 0, stdout: 'maximum      config         1\nmaximum      live           1\ncurrent      config         1\ncurrent      live           1\n\n', stderr: '',
    });
    assert.deepEqual(await run('vcpucount', '--maximum', '--active', 'elastic'), { code: 1, stdout: '\n', stderr: 'error: Options --active and --maximum are mutually exclusive\n' });
    assert.deepEqual(await run('vcpucount', '--guest', 'elastic'), {
      code: 1, stdout: '\n', stderr: 'error: Failed to retrieve vCPU count from the guest\nerror: unsupported flags (0x8) in function virDomainGetVcpusFlags\n',
    });
    const stats = await run('dommemstat', 'elastic');
    assert.equal(stats.code, 0);
    assert.match(stats.stdout, /^actual 196608\n(?:[a-z_]+ \d+\n)*rss \d+\n\n$/);
    assert.deepEqual(await run('setmem', 'elastic', '256M'), { code: 0, stdout: '\n', stderr: '' });
    assert.match((await run('dominfo', 'elastic')).stdout, /\nUsed memory: {4}262144 KiB\n/);
    assert.deepEqual(await run('setmaxmem', 'elastic', '1G'), {
      code: 1, stdout: '\n', stderr: 'error: Unable to change MaxMemorySize\nerror: Requested operation is not valid: cannot resize the maximum memory on an active domain\n',
    });
    assert.deepEqual(await run('setmem', 'elastic', 'lots'), { code: 1, stdout: '\n', stderr: "error: Scaled numeric value 'lots' for <size> option is malformed or out of range\n" });
    assert.deepEqual(await run('setmem', 'elastic'), { code: 1, stdout: '', stderr: "error: command 'setmem' requires --size option\n" });
    assert.deepEqual(await run('setmem', '--current', '--live', 'elastic', '1G'), { code: 1, stdout: '\n', stderr: 'error: Options --current and --live are mutually exclusive\n' });
    await run('destroy', 'elastic');
  });
}

test('errors and usage as virsh reports them', async (t) => {
  const embed = await makeEmbedRoot(t);
  const { root, uri } = embed;
  const run = (...args: string[]) => fcvirt(args, { uri });
  assert.deepEqual(await run('dominfo', 'nosuch'), { code: 1, stdout: '\n', stderr: "error: failed to get domain 'nosuch'\n" });
  assert.deepEqual(await run('domname', 'nosuch'), { code: 1, stdout: '\n', stderr: "error: failed to get domain 'nosuch'\n" });
  assert.deepEqual(await run('list', '--bogus'), { code: 1, stdout: '', stderr: "error: command 'list' doesn't support option --bogus\n" });
  assert.deepEqual(await run('start'), { code: 1, stdout: '', stderr: "error: command 'start' requires <domain> option\n" });
  assert.deepEqual(await run('destroy', 'a', 'b'), { code: 1, stdout: '', stderr: "error: unexpected data 'b'\n" });
  const missing = path.join(root, 'missing.xml');
  assert.deepEqual(await run('define', missing), { code: 1, stdout: '\n', stderr: `error: Failed to open file '${missing}': No such file or directory\n` });
  const bad = path.join(root, 'bad.xml');
  await fs.writeFile(bad, "<domain type='kvm'><name>x</name></domain>");
  const refused = await run('define', bad);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`^error: Failed to define domain from ${bad}\nerror: unsupported configuration: .*kvm`));
  const version = await run('version');
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^Compiled against library: fcvirt \d+\.\d+\.\d+\nUsing library: fcvirt \d+\.\d+\.\d+\nUsing API: FC \d+\.\d+\.\d+\n(Running hypervisor: FC \d+\.\d+\.\d+|Cannot extract running FC hypervisor version)\n\n$/);
  const noDaemon = await fcvirt(['list'], { uri: `fc:///system?socket=${root}/no-daemon-sock` });
  assert.equal(noDaemon.code, 1);
  assert.equal(noDaemon.stdout, '', 'as virsh, nothing on stdout when there is no connection');
  assert.match(noDaemon.stderr, /^error: failed to connect to the hypervisor\nerror: .*no-daemon-sock/);
  const help = await run('start', '--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^ {2}NAME\n {4}start - start a \(previously defined\) inactive domain\n\n {2}SYNOPSIS\n {4}start <domain> \[--console\] \[--paused\]/);
  const withFake = await fcvirt(['version'], { uri, env: { PATH: `${path.dirname(fakeBackend.emulator)}:${process.env.PATH ?? ''}` } });
  assert.match(withFake.stdout, /\nRunning hypervisor: FC 1\.16\.1\n\n$/);
});

test('one driver per root: an embed command waits for another, and is sent to the daemon that serves the root', async (t) => {
  const { root, uri } = await makeEmbedRoot(t);
  const stateDir = path.join(root, 'run/libvirt/fc');
  await fs.mkdir(stateDir, { recursive: true });
  const holderScript = path.join(repoRoot, 'dist', 'test', 'helpers', 'lock-holder-child.js');

  const embed = spawn(process.execPath, [holderScript, stateDir, 'embed'], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => { embed.kill('SIGKILL'); });
  const embedOutput = new Collector(embed.stdout);
  await embedOutput.waitForText('locked');
  const waiting = fcvirt(['list', '--all'], { uri });
  // The command is waiting for the lock; let the holder finish.
  embed.stdin.end();
  assert.deepEqual(await waiting, { code: 0, stdout: ' Id   Name   State\n--------------------\n\n', stderr: '' });

  const daemon = spawn(process.execPath, [holderScript, stateDir, 'daemon', `fc:///system?socket=${root}/virtfcd-sock`], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => { daemon.kill('SIGKILL'); });
  await new Collector(daemon.stdout).waitForText('locked');
  const refused = await fcvirt(['list'], { uri });
  assert.equal(refused.code, 1);
  assert.equal(refused.stdout, '');
  assert.equal(refused.stderr, `error: failed to connect to the hypervisor\nerror: Requested operation is not valid: the driver root '${root}' is served by the daemon virtfcd (pid ${daemon.pid}); connect to fc:///system?socket=${root}/virtfcd-sock instead\n`);
  daemon.stdin.end();
});
