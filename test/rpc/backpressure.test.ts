// A client that stops reading a console must not make the server buffer the guest's output
// without bound: the guest side is paused until the socket drains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageStatus, MessageType } from '../../src/rpc/framing.js';
import { Proc } from '../../src/rpc/protocol/constants.js';
import { procedures } from '../../src/rpc/protocol/procedures.js';
import { encodeWith } from '../../src/rpc/xdr.js';
import { startTestDaemon } from '../helpers/rpc-daemon.js';
import { RawClient } from '../helpers/raw-client.js';
import { waitFor } from '../helpers/wait.js';

const DEMO = "<domain type='firecracker'><name>demo</name><uuid>6f1e5c36-1f3a-4f5e-9a38-2b8f0f3c2d11</uuid></domain>";

test('a console reader that stalls pauses the guest; reading again resumes it', async () => {
  const daemon = await startTestDaemon();
  const raw = await RawClient.connect(daemon.rwPath);
  try {
    const local = await daemon.hv.connect('fc:///system', false);
    const dom = await local.defineXML(DEMO);
    await dom.create();
    await local.close();
    await raw.reply(raw.call(Proc.CONNECT_OPEN, encodeWith(procedures.connectOpen.args, { name: 'fc:///system', flags: 0 })));
    const serial = raw.call(
      Proc.DOMAIN_OPEN_CONSOLE,
      encodeWith(procedures.domainOpenConsole.args, { dom: { name: dom.name, uuid: dom.uuid, id: dom.id }, devName: 'flood', flags: 0 }),
    );
    await raw.reply(serial, Proc.DOMAIN_OPEN_CONSOLE);
    raw.socket.pause();
    const flood = await waitFor(() => daemon.hv.floods[0], 'the flood console');
    // Wait until the guest side is no longer asked for data: everything in between is full.
    await waitFor(async () => {
      const before = flood.reads;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return flood.reads === before && flood.produced > 0;
    }, 'the guest to be paused');
    const stalledAt = flood.produced;
    assert.ok(stalledAt < 16 * 1024 * 1024, `the server buffered ${stalledAt} bytes for a client that does not read`);
    raw.packets.length = 0;
    raw.socket.resume();
    await waitFor(() => flood.produced > stalledAt + 4 * 1024 * 1024, 'the guest to resume');
    assert.ok(raw.packets.every((p) => p.header.type === MessageType.STREAM && p.header.status === MessageStatus.CONTINUE));
    raw.packets.length = 0;
  } finally {
    raw.close();
    await daemon.close();
  }
});
