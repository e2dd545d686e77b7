import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketReader, encodePacket, MESSAGE_MAX, MessageType } from '../../src/rpc/framing.js';

const call = (serial: number, payload: Buffer = Buffer.alloc(0)) =>
  encodePacket({ prog: 0x20008086, vers: 1, proc: 66, type: MessageType.CALL, serial, status: 0 }, payload);

test('packets are reassembled from any split, including one byte at a time', () => {
  const stream = Buffer.concat([call(0), call(1, Buffer.from('abcdefgh')), call(2)]);
  for (const size of [1, 3, 7, 28, 100]) {
    const reader = new PacketReader();
    const got = [];
    for (let at = 0; at < stream.length; at += size) got.push(...reader.push(stream.subarray(at, at + size)));
    assert.deepEqual(got.map((p) => p.header.serial), [0, 1, 2]);
    assert.equal(got[1]?.payload.toString(), 'abcdefgh');
    assert.equal(reader.pending, 0);
  }
});

test('a length over 32 MiB after the length word is refused before anything is buffered', () => {
  const reader = new PacketReader();
  const length = Buffer.alloc(4);
  length.writeUInt32BE(4 + MESSAGE_MAX + 1);
  assert.throws(() => reader.push(length), /too large/);
  assert.throws(() => reader.push(call(0)), /out of sync/);
});

test('exactly 32 MiB after the length word is still a valid length', () => {
  const reader = new PacketReader();
  const length = Buffer.alloc(4);
  length.writeUInt32BE(4 + MESSAGE_MAX);
  assert.deepEqual(reader.push(length), []);
  assert.equal(reader.pending, 4);
});

test('a length shorter than a header is refused', () => {
  for (const value of [0, 3, 4, 27]) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(value);
    assert.throws(() => new PacketReader().push(length), /too small/);
  }
});

test('header fields decode as sent; proc is signed', () => {
  const packet = encodePacket({ prog: 0x6b656570, vers: 1, proc: -1, type: 2, serial: 0xffffffff, status: 2 });
  const [decoded] = new PacketReader().push(packet);
  assert.deepEqual(decoded?.header, { prog: 0x6b656570, vers: 1, proc: -1, type: 2, serial: 0xffffffff, status: 2 });
});
