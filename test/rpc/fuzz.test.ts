// Malformed input of every kind, from a seeded PRNG: each bad client gets an error or a closed
// connection, the server and a well-behaved client beside it carry on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { RemoteConnection } from '../../src/rpc/client/remote-connection.js';
import { HEADER_SIZE, MessageType, encodePacket } from '../../src/rpc/framing.js';
import { KEEPALIVE_PROGRAM, Proc, REMOTE_PROGRAM } from '../../src/rpc/protocol/constants.js';
import { procedures } from '../../src/rpc/protocol/procedures.js';
import { encodeWith } from '../../src/rpc/xdr.js';
import { startTestDaemon } from '../helpers/rpc-daemon.js';
import { RawClient } from '../helpers/raw-client.js';
import { testData } from '../helpers/paths.js';
import { waitFor } from '../helpers/wait.js';

/** mulberry32: small, seeded, good enough to pick test cases reproducibly. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.FCVIRT_FUZZ_SEED ?? 20240611);
const ROUNDS = 150;

test(`fuzz: ${ROUNDS} hostile clients (seed ${SEED}) leave the server and other clients unharmed`, async () => {
  const random = prng(SEED);
  const int = (max: number) => Math.floor(random() * max);
  const bytes = (count: number) => Buffer.from(Array.from({ length: count }, () => int(256)));
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const procs = [...Object.values(Proc), 0, -1, 444, 0x7fffffff, 55, 344, 243];

  const daemon = await startTestDaemon();
  const good = await RemoteConnection.open(`fc:///system?socket=${daemon.rwPath}`);
  try {
    const dom = await good.defineXML(await fs.readFile(testData('rpc', 'demo.xml'), 'utf8'));
    await dom.create();
    const console = await dom.openConsole(null);
    let consoleData = '';
    console.on('data', (chunk: Buffer) => (consoleData += chunk.toString()));

    for (let round = 0; round < ROUNDS; round++) {
      const raw = await RawClient.connect(daemon.rwPath);
      const opened = random() < 0.6;
      if (opened) raw.call(Proc.CONNECT_OPEN, encodeWith(procedures.connectOpen.args, { name: 'fc:///system', flags: int(2) }));
      const kind = int(7);
      switch (kind) {
        case 0: // garbage
          raw.write(bytes(1 + int(200)));
          break;
        case 1: {
          // a plausible header with random fields and payload
          const header = {
            prog: pick([REMOTE_PROGRAM, KEEPALIVE_PROGRAM, int(2 ** 32)]),
            vers: pick([1, 1, 1, int(5)]),
            proc: pick(procs),
            type: int(8),
            serial: int(2 ** 32),
            status: pick([0, 0, 1, 2, int(9)]),
          };
          raw.write(encodePacket(header, bytes(int(120))));
          break;
        }
        case 2: {
          // a real procedure with a truncated or corrupted payload
          const payload = encodeWith(procedures.domainLookupByName.args, { name: 'demo' });
          const cut = payload.subarray(0, int(payload.length));
          raw.call(pick(procs), random() < 0.5 ? cut : bytes(int(64)));
          break;
        }
        case 3: {
          // a length word that lies: too big, too small, or more than what follows
          const length = Buffer.alloc(4);
          length.writeUInt32BE(pick([0, 3, 27, 33_554_437, 0xffffffff, 4 + HEADER_SIZE + 1000]));
          raw.write(Buffer.concat([length, bytes(int(40))]));
          break;
        }
        case 4: // stream packets for streams that do not exist, or that belong to another client
          raw.call(Proc.DOMAIN_OPEN_CONSOLE, bytes(int(50)), { type: MessageType.STREAM, status: int(3), serial: int(10) });
          break;
        case 5: // an array count or string length far beyond the buffer
          raw.call(pick([Proc.CONNECT_LIST_ALL_DOMAINS, Proc.DOMAIN_DEFINE_XML, Proc.CONNECT_OPEN]), Buffer.from([0xff, 0xff, 0xff, 0xf0]));
          break;
        default: // many calls at once, then vanish without reading
          for (let i = 0; i < 20; i++) raw.call(pick(procs), bytes(int(16)));
      }
      if (kind !== 0 && kind !== 3) {
        // Framing is intact: a probe call must get its answer, unless the server hung up.
        const probe = raw.call(Proc.AUTH_LIST, Buffer.alloc(0), { serial: 0xdead0000 + round });
        const outcome = await waitFor(
          () => (raw.packets.some((p) => p.header.serial === probe) ? 'answered' : raw.closed ? 'closed' : undefined),
          `round ${round}: the probe's answer or a closed connection`,
        );
        assert.ok(outcome === 'answered' || kind === 1, `round ${round} (kind ${kind}): ${outcome}`);
      }
      raw.close();
      if (round % 25 === 0) {
        assert.equal(await good.getHostname(), 'fc-test-host');
      }
    }

    // The good client's connection, its domain and its console all still work.
    assert.deepEqual(await dom.getState(), { state: 1, reason: 1 });
    assert.deepEqual((await good.listAllDomains()).map((d) => d.name), ['demo']);
    console.write('still here\r');
    await waitFor(() => consoleData.includes('still here\r\n'), 'the console echo');
    console.destroy();
    await waitFor(() => daemon.rw.server.clientCount === 1, 'every hostile client to be gone');
    await waitFor(() => daemon.hv.openCount === 1, 'every hostile connection to be closed');
  } finally {
    await good.close();
    await daemon.close();
  }
});
