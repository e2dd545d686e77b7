// A start that fails leaves nothing behind: no process, socket, FIFO, tap or status file; the
// error says what failed, with Firecracker's own words when it refused something.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DomainState } from '../../src/api/constants.js';
import { VirError } from '../../src/errors.js';
import { dyingFirecracker, fakeWithVersion, unsupportedFirecracker } from '../helpers/emulators.js';
import { openConnection } from '../../src/connect.js';
import { domainXml, fakeBackend } from '../helpers/fc-backend.js';
import { makeEmbedRoot, processesUnder } from '../helpers/embed-root.js';

/** Nothing of a run is left under the root: no process, no status file, no runtime dir. */
async function assertNothingLeft(root: string): Promise<void> {
  assert.deepEqual(await processesUnder(root), []);
  const state = await fs.readdir(path.join(root, 'run/libvirt/fc'));
  assert.deepEqual(state.filter((entry) => !entry.startsWith('driver.lock') && entry !== 'fc-autostarted' && !entry.endsWith('.shutoff')), []);
}

test('a kernel Firecracker cannot open: its fault_message and the request, nothing left', async (t) => {
  const embed = await makeEmbedRoot(t);
  const { root } = embed;
  const connection = await embed.open();
  const domain = await connection.defineXML(domainXml(fakeBackend, { name: 'nokernel', kernel: '/nonexistent/vmlinux' }));
  await assert.rejects(domain.create(), (error: unknown) => {
    assert.ok(error instanceof VirError);
    assert.equal(error.codeName, 'VIR_ERR_OPERATION_FAILED');
    assert.match(error.message, /^operation failed: Firecracker refused PUT \/boot-source: .*The kernel file cannot be opened: No such file or directory \(os error 2\)/);
    return true;
  });
  assert.equal((await domain.getState()).state, DomainState.SHUTOFF);
  await assertNothingLeft(root);
  // The log keeps what Firecracker said, as libvirt keeps the domain log.
  await fs.access(path.join(root, 'var/log/libvirt/fc/nokernel.log'));
  // A transient domain that fails to start does not stay.
  await assert.rejects(connection.createXML(domainXml(fakeBackend, { name: 'gone', kernel: '/nonexistent/vmlinux' })), VirError);
  await assert.rejects(connection.lookupByName('gone'), VirError);
  await assertNothingLeft(root);
});

test('a missing binary is refused before anything is created', async (t) => {
  const embed = await makeEmbedRoot(t);
  const { root } = embed;
  const connection = await embed.open();
  await assert.rejects(connection.createXML(domainXml(fakeBackend, { name: 'nobin', emulator: '/nonexistent/firecracker' })), (error: unknown) => {
    assert.ok(error instanceof VirError);
    assert.match(error.message, /\/nonexistent\/firecracker/);
    return true;
  });
  await assertNothingLeft(root);
  await assert.rejects(fs.access(path.join(root, 'var/log/libvirt/fc/nobin.log')));
});

test('an unsupported Firecracker version is refused before anything is created', async (t) => {
  const embed = await makeEmbedRoot(t);
  const { root } = embed;
  const emulator = await unsupportedFirecracker(root, '2.1.0');
  const connection = await embed.open();
  await assert.rejects(connection.createXML(domainXml(fakeBackend, { name: 'future', emulator })), (error: unknown) => {
    assert.ok(error instanceof VirError);
    assert.equal(error.codeName, 'VIR_ERR_CONFIG_UNSUPPORTED');
    assert.match(error.message, /Firecracker 2\.1\.0 is not supported/);
    return true;
  });
  await assertNothingLeft(root);
  await assert.rejects(fs.access(path.join(root, 'var/log/libvirt/fc/future.log')));
});

test('what the Firecracker version cannot do is refused before anything is created', async (t) => {
  const embed = await makeEmbedRoot(t);
  const { root } = embed;
  const emulator = await fakeWithVersion(root, '0.25.2');
  const connection = await embed.open();
  const devices = "    <rng model='virtio'>\n      <backend model='random'>/dev/urandom</backend>\n    </rng>";
  await assert.rejects(connection.createXML(domainXml(fakeBackend, { name: 'old', emulator, devices })), (error: unknown) => {
    assert.ok(error instanceof VirError);
    assert.equal(error.message, 'unsupported configuration: <rng> needs Firecracker ≥ 1.4.0, found 0.25.2');
    return true;
  });
  await assertNothingLeft(root);
});

test('a process that dies during configuration: its stderr in the error, nothing left', async (t) => {
  const embed = await makeEmbedRoot(t);
  const { root } = embed;
  const emulator = await dyingFirecracker(root);
  const connection = await embed.open();
  await assert.rejects(connection.createXML(domainXml(fakeBackend, { name: 'dying', emulator })), (error: unknown) => {
    assert.ok(error instanceof VirError);
    assert.match(error.message, /simulated VMM failure while configuring/);
    return true;
  });
  await assertNothingLeft(root);
});

test('Firecracker v0.25.2 and v1.3.3 boot the same domain', async (t) => {
  const embed = await makeEmbedRoot(t);
  const { root } = embed;
  const connection = await embed.open();
  for (const version of ['0.25.2', '1.3.3']) {
    const emulator = await fakeWithVersion(root, version);
    const domain = await connection.createXML(domainXml(fakeBackend, { name: `v${version}`, emulator }));
    assert.match(await domain.getXMLDesc(), /<domain type='firecracker' id=/);
    const status = await fs.readFile(path.join(root, 'run/libvirt/fc', `v${version}.xml`), 'utf8');
    assert.match(status, new RegExp(`<firecracker binary='[^']+' version='${version.replace(/\./g, '\\.')}'/>`));
    await domain.destroy();
  }
  await assertNothingLeft(root);
});

test('a root too long for UNIX socket paths is refused clearly before anything starts', async (t) => {
  const embed = await makeEmbedRoot(t);
  const deep = path.join(embed.root, 'a-rather-long-directory-name-for-a-driver-root-that-goes-on');
  await fs.mkdir(deep);
  const connection = await openConnection(`fc:///embed?root=${deep}`);
  t.after(() => connection.close());
  await assert.rejects(connection.createXML(domainXml(fakeBackend, { name: 'far' })), (error: unknown) => {
    assert.ok(error instanceof VirError);
    assert.equal(error.codeName, 'VIR_ERR_CONFIG_UNSUPPORTED');
    assert.match(error.message, /Firecracker API socket path '.*\/api\.sock' is \d+ bytes long, over the 107-byte limit of UNIX socket paths; use a shorter root directory/);
    return true;
  });
  await assertNothingLeft(deep);
});
