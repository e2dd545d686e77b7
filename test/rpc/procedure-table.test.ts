import { test } from 'node:test';
import assert from 'node:assert/strict';
import { procedures } from '../../src/rpc/protocol/procedures.js';
import { allProcedureNames, procedureName, REMOTE_PROC_MAX } from '../../src/rpc/protocol/procedure-names.js';
import { Proc } from '../../src/rpc/protocol/constants.js';

test('libvirt 9.0.0 has 443 remote procedures, numbered 1..443 without gaps', () => {
  const all = allProcedureNames();
  assert.equal(all.length, 443);
  assert.equal(REMOTE_PROC_MAX, 443);
  all.forEach((entry, index) => {
    assert.equal(entry.number, index + 1);
  });
  assert.equal(procedureName(443)?.name, 'DOMAIN_FD_ASSOCIATE');
  assert.equal(procedureName(0), undefined);
  assert.equal(procedureName(444), undefined);
});

test('numbers from libvirt-rpc.md §3.8 name the same procedures', () => {
  const expected: [number, string, string | null][] = [
    [1, 'CONNECT_OPEN', 'virConnectOpen'],
    [6, 'NODE_GET_INFO', 'virNodeGetInfo'],
    [9, 'DOMAIN_CREATE', 'virDomainCreate'],
    [14, 'DOMAIN_GET_XML_DESC', 'virDomainGetXMLDesc'],
    [16, 'DOMAIN_GET_INFO', 'virDomainGetInfo'],
    [23, 'DOMAIN_LOOKUP_BY_NAME', 'virDomainLookupByName'],
    [55, 'DOMAIN_SAVE', 'virDomainSave'],
    [59, 'CONNECT_GET_HOSTNAME', 'virConnectGetHostname'],
    [66, 'AUTH_LIST', null],
    [122, 'NODE_GET_SECURITY_MODEL', 'virNodeGetSecurityModel'],
    [157, 'CONNECT_GET_LIB_VERSION', 'virConnectGetLibVersion'],
    [201, 'DOMAIN_OPEN_CONSOLE', 'virDomainOpenConsole'],
    [212, 'DOMAIN_GET_STATE', 'virDomainGetState'],
    [243, 'DOMAIN_BLOCK_STATS_FLAGS', 'virDomainBlockStatsFlags'],
    [273, 'CONNECT_LIST_ALL_DOMAINS', 'virConnectListAllDomains'],
    [316, 'CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY', 'virConnectDomainEventRegisterAny'],
    [318, 'DOMAIN_EVENT_CALLBACK_LIFECYCLE', null],
    [344, 'CONNECT_GET_ALL_DOMAIN_STATS', 'virConnectGetAllDomainStats'],
    [350, 'DOMAIN_DEFINE_XML_FLAGS', 'virDomainDefineXMLFlags'],
    [362, 'CONNECT_EVENT_CONNECTION_CLOSED', null],
    [426, 'DOMAIN_GET_MESSAGES', 'virDomainGetMessages'],
  ];
  for (const [number, name, api] of expected) {
    assert.equal(procedureName(number)?.name, name, `procedure ${number}`);
    assert.equal(procedureName(number)?.api, api, `procedure ${number}`);
  }
});

test('every declared procedure agrees with libvirt on number, name and read-only refusal', () => {
  for (const [key, entry] of Object.entries(procedures)) {
    const named = procedureName(entry.proc);
    assert.ok(named, `${key}: ${entry.proc} is a libvirt procedure`);
    assert.equal(entry.name, named.name, `${key}: name`);
    assert.equal(named.kind, entry.proc === Proc.AUTH_LIST ? 'auth' : 'call', `${key}: kind`);
    assert.equal(entry.mutates, named.readOnly === 'refused', `${key}: mutates`);
  }
});

test('the Proc constants are the table entries of the same name', () => {
  for (const [name, number] of Object.entries(Proc)) assert.equal(procedureName(number)?.name, name);
});
