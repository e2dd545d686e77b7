// VMs outlive the process that drives them: kill -9 of an embed driver with VMs running, then
// a new driver re-attaches to each (same pid, same start time, the API answers) and manages it;
// a VM that died while nobody watched is found shut off, its leftovers gone.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DomainState, RunningReason, ShutoffReason } from '../../src/api/constants.js';
import { readProcessStartTime } from '../../src/firecracker/process-info.js';
import { openConnection } from '../../src/connect.js';
import { backends, domainXml, fakeBackend } from '../helpers/fc-backend.js';
import { makeEmbedRoot, processesUnder } from '../helpers/embed-root.js';
import { repoRoot } from '../helpers/paths.js';
import { gatedFirecracker } from '../helpers/emulators.js';
import { Collector } from '../helpers/stream-reader.js';
import { waitFor } from '../helpers/wait.js';

const childScript = path.join(repoRoot, 'dist', 'test', 'helpers', 'embed-driver-child.js');

for (const backend of backends) {
  describe(`re-attach against ${backend.name} Firecracker`, { skip: backend.skip }, () => {
    test('kill -9 of the driving process, then re-attach and manage the VMs', async (t) => {
      const embed = await makeEmbedRoot(t);
      const { root } = embed;
      const files: string[] = [];
      for (const name of ['one', 'two', 'three']) {
        const file = path.join(root, `${name}.xml`);
        await fs.writeFile(file, domainXml(backend, { name }));
        files.push(file);
      }
      const child = spawn(process.execPath, [childScript, root, ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
      const output = new Collector(child.stdout);
      const errors = new Collector(child.stderr);
      t.after(() => { child.kill('SIGKILL'); });
      await output.waitForText('ready', backend.bootMs * 3).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; stderr: ${errors.text}`);
      });
      assert.match(output.text, /ready one=1 two=2 three=3/);
      const pidsBefore = (await processesUnder(root)).sort();
      assert.equal(pidsBefore.length, 3);

      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      // Nobody watches now; the VMs run on. One of them dies meanwhile.
      const statusOfThree = await fs.readFile(path.join(root, 'run/libvirt/fc/three.xml'), 'utf8');
      const threePid = Number(/pid='(\d+)'/.exec(statusOfThree)?.[1]);
      process.kill(threePid, 'SIGKILL');
      await waitFor(async () => (await readProcessStartTime(threePid)) === undefined, 'the third VM to die');

      const connection = await embed.open();
      const names = (await connection.listAllDomains()).map((domain) => `${domain.name}=${domain.id}`).sort();
      // The transient one whose process died is gone; the others are back with their ids.
      assert.deepEqual(names, ['one=1', 'two=2']);
      assert.deepEqual((await processesUnder(root)).sort(), pidsBefore.filter((pid) => pid !== threePid));
      await assert.rejects(fs.access(path.join(root, 'run/libvirt/fc/three.xml')));
      const one = await connection.lookupByName('one');
      assert.deepEqual(await one.getState(), { state: DomainState.RUNNING, reason: RunningReason.BOOTED });
      // Re-attached domains are fully managed: suspend/resume go to their API, a new start gets
      // the next id, destroy stops them.
      await one.suspend();
      assert.equal((await one.getState()).state, DomainState.PAUSED);
      await one.resume();
      const four = await connection.createXML(domainXml(backend, { name: 'four' }));
      assert.equal(four.id, 3);
      await one.destroy();
      await (await connection.lookupByName('two')).destroy();
      await four.destroy();
      assert.deepEqual(await processesUnder(root), []);
    });

    test('a VM started with START_AUTODESTROY by a driver killed -9 is destroyed when the next driver re-attaches', async (t) => {
      const embed = await makeEmbedRoot(t);
      const { root } = embed;
      const files: string[] = [];
      for (const name of ['doomed', 'kept']) {
        const file = path.join(root, `${name}.xml`);
        await fs.writeFile(file, domainXml(backend, { name }));
        files.push(file);
      }
      const child = spawn(process.execPath, [childScript, root, `--autodestroy=${files[0] ?? ''}`, files[1] ?? ''], { stdio: ['ignore', 'pipe', 'pipe'] });
      const output = new Collector(child.stdout);
      const errors = new Collector(child.stderr);
      t.after(() => { child.kill('SIGKILL'); });
      await output.waitForText('ready', backend.bootMs * 3).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; stderr: ${errors.text}`);
      });
      assert.match(await fs.readFile(path.join(root, 'run/libvirt/fc/doomed.xml'), 'utf8'), /\n {2}<autodestroy connection='[^']+'\/>\n/);
      assert.equal((await processesUnder(root)).length, 2);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));

      const connection = await embed.open();
      assert.deepEqual((await connection.listAllDomains()).map((domain) => domain.name), ['kept']);
      assert.equal((await processesUnder(root)).length, 1);
      await assert.rejects(fs.access(path.join(root, 'run/libvirt/fc/doomed.xml')));
      await (await connection.lookupByName('kept')).destroy();
    });

    test('a re-attached VM\'s exit is still seen: requested shutdown → shut off (shutdown)', { skip: !backend.double && 'a real guest may ignore ctrl-alt-del' }, async (t) => {
      const embed = await makeEmbedRoot(t);
      const { root, uri } = embed;
      const first = await openConnection(uri);
      const defined = await first.defineXML(domainXml(backend, { name: 'persist' }));
      await defined.create();
      await first.close();

      const second = await embed.open();
      const domain = await second.lookupByName('persist');
      assert.equal(domain.id, 1);
      await domain.shutdown();
      await waitFor(async () => (await domain.getState()).state === DomainState.SHUTOFF, 'the shutdown', 10_000);
      assert.deepEqual(await domain.getState(), { state: DomainState.SHUTOFF, reason: ShutoffReason.SHUTDOWN });
      assert.deepEqual(await processesUnder(root), []);
    });

    test('a shutdown asked for by one command, the exit seen by the next, is a shutdown', async (t) => {
      const embed = await makeEmbedRoot(t);
      const { root, uri } = embed;
      const first = await openConnection(uri);
      const domain = await first.defineXML(domainXml(backend, { name: 'later' }));
      await domain.create();
      // Paused, the guest cannot act on the request before this driver is gone.
      await domain.suspend();
      await domain.shutdown();
      await first.close();
      // The guest goes down while no driver watches (as it does between two CLI commands).
      const pids = await processesUnder(root);
      for (const pid of pids) process.kill(pid, 'SIGKILL');
      await waitFor(async () => (await Promise.all(pids.map((pid) => readProcessStartTime(pid)))).every((start) => start === undefined), 'the VM to exit', 10_000);
      const second = await embed.open();
      assert.deepEqual(await (await second.lookupByName('later')).getState(), { state: DomainState.SHUTOFF, reason: ShutoffReason.SHUTDOWN });
      await assert.rejects(fs.access(path.join(root, 'run/libvirt/fc/later.xml')));
    });
  });
}

test('a driver killed while a VM is being configured: the next one stops the half-started VM', async (t) => {
  const { root, uri } = await makeEmbedRoot(t);
  const emulator = await gatedFirecracker(root, path.join(root, 'never'));
  const file = path.join(root, 'half.xml');
  await fs.writeFile(file, domainXml(fakeBackend, { name: 'half', emulator }));
  const child = spawn(process.execPath, [childScript, root, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => { child.kill('SIGKILL'); });
  // The start waits for an API socket that never comes; its journal names the process.
  await waitFor(async () => {
    const status = await fs.readFile(path.join(root, 'run/libvirt/fc/half.xml'), 'utf8').catch(() => '');
    return /state='paused' reason='starting up' pid='[1-9]/.test(status);
  }, 'the start journal with a pid', 10_000);
  assert.equal((await processesUnder(root)).length, 1);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));

  const connection = await openConnection(uri);
  t.after(() => connection.close());
  assert.deepEqual(await connection.listAllDomains(), []);
  assert.deepEqual(await processesUnder(root), []);
  await assert.rejects(fs.access(path.join(root, 'run/libvirt/fc/half.xml')));
});

