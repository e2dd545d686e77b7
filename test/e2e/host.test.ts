// What a connection says about the host, as libvirt's drivers say it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { openConnection } from '../../src/connect.js';
import { VirError } from '../../src/errors.js';
import { fakeBackend } from '../helpers/fc-backend.js';
import { makeEmbedRoot } from '../helpers/embed-root.js';

test('type, versions, hostname, node info and capabilities', async (t) => {
  const embed = await makeEmbedRoot(t);
  const connection = await embed.open();
  assert.equal(await connection.getType(), 'FC');
  assert.equal(await connection.getLibVersion(), 1000);
  assert.equal(await connection.getHostname(), os.hostname());
  const info = await connection.nodeGetInfo();
  assert.equal(info.model, process.arch === 'x64' ? 'x86_64' : 'aarch64');
  assert.equal(info.cpus, os.cpus().length);
  assert.ok(info.memoryKiB > 0 && info.nodes >= 1 && info.sockets >= 1 && info.cores >= 1 && info.threads >= 1);
  assert.equal(info.nodes * info.sockets * info.cores * info.threads <= info.cpus, true);
  const caps = await connection.getCapabilities();
  assert.match(caps, /^<capabilities>\n\n {2}<host>\n {4}<uuid>[0-9a-f-]{36}<\/uuid>\n {4}<cpu>\n {6}<arch>(x86_64|aarch64)<\/arch>\n {6}<topology sockets='\d+' dies='1' cores='\d+' threads='\d+'\/>/);
  assert.match(caps, /<guest>\n {4}<os_type>hvm<\/os_type>\n {4}<arch name='(x86_64|aarch64)'>\n {6}<wordsize>64<\/wordsize>\n[\s\S]* {6}<domain type='firecracker'\/>\n {4}<\/arch>\n {2}<\/guest>\n\n<\/capabilities>\n$/);
});

test('the hypervisor version is that of firecracker in PATH, 0 when there is none', async (t) => {
  const embed = await makeEmbedRoot(t);
  const withFake = await openConnection(embed.uri, { env: { PATH: `${path.dirname(fakeBackend.emulator)}:/usr/bin:/bin` } });
  t.after(() => withFake.close());
  assert.equal(await withFake.getVersion(), 1_016_001);
  assert.match(await withFake.getCapabilities(), new RegExp(`<emulator>${fakeBackend.emulator.replace(/[.]/g, '\\.')}</emulator>`));
});

test('URIs: embed needs an absolute root; unknown paths and schemes are refused', async () => {
  await assert.rejects(openConnection('fc:///embed'), (error: unknown) => error instanceof VirError && /requires a 'root' parameter/.test(error.message));
  await assert.rejects(openConnection('fc:///embed?root=relative'), (error: unknown) => error instanceof VirError && /must be an absolute path/.test(error.message));
  await assert.rejects(openConnection('fc:///nowhere'), (error: unknown) => error instanceof VirError && /unexpected fc URI path '\/nowhere'/.test(error.message));
  await assert.rejects(openConnection('qemu:///system'), (error: unknown) => error instanceof VirError && error.codeName === 'VIR_ERR_NO_CONNECT');
});
