// The driver behind libvirt's protocol, as virtfcd will serve it: Debian's stock virsh talks to
// the rpc server whose connections are DriverConnections over one FcDriver (kind 'daemon').
// (The daemon itself is the next piece; this proves the driver and the protocol layer fit.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DriverConnection } from '../../src/driver/connection.js';
import { FcDriver } from '../../src/driver/driver.js';
import { rootLayout } from '../../src/driver/paths.js';
import { listen } from '../../src/rpc/listen.js';
import { domainXml, fakeBackend } from '../helpers/fc-backend.js';
import { fcvirt } from '../helpers/cli.js';
import { makeEmbedRoot, processesUnder } from '../helpers/embed-root.js';
import { repoRoot } from '../helpers/paths.js';
import { run, which } from '../helpers/run.js';
import { waitFor } from '../helpers/wait.js';

const VIRSH = which('virsh');
const PYTHON = which('/usr/bin/python3');
const skip = VIRSH === null ? 'virsh is not installed (apt-get install libvirt-clients; .ci/run does)' : false;

test('virsh drives real (double) Firecracker processes through the driver', { skip }, async (t) => {
  const { root } = await makeEmbedRoot(t);
  const socket = path.join(root, 'virtfcd-sock');
  const uri = `fc:///system?socket=${socket}`;
  const driver = await FcDriver.open({ layout: rootLayout(root), kind: 'daemon', daemonUri: uri });
  const listener = await listen({ path: socket, mode: 0o600, connect: (clientUri, readOnly) => Promise.resolve(new DriverConnection(clientUri, driver, { readOnly })) });
  t.after(async () => {
    await listener.close();
    await driver.close();
  });
  const virsh = (...args: string[]) => run(VIRSH ?? 'virsh', ['-c', uri, ...args]);
  const file = path.join(root, 'demo.xml');
  await fs.writeFile(file, domainXml(fakeBackend, { name: 'demo', uuid: '9a3c5a4e-8d65-4a1b-9d3f-0c7e2b1f6a55' }));

  assert.deepEqual(await virsh('define', file), { status: 0, stdout: `Domain 'demo' defined from ${file}\n\n`, stderr: '' });
  assert.deepEqual(await virsh('start', 'demo'), { status: 0, stdout: "Domain 'demo' started\n\n", stderr: '' });
  assert.equal((await processesUnder(root)).length, 1);
  assert.deepEqual(await virsh('list'), { status: 0, stdout: ' Id   Name   State\n----------------------\n 1    demo   running\n\n', stderr: '' });
  assert.deepEqual(await virsh('domstate', 'demo', '--reason'), { status: 0, stdout: 'running (booted)\n\n', stderr: '' });
  const info = await virsh('dominfo', 'demo');
  assert.match(info.stdout, /^Id: {13}1\nName: {11}demo\nUUID: {11}9a3c5a4e-8d65-4a1b-9d3f-0c7e2b1f6a55\nOS Type: {8}hvm\nState: {10}running\nCPU\(s\): {9}1\n(CPU time: {7}\d+\.\ds\n)?Max memory: {5}131072 KiB\nUsed memory: {4}131072 KiB\nPersistent: {5}yes\nAutostart: {6}disable\nManaged save: {3}no\n/);
  assert.match((await virsh('dumpxml', 'demo')).stdout, /^<domain type='firecracker' id='1'>/);
  assert.equal((await virsh('suspend', 'demo')).status, 0);
  assert.equal((await virsh('domstate', 'demo', '--reason')).stdout, 'paused (user)\n\n');
  assert.equal((await virsh('resume', 'demo')).status, 0);

  // virsh console, in a pseudo-terminal: the guest's shell answers; ctrl-] leaves.
  if (PYTHON !== null) {
    // virsh makes the terminal raw before it opens the console; once the session's owner
    // record exists, typing is safe (earlier, raw mode's TCSAFLUSH would drop it).
    const owner = path.join(root, 'run/libvirt/fc/9a3c5a4e-8d65-4a1b-9d3f-0c7e2b1f6a55/console.owner');
    const script = [
      { expect: 'Escape character is ^] (Ctrl + ])' },
      { run: ['sh', '-c', `until [ -e '${owner}' ]; do sleep 0.01; done`] },
      { send: 'echo via-virsh\r' },
      { expect: 'via-virsh\r\n' },
      { send: '\x1d' },
    ];
    const result = await run(PYTHON, [path.join(repoRoot, 'test', 'helpers', 'pty-run.py'), JSON.stringify(script), VIRSH ?? 'virsh', '-c', uri, 'console', 'demo']);
    const outcome = JSON.parse(result.stdout) as { output: string; status: number | null; error: string | null };
    assert.equal(outcome.error, null, outcome.output);
    assert.equal(outcome.status, 0);
    assert.match(outcome.output, /Connected to domain 'demo'/);
  }

  // The root is the daemon's now: an embed command is sent to it.
  const embed = await fcvirt(['list'], { uri: `fc:///embed?root=${root}` });
  assert.equal(embed.code, 1);
  assert.match(embed.stderr, new RegExp(`served by the daemon virtfcd \\(pid ${process.pid}\\); connect to ${uri.replace(/[?]/g, '\\?')} instead`));
  // fcvirt itself goes through the same protocol.
  assert.deepEqual(await fcvirt(['domstate', 'demo'], { uri }), { code: 0, stdout: 'running\n\n', stderr: '' });

  assert.deepEqual(await virsh('shutdown', 'demo'), { status: 0, stdout: "Domain 'demo' is being shutdown\n\n", stderr: '' });
  await waitFor(async () => (await virsh('domstate', 'demo')).stdout === 'shut off\n\n', 'the guest to shut down', 15_000);
  assert.deepEqual(await virsh('domstate', 'demo', '--reason'), { status: 0, stdout: 'shut off (shutdown)\n\n', stderr: '' });
  assert.deepEqual(await virsh('undefine', 'demo'), { status: 0, stdout: "Domain 'demo' has been undefined\n\n", stderr: '' });
  assert.deepEqual(await processesUnder(root), []);
});
