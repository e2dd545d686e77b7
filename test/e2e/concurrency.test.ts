// Mutating operations on one domain run one at a time, queries never wait for them, and two
// starts of one domain race to exactly one success.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DomainCreateFlags, DomainEventId, DomainEventType, DomainState, StartedDetail, StoppedDetail } from '../../src/api/constants.js';
import type { DomainEvent } from '../../src/api/connection.js';
import { VirError } from '../../src/errors.js';
import { gatedFirecracker, heldFirecracker } from '../helpers/emulators.js';
import { backends, domainXml, fakeBackend } from '../helpers/fc-backend.js';
import { makeEmbedRoot, processesUnder } from '../helpers/embed-root.js';
import { waitFor } from '../helpers/wait.js';

test('queries answer while a start is in progress', async (t) => {
  const embed = await makeEmbedRoot(t);
  const { root } = embed;
  const gate = path.join(root, 'GO');
  const emulator = await gatedFirecracker(root, gate);
  const connection = await embed.open();
  const domain = await connection.defineXML(domainXml(fakeBackend, { name: 'slow', emulator }));
  let settled = false;
  const starting = domain.create().finally(() => { settled = true; });
  const startFailed = assert.rejects(starting, /released by the test/);
  // The start is now waiting for the API socket of a process that will not open it.
  await waitFor(async () => (await processesUnder(root)).length === 1, 'the gated process');
  // The start holds the job until the gate opens; none of these wait for it.
  assert.equal((await domain.getState()).state, DomainState.SHUTOFF);
  assert.equal((await connection.listAllDomains()).length, 1);
  assert.match(await domain.getXMLDesc(), /<name>slow<\/name>/);
  await domain.getInfo();
  assert.equal(settled, false);
  await fs.writeFile(gate, '');
  await startFailed;
  assert.deepEqual(await processesUnder(root), []);
});

test('START_AUTODESTROY: a start whose connection closes while it runs ends destroyed', async (t) => {
  const embed = await makeEmbedRoot(t);
  const { root } = embed;
  const gate = path.join(root, 'GO');
  const emulator = await heldFirecracker(root, gate);
  const observer = await embed.open();
  const events: DomainEvent[] = [];
  await observer.domainEventRegisterAny(null, DomainEventId.LIFECYCLE, (event) => events.push(event));
  const starter = await embed.open();
  const starting = starter.createXML(domainXml(fakeBackend, { name: 'orphan', emulator }), DomainCreateFlags.START_AUTODESTROY);
  await waitFor(async () => (await processesUnder(root)).length === 1, 'the held process');
  await starter.close();
  await fs.writeFile(gate, '');
  await starting;
  const lifecycle = () => events.flatMap((event) => (event.eventId === 0 ? [[event.domain.name, event.event, event.detail]] : []));
  await waitFor(() => lifecycle().length === 2, 'the domain to stop');
  assert.deepEqual(lifecycle(), [
    ['orphan', DomainEventType.STARTED, StartedDetail.BOOTED],
    ['orphan', DomainEventType.STOPPED, StoppedDetail.DESTROYED],
  ]);
  assert.deepEqual((await observer.listAllDomains()).map((domain) => domain.name), []);
  assert.deepEqual(await processesUnder(root), []);
});

for (const backend of backends) {
  test(`two concurrent starts of one domain: exactly one succeeds (${backend.name} Firecracker)`, { skip: backend.skip }, async (t) => {
    const embed = await makeEmbedRoot(t);
    const { root } = embed;
    const connection = await embed.open();
    const domain = await connection.defineXML(domainXml(backend, { name: 'race' }));
    const other = await connection.lookupByName('race');
    const results = await Promise.allSettled([domain.create(), other.create()]);
    const fulfilled = results.filter((result) => result.status === 'fulfilled');
    const rejected = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    assert.equal(fulfilled.length, 1);
    assert.equal(rejected.length, 1);
    assert.ok(rejected[0] instanceof VirError);
    assert.equal(rejected[0].codeName, 'VIR_ERR_OPERATION_INVALID');
    assert.equal(rejected[0].message, 'Requested operation is not valid: domain is already running');
    assert.equal((await processesUnder(root)).length, 1);
    await domain.destroy();
  });

  test(`several domains start at once, each with its own id (${backend.name} Firecracker)`, { skip: backend.skip }, async (t) => {
    const embed = await makeEmbedRoot(t);
    const { root } = embed;
    const connection = await embed.open();
    const names = ['p1', 'p2', 'p3', 'p4', 'p5'];
    const domains = await Promise.all(names.map((name) => connection.createXML(domainXml(backend, { name }))));
    assert.deepEqual(domains.map((domain) => domain.id).sort(), [1, 2, 3, 4, 5]);
    assert.equal((await processesUnder(root)).length, 5);
    await Promise.all(domains.map((domain) => domain.destroy()));
    assert.deepEqual(await processesUnder(root), []);
  });
}
