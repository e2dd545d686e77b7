import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XdrReader, XdrWriter, encodeWith, decodeWith } from '../../src/rpc/xdr.js';
import { encodePacket, MessageStatus, MessageType } from '../../src/rpc/framing.js';
import { KEEPALIVE_PROGRAM, KeepaliveProc, Proc, REMOTE_PROGRAM } from '../../src/rpc/protocol/constants.js';
import { procedures, lifecycleEventMessage } from '../../src/rpc/protocol/procedures.js';
import { domainCodec, errorCodec, optionalString } from '../../src/rpc/protocol/types.js';
import { VirError } from '../../src/errors.js';

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/[^0-9a-f]/gi, ''), 'hex');
}

const UUID = '6f1e5c36-1f3a-4f5e-9a38-2b8f0f3c2d11';
const UUID_HEX = '6f1e5c361f3a4f5e9a382b8f0f3c2d11';

function header(proc: number, type: number, serial: number, status: number = MessageStatus.OK) {
  return { prog: REMOTE_PROGRAM, vers: 1, proc, type, serial, status };
}

test('AUTH_LIST call and reply are byte for byte the wire capture (libvirt-rpc.md §3.2)', () => {
  assert.deepEqual(
    encodePacket(header(Proc.AUTH_LIST, MessageType.CALL, 0)),
    hex('0000001c 20008086 00000001 00000042 00000000 00000000 00000000'),
  );
  assert.deepEqual(
    encodePacket(header(Proc.AUTH_LIST, MessageType.REPLY, 0), encodeWith(procedures.authList.ret, { types: [0] })),
    hex('00000024 20008086 00000001 00000042 00000001 00000000 00000000 00000001 00000000'),
  );
});

test('CONNECT_OPEN call: optional string present, no padding for 12 bytes, flags', () => {
  const payload = encodeWith(procedures.connectOpen.args, { name: 'fc:///system', flags: 0 });
  assert.deepEqual(
    encodePacket(header(Proc.CONNECT_OPEN, MessageType.CALL, 2), payload),
    hex('00000034 20008086 00000001 00000001 00000000 00000002 00000000 00000001 0000000c 66633a2f2f2f73797374656d 00000000'),
  );
  assert.deepEqual(decodeWith(procedures.connectOpen.args, payload), { name: 'fc:///system', flags: 0 });
});

test('LOOKUP_BY_NAME reply: name padded to 4 bytes, 16 raw uuid bytes, id', () => {
  const payload = encodeWith(procedures.domainLookupByName.ret, { dom: { name: 'fc1', uuid: UUID, id: 1 } });
  assert.deepEqual(payload, hex(`00000003 66633100 ${UUID_HEX} 00000001`));
  assert.deepEqual(decodeWith(domainCodec, payload), { name: 'fc1', uuid: UUID, id: 1 });
});

test('a lifecycle event message is the captured 318 packet', () => {
  const payload = encodeWith(lifecycleEventMessage, {
    callbackID: 28,
    dom: { name: 'fc1', uuid: UUID, id: -1 },
    event: 5,
    detail: 1,
  });
  assert.deepEqual(
    encodePacket(header(Proc.DOMAIN_EVENT_CALLBACK_LIFECYCLE, MessageType.MESSAGE, 0), payload),
    hex(`00000044 20008086 00000001 0000013e 00000002 00000000 00000000 0000001c 00000003 66633100 ${UUID_HEX} ffffffff 00000005 00000001`),
  );
});

test('keepalive PONG is 28 bytes with an empty payload', () => {
  assert.deepEqual(
    encodePacket({ prog: KEEPALIVE_PROGRAM, vers: 1, proc: KeepaliveProc.PONG, type: MessageType.MESSAGE, serial: 0, status: 0 }),
    hex('0000001c 6b656570 00000001 00000002 00000002 00000000 00000000'),
  );
});

test('NODE_GET_INFO: char model[32] takes 32 words, one per char', () => {
  const info = { model: 'x86_64', memoryKiB: 16_384_000, cpus: 2, mhz: 2400, nodes: 1, sockets: 1, cores: 2, threads: 1 };
  const payload = encodeWith(procedures.nodeGetInfo.ret, info);
  assert.equal(payload.length, 128 + 8 + 6 * 4);
  assert.deepEqual(payload.subarray(0, 8), hex('00000078 00000038'));
  assert.deepEqual(payload.subarray(24, 28), hex('00000000'));
  assert.deepEqual(decodeWith(procedures.nodeGetInfo.ret, payload), info);
});

test('security model: a count then one word per char', () => {
  const payload = encodeWith(procedures.nodeGetSecurityModel.ret, { model: 'ab', doi: '' });
  assert.deepEqual(payload, hex('00000002 00000061 00000062 00000000'));
});

test('hyper and unsigned hyper round-trip as bigint over the whole range', () => {
  const writer = new XdrWriter(4);
  writer.hyper(-1n).hyper(-(2n ** 63n)).uhyper(2n ** 64n - 1n).uhyper(0n).double(1.5).bool(true);
  const reader = new XdrReader(writer.bytes());
  assert.equal(reader.hyper(), -1n);
  assert.equal(reader.hyper(), -(2n ** 63n));
  assert.equal(reader.uhyper(), 2n ** 64n - 1n);
  assert.equal(reader.uhyper(), 0n);
  assert.equal(reader.double(), 1.5);
  assert.equal(reader.bool(), true);
  assert.equal(reader.remaining, 0);
});

test('fixed and variable opaque pad to 4 bytes; optional pointers carry a flag', () => {
  const writer = new XdrWriter();
  writer.fixedOpaque(Buffer.from([1, 2, 3]), 3).opaque(Buffer.from([9]), 10);
  optionalString.encode(writer, null);
  optionalString.encode(writer, 'é');
  assert.deepEqual(writer.bytes(), hex('01020300 00000001 09000000 00000000 00000001 00000002 c3a90000'));
  const reader = new XdrReader(writer.bytes());
  assert.deepEqual(reader.fixedOpaque(3), Buffer.from([1, 2, 3]));
  assert.deepEqual(reader.opaque(10), Buffer.from([9]));
  assert.equal(optionalString.decode(reader), null);
  assert.equal(optionalString.decode(reader), 'é');
});

test('a length past the buffer or over its maximum is a protocol error, not an allocation', () => {
  const huge = hex('7fffffff');
  assert.throws(() => new XdrReader(huge).string(4_194_304), (error: unknown) => {
    assert.ok(error instanceof VirError);
    assert.equal(error.codeName, 'VIR_ERR_RPC');
    assert.match(error.message, /over its maximum/);
    return true;
  });
  assert.throws(() => new XdrReader(hex('00000010 61626364')).string(100), /truncated XDR data/);
  assert.throws(() => new XdrReader(hex('00000005 6162636465000000')).string(4), /over its maximum 4/);
  assert.throws(() => new XdrReader(hex('ffffffff')).array(16_384, (r) => r.int()), /over its maximum/);
  assert.throws(() => new XdrReader(hex('00000100 00000001')).array(16_384, (r) => r.int()), /truncated/);
  assert.throws(() => new XdrReader(hex('00000002')).optional((r) => r.int()), /optional-pointer flag 2/);
  assert.throws(() => new XdrReader(hex('0000')).int(), /truncated/);
  assert.throws(() => new XdrReader(hex('00000102')).chars(257), /over its maximum 257/);
});

test('remote_error round-trips and carries the message twice (message and str1)', () => {
  const wire = {
    code: 3,
    domain: 0,
    message: 'this function is not supported by the connection driver: virDomainSave',
    level: 2,
    str1: 'this function is not supported by the connection driver: virDomainSave',
    str2: null,
    str3: null,
    int1: -1,
    int2: -1,
  };
  assert.deepEqual(decodeWith(errorCodec, encodeWith(errorCodec, wire)), wire);
});

test('the writer refuses values its XDR type cannot hold', () => {
  assert.throws(() => new XdrWriter().int(2 ** 31), /cannot encode/);
  assert.throws(() => new XdrWriter().uint(-1), /cannot encode/);
  assert.throws(() => new XdrWriter().string('abcde', 4), /over its maximum/);
});
