import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainList, normaliseUuid } from '../../src/driver/domain-list.js';
import { VirError } from '../../src/errors.js';
import { domain as minimalDef } from '../firecracker/helpers/domain.js';

const UUID_A = '11111111-2222-3333-4444-555555555555';
const UUID_B = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

test('domains are found by name, uuid (dashed or not) and id', () => {
  const list = new DomainList();
  const domain = list.add(minimalDef({ name: 'a', uuid: UUID_A }), true);
  assert.equal(list.findByName('a'), domain);
  assert.equal(list.findByUuid(UUID_A.toUpperCase().replace(/-/g, '')), domain);
  assert.equal(list.findById(1), undefined);
  domain.def = { ...domain.def, id: 1 };
  domain.runtime = {
    pid: 1, startTime: 1, binary: 'f', version: '1.16.1', runtimeDir: '/r', apiSocket: '/r/a',
    consoleLog: '/l', consoleInput: '/i', consoleOwner: '/o', tapsCreated: [], shutdownRequested: false, logOffset: 0,
  };
  assert.equal(list.findById(1), domain);
  assert.equal(list.findById(-1), undefined);
  list.remove(domain);
  assert.equal(list.size, 0);
  assert.equal(domain.removed, true);
});

test('a uuid belongs to one name and a name to one uuid, in libvirt\'s words', () => {
  const list = new DomainList();
  list.add(minimalDef({ name: 'a', uuid: UUID_A }), true);
  assert.throws(() => list.findForDefinition(minimalDef({ name: 'b', uuid: UUID_A }), false), (error: unknown) =>
    error instanceof VirError && error.message === `operation failed: domain 'a' is already defined with uuid ${UUID_A}`);
  assert.throws(() => list.findForDefinition(minimalDef({ name: 'a', uuid: UUID_B }), false), (error: unknown) =>
    error instanceof VirError && error.message === `operation failed: domain 'a' already exists with uuid ${UUID_A}`);
  assert.equal(list.findForDefinition(minimalDef({ name: 'c', uuid: UUID_B }), false), undefined);
  assert.equal(list.findForDefinition(minimalDef({ name: 'a', uuid: UUID_A }), false)?.name, 'a');
});

test('uuids are normalised to dashed lowercase', () => {
  assert.equal(normaliseUuid('11111111222233334444555555555555'), UUID_A);
  assert.equal(normaliseUuid('not-a-uuid'), 'not-a-uuid');
});
