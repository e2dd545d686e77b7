// virtfcd killed with SIGKILL while domains run: the VMs keep running, and a new virtfcd on
// the same root (stale sockets, a lock whose holder is dead) finds them all running and
// controllable. Then garbage on the wire: the daemon and its other clients carry on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Domain } from '../../src/api/connection.js';
import { DomainState } from '../../src/api/constants.js';
import { openConnection } from '../../src/connect.js';
import { RemoteConnection } from '../../src/rpc/client/remote-connection.js';
import { processesUnder } from '../helpers/embed-root.js';
import { domainXml, fakeBackend } from '../helpers/fc-backend.js';
import { run } from '../helpers/run.js';
import { doublePath, makeDaemonRoot, virtfcdScript } from '../helpers/virtfcd.js';
import { waitFor } from '../helpers/wait.js';

async function readUntil(stream: NodeJS.ReadableStream, text: string): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`timed out waiting for ${JSON.stringify(text)} (got ${JSON.stringify(seen)})`));
    }, 10_000);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('latin1');
      if (seen.includes(text)) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolve(seen);
      }
    };
    stream.on('data', onData);
  });
}

test('SIGKILL while domains run: a new virtfcd finds them all running and controllable', async (t) => {
  const root = await makeDaemonRoot(t);
  const first = await root.start();
  const client = await RemoteConnection.open(root.uri);
  const names = ['vm-a', 'vm-b', 'vm-c'];
  for (const name of names) await (await client.defineXML(domainXml(fakeBackend, { name }))).create();
  const before = (await client.listAllDomains()).map((domain) => [domain.name, domain.id]);
  const pids = (await processesUnder(root.root)).sort();
  assert.equal(pids.length, 3);

  assert.equal(await first.stop('SIGKILL'), 'SIGKILL');
  await client.close();
  // The VMs did not notice.
  assert.deepEqual((await processesUnder(root.root)).sort(), pids);

  const second = await root.start();
  // A third one on the same root refuses, and leaves the second alone.
  const third = await run(process.execPath, [virtfcdScript, '--root', root.root], { env: { PATH: doublePath() } });
  assert.equal(third.status, 1);
  assert.match(third.stderr, new RegExp(`error : cannot start: operation failed: another daemon is already serving ${root.rw}; stop it first, or give this one another --root\n$`));
  const again = await RemoteConnection.open(root.uri);
  t.after(() => again.close());
  const domains = await again.listAllDomains();
  assert.deepEqual(domains.map((domain) => [domain.name, domain.id]), before);
  for (const domain of domains) assert.deepEqual(await domain.getState(), { state: DomainState.RUNNING, reason: 1 });

  const [a, b, c] = domains as [Domain, Domain, Domain];
  await a.suspend();
  assert.equal((await a.getState()).state, DomainState.PAUSED);
  await a.resume();
  const console = await b.openConsole(null);
  console.write('\r');
  await readUntil(console, 'fcguest# ');
  console.write('echo still here\r');
  await readUntil(console, 'still here\r\nfcguest# ');
  console.destroy();
  await c.shutdown();
  await waitFor(async () => (await c.getState()).state === DomainState.SHUTOFF, 'vm-c to shut down', 15_000);
  for (const domain of [a, b]) await domain.destroy();
  assert.deepEqual(await processesUnder(root.root), []);
  await again.close();
  assert.equal(await second.stop(), 0);
  // Stopping released the root: the driver can be opened there in this process now.
  const embed = await openConnection(`fc:///embed?root=${root.root}`);
  assert.deepEqual((await embed.listAllDomains()).map((domain) => domain.name), names);
  await embed.close();
  // The old daemon's log said nothing; the new one's neither (the stale files are expected).
  assert.equal(second.stderr, '');
});

test('malformed input: the offending client is dropped, the daemon and its other clients carry on', async (t) => {
  const root = await makeDaemonRoot(t);
  const daemon = await root.start();
  const bystander = await RemoteConnection.open(root.uri);
  t.after(() => bystander.close());
  await bystander.defineXML(domainXml(fakeBackend, { name: 'calm' }));

  const garbage: Buffer[] = [
    Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
    Buffer.from([0, 0, 0, 2]), // a length below the header
    Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]), // a length over 32 MiB
    Buffer.concat([Buffer.from([0, 0, 0, 28]), Buffer.alloc(24, 0xff)]), // a header of nonsense
    Buffer.alloc(4096, 0xa5),
  ];
  for (const bytes of garbage) {
    // Sent, then our side ended: the daemon drops the client or ends its side too.
    await new Promise<void>((resolve) => {
      const socket = net.connect(root.rw, () => {
        socket.end(bytes);
      });
      socket.on('data', () => undefined);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        resolve();
      });
    });
    assert.deepEqual((await bystander.listAllDomains()).map((domain) => domain.name), ['calm']);
  }
  const after = await RemoteConnection.open(root.uri);
  assert.equal(await after.getType(), 'FC');
  await after.close();
  assert.equal(await daemon.stop(), 0);
  assert.match(daemon.stderr, /warning : dropping client \d+: /);
});
