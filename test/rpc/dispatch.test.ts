// The server's dispatch, driven in process over an in-memory duplex (no socket).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcServer, type RpcServerOptions } from '../../src/rpc/server/server.js';
import { MessageStatus, MessageType, encodePacket, type Packet } from '../../src/rpc/framing.js';
import { DrvFeature, KEEPALIVE_PROGRAM, KeepaliveProc, Proc } from '../../src/rpc/protocol/constants.js';
import { procedures } from '../../src/rpc/protocol/procedures.js';
import { errorCodec, type WireError } from '../../src/rpc/protocol/types.js';
import { type Codec, decodeWith, encodeWith } from '../../src/rpc/xdr.js';
import { MemoryConnection, MemoryHypervisor } from '../helpers/memory-connection.js';
import { RawClient } from '../helpers/raw-client.js';
import { duplexPair } from '../helpers/duplex-pair.js';
import { waitFor } from '../helpers/wait.js';

const DEMO = "<domain type='firecracker'><name>demo</name><uuid>6f1e5c36-1f3a-4f5e-9a38-2b8f0f3c2d11</uuid></domain>";

function inject(options: Partial<RpcServerOptions> = {}) {
  const hv = new MemoryHypervisor();
  const log: string[] = [];
  const server = new RpcServer({ connect: hv.connect, log: (m) => log.push(m), ...options });
  const [serverEnd, clientEnd] = duplexPair();
  server.handle(serverEnd);
  const client = new RawClient(clientEnd);
  return { hv, log, server, client };
}

function wireError(packet: Packet): WireError {
  assert.equal(packet.header.status, MessageStatus.ERROR, 'an error reply');
  return decodeWith(errorCodec, packet.payload);
}

async function ok(client: RawClient, proc: number, payload?: Buffer): Promise<Buffer> {
  const packet = await client.reply(client.call(proc, payload), proc);
  if (packet.header.status !== MessageStatus.OK) assert.fail(`call ${proc} failed: ${wireError(packet).message ?? ''}`);
  return packet.payload;
}

async function failure(client: RawClient, proc: number, payload?: Buffer): Promise<WireError> {
  return wireError(await client.reply(client.call(proc, payload), proc));
}

const open = (name: string | null, flags = 0) => encodeWith(procedures.connectOpen.args, { name, flags });
const feature = (value: number) => encodeWith(procedures.connectSupportsFeature.args, { feature: value });

test('the handshake virsh performs: auth list, keepalive feature before open, open, features', async () => {
  const { hv, client } = inject();
  assert.deepEqual(decodeWith(procedures.authList.ret, await ok(client, Proc.AUTH_LIST)), { types: [0] });
  const keepalive = await ok(client, Proc.CONNECT_SUPPORTS_FEATURE, feature(DrvFeature.PROGRAM_KEEPALIVE));
  assert.deepEqual(decodeWith(procedures.connectSupportsFeature.ret, keepalive), { supported: true });
  const early = await failure(client, Proc.CONNECT_SUPPORTS_FEATURE, feature(DrvFeature.REMOTE_EVENT_CALLBACK));
  assert.equal(early.message, 'internal error: connection not open');
  await ok(client, Proc.CONNECT_OPEN, open('fc:///system'));
  assert.deepEqual(hv.opened, [{ uri: 'fc:///system', readOnly: false }]);
  for (const [value, expected] of [[14, true], [15, true], [9, true], [8, false], [1, false]] as const) {
    const ret = decodeWith(procedures.connectSupportsFeature.ret, await ok(client, Proc.CONNECT_SUPPORTS_FEATURE, feature(value)));
    assert.equal(ret.supported, expected, `feature ${value}`);
  }
  await ok(client, Proc.CONNECT_REGISTER_CLOSE_CALLBACK);
  await ok(client, Proc.CONNECT_UNREGISTER_CLOSE_CALLBACK);
  await ok(client, Proc.CONNECT_CLOSE);
  assert.equal(hv.openCount, 0);
  assert.equal((await failure(client, Proc.CONNECT_GET_TYPE)).message, 'internal error: connection not open');
  client.close();
});

test('calls before open are refused the way libvirtd refuses them', async () => {
  const { client } = inject();
  const error = await failure(client, Proc.CONNECT_GET_TYPE);
  assert.equal(error.code, 1);
  assert.equal(error.message, 'internal error: connection not open');
  client.close();
});

test('CONNECT_OPEN accepts fc:///system and fc:///session only', async () => {
  const cases: [string, number, string][] = [
    ['qemu:///system', 5, 'no connection driver available for qemu:///system: this daemon serves only fc:///system and fc:///session'],
    ['fc:///other', 1, "internal error: unexpected fc URI path '/other', try fc:///system or fc:///session"],
    ['fc://elsewhere/system', 5, 'no connection driver available for fc://elsewhere/system: a remote host is reached through the client\'s transport (fc+ssh://host/system), not by this daemon'],
    ['not a uri', 5, 'no connection driver available for not a uri: not a URI; use fc:///system or fc:///session'],
  ];
  for (const [name, code, message] of cases) {
    const { hv, client } = inject();
    const error = await failure(client, Proc.CONNECT_OPEN, open(name));
    assert.equal(error.code, code, name);
    assert.equal(error.message, message);
    assert.equal(hv.openCount, 0);
    client.close();
  }
  const { hv, client } = inject({ defaultUri: 'fc:///session' });
  await ok(client, Proc.CONNECT_OPEN, open(null));
  assert.deepEqual(hv.opened, [{ uri: 'fc:///session', readOnly: false }]);
  assert.equal((await failure(client, Proc.CONNECT_OPEN, open('fc:///system'))).message, 'internal error: connection already open');
  client.close();
});

test('read-only: the open flag or the socket refuses every mutating procedure with libvirt\'s words', async () => {
  for (const setup of [{ flags: 1, socketReadOnly: false }, { flags: 0, socketReadOnly: true }]) {
    const { hv, client } = inject({ readOnly: setup.socketReadOnly });
    await ok(client, Proc.CONNECT_OPEN, open('fc:///system', setup.flags));
    assert.deepEqual(hv.opened, [{ uri: 'fc:///system', readOnly: true }]);
    await hv.connect('fc:///system', false).then((conn) => conn.defineXML(DEMO));
    const dom = encodeWith(procedures.domainLookupByName.args, { name: 'demo' });
    const ref = await ok(client, Proc.DOMAIN_LOOKUP_BY_NAME, dom);
    const create = await failure(client, Proc.DOMAIN_CREATE, ref);
    assert.equal(create.code, 29);
    assert.equal(create.domain, 20);
    assert.equal(create.message, 'operation forbidden: read only access prevents virDomainCreate');
    const define = await failure(client, Proc.DOMAIN_DEFINE_XML, encodeWith(procedures.domainDefineXML.args, { xml: DEMO }));
    assert.equal(define.message, 'operation forbidden: read only access prevents virDomainDefineXML');
    // Not implemented and mutating: refused as read-only first, like libvirt's API layer does.
    const save = await failure(client, 55, Buffer.concat([ref, encodeWith(procedures.domainLookupByName.args, { name: '/x' })]));
    assert.equal(save.message, 'operation forbidden: read only access prevents virDomainSave');
    const secure = await failure(
      client,
      Proc.DOMAIN_GET_XML_DESC,
      Buffer.concat([ref, encodeWith(procedures.connectSupportsFeature.args, { feature: 1 })]),
    );
    assert.equal(secure.message, 'operation forbidden: virDomainGetXMLDesc with secure flag');
    // Reading is allowed.
    const state = decodeWith(procedures.domainGetState.ret, await ok(client, Proc.DOMAIN_GET_STATE, Buffer.concat([ref, Buffer.alloc(4)])));
    assert.deepEqual(state, { state: 5, reason: 0 });
    assert.equal(hv.domains.size, 1);
    client.close();
  }
});

test('a procedure of the protocol that is not implemented answers NO_SUPPORT with the API name', async () => {
  const { client, log } = inject();
  await ok(client, Proc.CONNECT_OPEN, open('fc:///system'));
  const error = await failure(client, 344, Buffer.alloc(12));
  assert.equal(error.code, 3);
  assert.equal(error.message, 'this function is not supported by the connection driver: virConnectGetAllDomainStats');
  assert.equal(error.level, 2);
  assert.ok(log.some((line) => line.includes('344 CONNECT_GET_ALL_DOMAIN_STATS')));
  client.close();
});

test('a number outside the protocol, or an event number, is an unknown procedure (VIR_ERR_RPC)', async () => {
  const { client } = inject();
  await ok(client, Proc.CONNECT_OPEN, open('fc:///system'));
  for (const proc of [0, -5, 444, 100000, Proc.DOMAIN_EVENT_CALLBACK_LIFECYCLE]) {
    const error = await failure(client, proc);
    assert.equal(error.code, 39);
    assert.equal(error.domain, 7);
    assert.equal(error.message, `unknown procedure: ${proc}`);
  }
  client.close();
});

test('wrong program, version, type or status', async () => {
  const { client } = inject();
  const qemu = await client.reply(client.call(1, Buffer.alloc(0), { prog: 0x20008087 }));
  assert.equal(wireError(qemu).message, 'Cannot find program 536903815 version 1');
  assert.equal(qemu.header.prog, 0x20008087);
  const version = await client.reply(client.call(1, Buffer.alloc(0), { vers: 2 }));
  assert.equal(wireError(version).message, 'Cannot find program 536903814 version 2');
  const status = await client.reply(client.call(Proc.AUTH_LIST, Buffer.alloc(0), { status: MessageStatus.CONTINUE }));
  assert.equal(wireError(status).message, 'Unexpected message status 2');
  // Non-calls that match nothing are dropped silently, as libvirtd does.
  client.call(Proc.AUTH_LIST, Buffer.alloc(0), { type: MessageType.REPLY });
  client.call(Proc.AUTH_LIST, Buffer.alloc(0), { type: MessageType.STREAM, serial: 77 });
  client.call(Proc.AUTH_LIST, Buffer.alloc(0), { prog: 0x1234, type: MessageType.MESSAGE });
  await ok(client, Proc.AUTH_LIST);
  assert.deepEqual(client.packets, []);
  client.close();
});

test('undecodable arguments are answered with an error and the connection goes on', async () => {
  const { client } = inject();
  await ok(client, Proc.CONNECT_OPEN, open('fc:///system'));
  const truncated = await failure(client, Proc.DOMAIN_LOOKUP_BY_NAME, Buffer.from([0, 0, 0, 9, 0x61]));
  assert.equal(truncated.code, 39);
  assert.match(truncated.message ?? '', /^Unable to decode message payload: truncated XDR data/);
  const huge = await failure(client, Proc.DOMAIN_LOOKUP_BY_NAME, Buffer.from([0x7f, 0xff, 0xff, 0xff]));
  assert.match(huge.message ?? '', /over its maximum 4194304/);
  assert.equal(decodeWith(procedures.connectGetType.ret, await ok(client, Proc.CONNECT_GET_TYPE)).type, 'FC');
  client.close();
});

test('SASL and polkit are refused as libvirtd refuses them when only "none" is offered', async () => {
  const { client } = inject();
  for (const proc of [Proc.AUTH_SASL_INIT, Proc.AUTH_POLKIT]) {
    const error = await failure(client, proc);
    assert.equal(error.code, 45);
    assert.equal(error.message, 'authentication failed: authentication failed');
  }
  client.close();
});

test('keepalive PING is answered with PONG, before and after open', async () => {
  const { client } = inject();
  const ping = encodePacket({ prog: KEEPALIVE_PROGRAM, vers: 1, proc: KeepaliveProc.PING, type: MessageType.MESSAGE, serial: 0, status: 0 });
  client.write(ping);
  const pong = await waitFor(() => client.packets.find((p) => p.header.prog === KEEPALIVE_PROGRAM), 'a PONG');
  assert.deepEqual(pong.header, { prog: KEEPALIVE_PROGRAM, vers: 1, proc: KeepaliveProc.PONG, type: MessageType.MESSAGE, serial: 0, status: 0 });
  assert.equal(pong.payload.length, 0);
  client.close();
});

test('a client that goes away has its Connection closed and its event callbacks removed', async () => {
  const { hv, client, server } = inject();
  await ok(client, Proc.CONNECT_OPEN, open('fc:///system'));
  await ok(
    client,
    Proc.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
    encodeWith(procedures.connectDomainEventCallbackRegisterAny.args, { eventID: 0, dom: null }),
  );
  assert.equal(hv.listenerCount, 1);
  client.close();
  await waitFor(() => hv.openCount === 0 && server.clientCount === 0, 'the session to end');
  assert.equal(hv.listenerCount, 0);
});

test('an event ID outside libvirt 9.0.0\'s range is refused', async () => {
  const { client } = inject();
  await ok(client, Proc.CONNECT_OPEN, open('fc:///system'));
  const error = await failure(
    client,
    Proc.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
    encodeWith(procedures.connectDomainEventCallbackRegisterAny.args, { eventID: 27, dom: null }),
  );
  assert.equal(error.message, 'internal error: unsupported event ID 27');
  client.close();
});

async function openedWithDemo(options: Partial<RpcServerOptions> = {}) {
  const setup = inject(options);
  await ok(setup.client, Proc.CONNECT_OPEN, open('fc:///system'));
  const local = await setup.hv.connect('fc:///system', false);
  await (await local.defineXML(DEMO)).create();
  await local.close();
  const ref = await ok(setup.client, Proc.DOMAIN_LOOKUP_BY_NAME, encodeWith(procedures.domainLookupByName.args, { name: 'demo' }));
  return { ...setup, ref };
}

function consoleArgs(ref: Buffer, devName: string | null): Buffer {
  const { dom } = decodeWith(procedures.domainLookupByName.ret, ref);
  return encodeWith(procedures.domainOpenConsole.args, { dom, devName, flags: 0 });
}

test('console stream on the wire: void reply, raw chunks of at most 262120 bytes, finish confirmed with OK', async () => {
  const { client, ref } = await openedWithDemo();
  const serial = client.call(Proc.DOMAIN_OPEN_CONSOLE, consoleArgs(ref, null));
  const reply = await client.reply(serial, Proc.DOMAIN_OPEN_CONSOLE);
  assert.equal(reply.header.status, MessageStatus.OK);
  assert.equal(reply.payload.length, 0);
  const big = Buffer.alloc(600_000, 0x61);
  const streamHeader = { type: MessageType.STREAM, serial, status: MessageStatus.CONTINUE };
  client.call(Proc.DOMAIN_OPEN_CONSOLE, big, streamHeader);
  const streamed = () => client.packets.filter((p) => p.header.type === MessageType.STREAM && p.header.serial === serial);
  const total = '\r\ndemo login: '.length + big.length;
  await waitFor(() => streamed().reduce((sum, p) => sum + p.payload.length, 0) === total, 'the echo of 600000 bytes');
  for (const packet of streamed()) {
    assert.equal(packet.header.status, MessageStatus.CONTINUE);
    assert.equal(packet.header.proc, Proc.DOMAIN_OPEN_CONSOLE);
    assert.ok(packet.payload.length <= 262_120, `chunk of ${packet.payload.length}`);
  }
  assert.ok(streamed().some((p) => p.payload.length === 262_120));
  client.packets.length = 0;
  // Finish: the server answers OK once, and nothing else unsolicited.
  client.call(Proc.DOMAIN_OPEN_CONSOLE, Buffer.alloc(0), { ...streamHeader, status: MessageStatus.OK });
  const confirm = await waitFor(() => streamed().find((p) => p.header.status === MessageStatus.OK), 'the finish confirmation');
  assert.equal(confirm.payload.length, 0);
  await ok(client, Proc.AUTH_LIST);
  assert.deepEqual(streamed().map((p) => p.header.status), [MessageStatus.OK]);
  client.close();
});

test('console stream: an abort is confirmed with OK; guest EOF is an empty CONTINUE', async () => {
  const { hv, client, ref } = await openedWithDemo();
  const first = client.call(Proc.DOMAIN_OPEN_CONSOLE, consoleArgs(ref, null));
  await client.reply(first, Proc.DOMAIN_OPEN_CONSOLE);
  client.call(Proc.DOMAIN_OPEN_CONSOLE, Buffer.alloc(0), { type: MessageType.STREAM, serial: first, status: MessageStatus.ERROR });
  await waitFor(
    () => client.packets.find((p) => p.header.serial === first && p.header.status === MessageStatus.OK),
    'the abort confirmation',
  );
  const second = client.call(Proc.DOMAIN_OPEN_CONSOLE, consoleArgs(ref, null));
  assert.equal((await client.reply(second, Proc.DOMAIN_OPEN_CONSOLE)).header.status, MessageStatus.OK);
  const local = await hv.connect('fc:///system', false);
  await (await local.lookupByName('demo')).destroy();
  await local.close();
  const eof = await waitFor(
    () => client.packets.find((p) => p.header.serial === second && p.header.status === MessageStatus.CONTINUE && p.payload.length === 0),
    'an empty CONTINUE',
  );
  assert.equal(eof.header.type, MessageType.STREAM);
  assert.ok(!client.packets.some((p) => p.header.serial === second && p.header.status === MessageStatus.OK));
  client.close();
});

test('at most maxClientRequests calls of one client run at once; the rest wait their turn', async () => {
  const hv = new MemoryHypervisor();
  const gates: (() => void)[] = [];
  class SlowHostname extends MemoryConnection {
    override getHostname(): Promise<string> {
      return new Promise((resolve) => {
        gates.push(() => {
          resolve('slow-host');
        });
      });
    }
  }
  const server = new RpcServer({ connect: (uri) => Promise.resolve(new SlowHostname(hv, uri)), maxClientRequests: 3 });
  const [serverEnd, clientEnd] = duplexPair();
  server.handle(serverEnd);
  const client = new RawClient(clientEnd);
  await ok(client, Proc.CONNECT_OPEN, open('fc:///system'));
  const serials = Array.from({ length: 7 }, () => client.call(Proc.CONNECT_GET_HOSTNAME));
  await waitFor(() => gates.length === 3, 'three calls to run');
  // Releasing one lets exactly one more in.
  gates.shift()?.();
  await waitFor(() => gates.length === 3 && client.packets.length === 1, 'the fourth call to start');
  while (client.packets.length < 7) {
    assert.ok(gates.length <= 3);
    gates.shift()?.();
    await waitFor(() => gates.length > 0 || client.packets.length === 7, 'the next call');
  }
  for (const serial of serials) {
    const reply = await client.reply(serial, Proc.CONNECT_GET_HOSTNAME);
    assert.equal(decodeWith(procedures.connectGetHostname.ret, reply.payload).hostname, 'slow-host');
  }
  client.close();
});

test('the queries virsh makes on the way answer what a domain without those features answers', async () => {
  const { client, ref } = await openedWithDemo();
  const withFlags = Buffer.concat([ref, Buffer.alloc(4)]);
  const call = async <T>(proc: number, codec: Codec<T>, payload?: Buffer): Promise<T> =>
    decodeWith(codec, await ok(client, proc, payload));
  assert.deepEqual(await call(Proc.CONNECT_GET_URI, procedures.connectGetURI.ret), { uri: 'fc:///system' });
  assert.deepEqual(await call(Proc.CONNECT_IS_SECURE, procedures.connectIsSecure.ret), { secure: true });
  assert.deepEqual(await call(Proc.CONNECT_GET_LIB_VERSION, procedures.connectGetLibVersion.ret), { libVer: 1000 });
  assert.deepEqual(await call(Proc.NODE_GET_SECURITY_MODEL, procedures.nodeGetSecurityModel.ret), { model: '', doi: '' });
  assert.deepEqual(await call(Proc.DOMAIN_GET_MAX_MEMORY, procedures.domainGetMaxMemory.ret, ref), { memory: 131072 });
  assert.deepEqual(await call(Proc.DOMAIN_HAS_MANAGED_SAVE_IMAGE, procedures.domainHasManagedSaveImage.ret, withFlags), { result: false });
  assert.deepEqual(await call(Proc.DOMAIN_SNAPSHOT_NUM, procedures.domainSnapshotNum.ret, withFlags), { num: 0 });
  assert.deepEqual(await call(Proc.DOMAIN_GET_MESSAGES, procedures.domainGetMessages.ret, withFlags), { msgs: [] });
  assert.deepEqual(await call(Proc.DOMAIN_GET_SECURITY_LABEL, procedures.domainGetSecurityLabel.ret, ref), { label: '', enforcing: 0 });
  assert.deepEqual(await call(Proc.DOMAIN_GET_SECURITY_LABEL_LIST, procedures.domainGetSecurityLabelList.ret, ref), { labels: [], ret: 0 });
  const maxids = encodeWith(procedures.connectListDomains.args, { maxids: 10 });
  assert.deepEqual(await call(Proc.CONNECT_LIST_DOMAINS, procedures.connectListDomains.ret, maxids), { ids: [1] });
  assert.deepEqual(await call(Proc.CONNECT_NUM_OF_DOMAINS, procedures.connectNumOfDomains.ret), { num: 1 });
  assert.deepEqual(await call(Proc.CONNECT_NUM_OF_DEFINED_DOMAINS, procedures.connectNumOfDefinedDomains.ret), { num: 0 });
  const none = encodeWith(procedures.connectListAllDomains.args, { needResults: 0, flags: 0 });
  assert.deepEqual(await call(Proc.CONNECT_LIST_ALL_DOMAINS, procedures.connectListAllDomains.ret, none), { domains: [], ret: 1 });
  const gone = encodeWith(procedures.domainLookupByUUID.ret, { dom: { name: 'gone', uuid: '11111111-2222-3333-4444-555555555555', id: -1 } });
  const missing = await failure(client, Proc.DOMAIN_SNAPSHOT_NUM, Buffer.concat([gone, Buffer.alloc(4)]));
  assert.equal(missing.message, "Domain not found: no domain with matching uuid '11111111-2222-3333-4444-555555555555'");
  client.close();
});
