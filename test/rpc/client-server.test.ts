// RemoteConnection against the RPC server over real UNIX sockets, serving the in-memory
// Connection: every procedure the client uses, events, console both ways, keepalive, read-only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { Connection, DomainEvent } from '../../src/api/connection.js';
import { DomainXMLFlags, ListDomainsFlags, DomainCreateFlags } from '../../src/api/constants.js';
import { VirError } from '../../src/errors.js';
import { RemoteConnection } from '../../src/rpc/client/remote-connection.js';
import { MessageType, PacketReader, encodePacket } from '../../src/rpc/framing.js';
import { DrvFeature, KEEPALIVE_PROGRAM, KeepaliveProc, Proc } from '../../src/rpc/protocol/constants.js';
import { procedures } from '../../src/rpc/protocol/procedures.js';
import { encodeWith } from '../../src/rpc/xdr.js';
import { startTestDaemon, type TestDaemon } from '../helpers/rpc-daemon.js';
import { RawClient } from '../helpers/raw-client.js';
import { testData } from '../helpers/paths.js';
import { waitFor } from '../helpers/wait.js';

const UUID = '6f1e5c36-1f3a-4f5e-9a38-2b8f0f3c2d11';

async function withDaemon(body: (daemon: TestDaemon, conn: RemoteConnection) => Promise<void>, options = {}): Promise<void> {
  const daemon = await startTestDaemon(options);
  const conn = await RemoteConnection.open(`fc:///system?socket=${daemon.rwPath}`);
  try {
    await body(daemon, conn);
  } finally {
    await conn.close();
    await daemon.close();
  }
}

async function rejectsWith(promise: Promise<unknown>, code: number, message: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof VirError, `a VirError, got ${String(error)}`);
    assert.equal(error.message, message);
    assert.equal(error.code, code);
    return true;
  });
}

/** Reads from a stream until `text` has arrived; returns everything read. */
async function readUntil(stream: Duplex, text: string, seen: { data: string }): Promise<string> {
  await waitFor(() => seen.data.includes(text), `${JSON.stringify(text)} on the console`);
  return seen.data;
}

function collect(stream: Duplex): { data: string; ended: boolean } {
  const seen = { data: '', ended: false };
  stream.on('data', (chunk: Buffer) => {
    seen.data += chunk.toString('latin1');
  });
  stream.on('end', () => {
    seen.ended = true;
  });
  return seen;
}

test('host queries reach the Connection', async () => {
  await withDaemon(async (daemon, conn) => {
    assert.equal(conn.uri, `fc:///system?socket=${daemon.rwPath}`);
    assert.deepEqual(daemon.hv.opened, [{ uri: 'fc:///system', readOnly: false }]);
    assert.equal(await conn.getType(), 'FC');
    assert.equal(await conn.getVersion(), 1_007_000);
    assert.equal(await conn.getLibVersion(), 1000);
    assert.equal(await conn.getHostname(), 'fc-test-host');
    assert.match(await conn.getCapabilities(), /<domain type='firecracker'\/>/);
    assert.deepEqual(await conn.nodeGetInfo(), {
      model: 'x86_64',
      memoryKiB: 16_384_000,
      cpus: 2,
      mhz: 2400,
      nodes: 1,
      sockets: 1,
      cores: 2,
      threads: 1,
    });
  });
});

test('a domain\'s whole life through the client', async () => {
  await withDaemon(async (_daemon, conn) => {
    const xml = await fs.readFile(testData('rpc', 'demo.xml'), 'utf8');
    const dom = await conn.defineXML(xml, 1);
    assert.deepEqual([dom.name, dom.uuid, dom.id], ['demo', UUID, -1]);
    assert.deepEqual((await conn.listAllDomains(ListDomainsFlags.INACTIVE)).map((d) => d.name), ['demo']);
    assert.deepEqual(await conn.listAllDomains(ListDomainsFlags.ACTIVE), []);
    assert.equal(await dom.isActive(), false);
    assert.equal(await dom.isPersistent(), true);
    assert.equal(await dom.hasManagedSaveImage(), false);
    assert.equal(await dom.getOSType(), 'hvm');
    await dom.create();
    assert.ok(dom.id > 0, 'the id is re-read after create');
    assert.equal((await conn.lookupByID(dom.id)).name, 'demo');
    assert.equal((await conn.lookupByUUID(UUID.replace(/-/g, ''))).id, dom.id);
    assert.deepEqual(await dom.getState(), { state: 1, reason: 1 });
    assert.deepEqual(await dom.getInfo(), { state: 1, maxMemKiB: 131072, memoryKiB: 131072, nrVirtCpu: 2, cpuTimeNs: 1_500_000_000n });
    assert.match(await dom.getXMLDesc(), new RegExp(`<domain type='firecracker' id='${dom.id}'>`));
    assert.match(await dom.getXMLDesc(DomainXMLFlags.INACTIVE), /<domain type='firecracker'>/);
    await dom.setAutostart(true);
    assert.equal(await dom.getAutostart(), true);
    await dom.suspend();
    assert.deepEqual(await dom.getState(), { state: 3, reason: 1 });
    await rejectsWith(dom.suspend(), 55, 'Requested operation is not valid: domain is already paused');
    await dom.resume();
    assert.deepEqual(await dom.getState(), { state: 1, reason: 5 });
    await dom.reboot();
    await dom.shutdown();
    assert.deepEqual(await dom.getState(), { state: 5, reason: 1 });
    await dom.create(DomainCreateFlags.START_PAUSED);
    assert.deepEqual(await dom.getState(), { state: 3, reason: 1 });
    await dom.destroy();
    assert.equal(dom.id, -1);
    assert.deepEqual(await dom.getState(), { state: 5, reason: 2 });
    await dom.undefine();
    await rejectsWith(conn.lookupByName('demo'), 42, "Domain not found: no domain with matching name 'demo'");
    const transient = await conn.createXML(xml.replace('<uuid>', '<uuid>0').replace(/<uuid>[^<]*<\/uuid>/, ''));
    assert.equal(await transient.isPersistent(), false);
    assert.ok(transient.id > 0);
    await transient.destroy();
    assert.deepEqual(await conn.listAllDomains(), []);
  });
});

test('errors cross the wire as the Connection raised them', async () => {
  await withDaemon(async (_daemon, conn) => {
    await rejectsWith(conn.lookupByID(99), 42, 'Domain not found: no domain with matching id 99');
    await rejectsWith(conn.defineXML('<domain/>'), 67, "unsupported configuration: domain type '' is not firecracker");
    const dom = await conn.defineXML(await fs.readFile(testData('rpc', 'demo.xml'), 'utf8'));
    await rejectsWith(dom.destroy(), 55, 'Requested operation is not valid: domain is not running');
    await rejectsWith(dom.openConsole(null), 55, 'Requested operation is not valid: domain is not running');
  });
});

test('events reach every matching registration, with the domain filter', async () => {
  await withDaemon(async (daemon, conn) => {
    const xml = await fs.readFile(testData('rpc', 'demo.xml'), 'utf8');
    const demo = await conn.defineXML(xml);
    const all: DomainEvent[] = [];
    const onlyDemo: DomainEvent[] = [];
    const reboots: DomainEvent[] = [];
    const allId = await conn.domainEventRegisterAny(null, 0, (e) => all.push(e));
    await conn.domainEventRegisterAny(demo, 0, (e) => onlyDemo.push(e));
    await conn.domainEventRegisterAny(null, 1, (e) => reboots.push(e));
    // A second client acts; the first one sees it.
    const other = await RemoteConnection.open(`fc:///system?socket=${daemon.rwPath}`);
    try {
      const second = await other.defineXML(xml.replace('demo', 'second').replace(/<uuid>[^<]*<\/uuid>/, ''));
      await second.create();
      const demoThere = await other.lookupByName('demo');
      await demoThere.create();
      await demoThere.reboot();
      await demoThere.destroy();
    } finally {
      await other.close();
    }
    await waitFor(() => onlyDemo.length === 2 && all.length === 4 && reboots.length === 1, 'the events');
    assert.deepEqual(
      all.map((e) => (e.eventId === 0 ? [e.domain.name, e.event, e.detail] : [])),
      [['second', 0, 0], ['second', 2, 0], ['demo', 2, 0], ['demo', 5, 1]],
    );
    assert.deepEqual(onlyDemo.map((e) => e.domain.name), ['demo', 'demo']);
    const started = onlyDemo[0];
    assert.ok(started?.eventId === 0 && started.domain.id > 0 && started.domain.uuid === UUID);
    assert.deepEqual(reboots.map((e) => [e.eventId, e.domain.name]), [[1, 'demo']]);
    await conn.domainEventDeregisterAny(allId);
    await (await conn.lookupByName('second')).destroy();
    await conn.lookupByName('demo');
    assert.equal(all.length, 4);
    await rejectsWith(conn.domainEventDeregisterAny(allId), 8, `invalid argument: domain event callback ${allId} not registered`);
  });
});

test('console: guest output and typed input both ways, EOF when the guest stops', async () => {
  await withDaemon(async (daemon, conn) => {
    const dom = await conn.defineXML(await fs.readFile(testData('rpc', 'demo.xml'), 'utf8'));
    await dom.create();
    const console = await dom.openConsole(null);
    const seen = collect(console);
    await readUntil(console, 'demo login: ', seen);
    console.write('root\r');
    await readUntil(console, 'root\r\n', seen);
    // A console is exclusive unless forced.
    await rejectsWith(dom.openConsole(null), 9, 'operation failed: Active console session exists for this domain');
    // Stopping the guest is an EOF on the stream; the client then finishes it.
    await (await conn.lookupByName('demo')).destroy();
    await waitFor(() => seen.ended, 'EOF on the console');
    await waitFor(() => console.destroyed || console.writableFinished, 'the stream to finish');
    assert.ok(daemon.log.every((line) => !line.includes('error')), daemon.log.join('\n'));
  });
});

test('console: large output is chunked within libvirt\'s limit and arrives whole', async () => {
  await withDaemon(async (_daemon, conn) => {
    const dom = await conn.defineXML(await fs.readFile(testData('rpc', 'demo.xml'), 'utf8'));
    await dom.create();
    const console = await dom.openConsole('serial0');
    const seen = collect(console);
    await readUntil(console, 'login: ', seen);
    const big = Buffer.alloc(700_000, 'x').toString('latin1') + 'END';
    console.write(big);
    await readUntil(console, 'END', seen);
    assert.equal(seen.data.length, '\r\ndemo login: '.length + big.length);
    // end() is virStreamFinish: it completes once the server confirms.
    await new Promise<void>((resolve) => console.end(resolve));
    // The console is free again.
    const again = await dom.openConsole(null);
    again.destroy();
  });
});

test('console: a forced open takes over; an abort (destroy) frees the console', async () => {
  await withDaemon(async (_daemon, conn) => {
    const dom = await conn.defineXML(await fs.readFile(testData('rpc', 'demo.xml'), 'utf8'));
    await dom.create();
    const first = await dom.openConsole(null);
    const firstSeen = collect(first);
    const second = await dom.openConsole(null, 1);
    await waitFor(() => firstSeen.ended, 'the first console to end');
    second.destroy();
    await waitFor(async () => {
      try {
        (await dom.openConsole(null)).destroy();
        return true;
      } catch {
        return false;
      }
    }, 'the console to be free after the abort');
  });
});

test('a read-only connection reads and is refused changes', async () => {
  await withDaemon(async (daemon, conn) => {
    await conn.defineXML(await fs.readFile(testData('rpc', 'demo.xml'), 'utf8'));
    for (const ro of [
      await RemoteConnection.open(`fc:///system?socket=${daemon.roPath}`),
      await RemoteConnection.open(`fc:///system?socket=${daemon.rwPath}`, { readOnly: true }),
    ]) {
      try {
        const dom = await ro.lookupByName('demo');
        assert.deepEqual(await dom.getState(), { state: 5, reason: 0 });
        await rejectsWith(dom.create(), 29, 'operation forbidden: read only access prevents virDomainCreate');
        await rejectsWith(dom.setAutostart(true), 29, 'operation forbidden: read only access prevents virDomainSetAutostart');
        await rejectsWith(dom.undefine(), 29, 'operation forbidden: read only access prevents virDomainUndefineFlags');
        await rejectsWith(ro.defineXML('<domain/>'), 29, 'operation forbidden: read only access prevents virDomainDefineXML');
        await rejectsWith(dom.getXMLDesc(DomainXMLFlags.SECURE), 29, 'operation forbidden: virDomainGetXMLDesc with secure flag');
        await ro.domainEventDeregisterAny(await ro.domainEventRegisterAny(null, 0, () => undefined));
      } finally {
        await ro.close();
      }
    }
    assert.deepEqual(
      daemon.hv.opened.map((o) => o.readOnly),
      [false, true, true],
    );
  });
});

test('server keepalive: a client that never answers PING is dropped after the count', async () => {
  const daemon = await startTestDaemon({ keepaliveIntervalMs: 30, keepaliveCount: 3 });
  const raw = await RawClient.connect(daemon.rwPath);
  try {
    raw.call(Proc.CONNECT_SUPPORTS_FEATURE, encodeWith(procedures.connectSupportsFeature.args, { feature: DrvFeature.PROGRAM_KEEPALIVE }));
    await raw.waitClosed();
    const pings = raw.packets.filter((p) => p.header.prog === KEEPALIVE_PROGRAM && p.header.proc === KeepaliveProc.PING);
    assert.equal(pings.length, 3);
    assert.ok(pings.every((p) => p.header.type === MessageType.MESSAGE && p.payload.length === 0));
  } finally {
    raw.close();
    await daemon.close();
  }
});

test('server keepalive: the client answers PINGs and stays connected past the timeout', async () => {
  await withDaemon(
    async (daemon, conn) => {
      const start = Date.now();
      // Three unanswered pings would close it within ~120 ms; it must outlive that by far.
      await waitFor(() => Date.now() - start > 400, 'time to pass');
      assert.equal(await conn.getType(), 'FC');
      assert.equal(daemon.rw.server.clientCount, 1);
    },
    { keepaliveIntervalMs: 30, keepaliveCount: 3 },
  );
});

test('client keepalive: pings when the daemon is silent, gives up when PONGs stop coming', async () => {
  const daemon = await startTestDaemon();
  // A proxy that passes everything but the daemon's PONGs.
  const proxyPath = path.join(daemon.dir, 'proxy-sock');
  let pings = 0;
  const proxy = net.createServer((client) => {
    const upstream = net.connect(daemon.rwPath);
    const fromDaemon = new PacketReader();
    const fromClient = new PacketReader();
    client.on('data', (chunk: Buffer) => {
      for (const p of fromClient.push(chunk)) {
        if (p.header.prog === KEEPALIVE_PROGRAM && p.header.proc === KeepaliveProc.PING) pings++;
        upstream.write(encodePacket(p.header, p.payload));
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      for (const p of fromDaemon.push(chunk)) {
        if (p.header.prog !== KEEPALIVE_PROGRAM) client.write(encodePacket(p.header, p.payload));
      }
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => proxy.listen(proxyPath, resolve));
  try {
    const conn = await RemoteConnection.open('fc:///system', { socketPath: proxyPath, keepaliveIntervalMs: 30, keepaliveCount: 2 });
    let lost: VirError | null = null;
    conn.onClose((error) => {
      lost = error;
    });
    const error = await waitFor(() => lost ?? undefined, 'the client to give up');
    assert.equal(error.message, 'connection to the daemon timed out: no keepalive response');
    assert.equal(pings, 2);
    await rejectsWith(conn.getType(), 39, 'connection to the daemon timed out: no keepalive response');
    await conn.close();
    await waitFor(() => daemon.hv.openCount === 0, 'the daemon to close the connection');
  } finally {
    await new Promise<void>((resolve) => {
      proxy.close(() => {
        resolve();
      });
    });
    await daemon.close();
  }
});

test('closing the server tells clients that registered a close callback, then ends them', async () => {
  const daemon = await startTestDaemon();
  const remote = await RemoteConnection.open(`fc:///system?socket=${daemon.rwPath}`);
  const conn: Connection = remote;
  let lost: VirError | null = null;
  remote.onClose((error) => {
    lost = error;
  });
  await daemon.close();
  const error = await waitFor(() => lost ?? undefined, 'the client to notice');
  assert.equal(error.code, 39);
  assert.equal(remote.closeReason, 1);
  await rejectsWith(conn.getType(), 39, 'the daemon closed the connection');
  await conn.close();
});

test('close() succeeds when the daemon goes away in the middle of the goodbye', async () => {
  const daemon = await startTestDaemon();
  // A proxy that forwards until told to, then drops both sides on the client's next packet.
  const proxyPath = path.join(daemon.dir, 'cut-sock');
  let cut = false;
  const proxy = net.createServer((client) => {
    const upstream = net.connect(daemon.rwPath);
    client.on('data', (chunk: Buffer) => {
      if (cut) {
        client.destroy();
        upstream.destroy();
      } else {
        upstream.write(chunk);
      }
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => proxy.listen(proxyPath, resolve));
  try {
    const conn = await RemoteConnection.open('fc:///system', { socketPath: proxyPath });
    assert.equal(await conn.getType(), 'FC');
    cut = true;
    await conn.close();
    await rejectsWith(conn.getType(), 39, 'the daemon closed the connection');
  } finally {
    await new Promise<void>((resolve) => {
      proxy.close(() => {
        resolve();
      });
    });
    await daemon.close();
  }
});
