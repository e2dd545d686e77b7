// virtfcd's own behaviour over the in-memory hypervisor: socket placement and modes, stale and
// live sockets, read-only refusals, which URIs each kind of daemon serves, --timeout, logging.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Daemon } from '../../src/daemon/daemon.js';
import { createLogger } from '../../src/daemon/logger.js';
import { daemonSockets, type DaemonSockets } from '../../src/daemon/socket-paths.js';
import { RemoteConnection } from '../../src/rpc/client/remote-connection.js';
import { defaultUri, openConnection } from '../../src/connect.js';
import { memoryBackend, type MemoryBackend } from '../helpers/memory-backend.js';
import { testData } from '../helpers/paths.js';
import { waitFor } from '../helpers/wait.js';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fcvd-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

interface Started {
  daemon: Daemon;
  backend: MemoryBackend;
  sockets: DaemonSockets;
  log: string[];
}

async function start(t: TestContext, sockets: DaemonSockets, options: { timeoutSeconds?: number; verbose?: boolean } = {}): Promise<Started> {
  const backend = memoryBackend();
  const log: string[] = [];
  const daemon = await Daemon.start({
    sockets,
    timeoutSeconds: options.timeoutSeconds ?? 0,
    logger: createLogger({ verbose: options.verbose ?? false, write: (line) => log.push(line) }),
    openBackend: () => Promise.resolve(backend),
  });
  t.after(() => daemon.stop());
  return { daemon, backend, sockets, log };
}

const DEMO = await fs.readFile(testData('rpc', 'demo.xml'), 'utf8');

async function mode(file: string): Promise<number> {
  return (await fs.stat(file)).mode & 0o777;
}

async function exists(file: string): Promise<boolean> {
  return fs.lstat(file).then(() => true, () => false);
}

test('system sockets: rw 0600 and ro 0666 under --root; ro refuses changes; stop removes them and closes the driver', async (t) => {
  const root = await tempDir(t);
  const sockets = daemonSockets({ mode: 'system', root }, {});
  const { daemon, backend } = await start(t, sockets);
  assert.equal(sockets.rw, path.join(root, 'run/libvirt/virtfcd-sock'));
  assert.equal(await mode(sockets.rw), 0o600);
  assert.equal(await mode(sockets.ro ?? ''), 0o666);

  const rw = await RemoteConnection.open(`fc:///system?socket=${sockets.rw}`);
  const ro = await RemoteConnection.open(`fc:///system?socket=${sockets.ro ?? ''}`);
  await rw.defineXML(DEMO);
  assert.deepEqual((await ro.listAllDomains()).map((domain) => domain.name), ['demo']);
  await assert.rejects(ro.defineXML(DEMO), { message: 'operation forbidden: read only access prevents virDomainDefineXML' });
  assert.equal(daemon.clientCount, 2);
  await Promise.all([rw.close(), ro.close()]);

  await daemon.stop();
  assert.equal(await exists(sockets.rw), false);
  assert.equal(await exists(sockets.ro ?? ''), false);
  assert.equal(backend.closed, true);
});

test('a stale socket file is replaced; a live daemon on the socket makes a second one refuse before touching the driver', async (t) => {
  const root = await tempDir(t);
  const sockets = daemonSockets({ mode: 'system', root }, {});
  await fs.mkdir(sockets.dir, { recursive: true });
  // A socket file nobody listens on, as a daemon killed with SIGKILL leaves it.
  const bound = spawnSync('/usr/bin/python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', sockets.rw]);
  assert.equal(bound.status, 0, bound.stderr.toString());
  assert.ok((await fs.lstat(sockets.rw)).isSocket());

  const first = await start(t, sockets);
  const client = await RemoteConnection.open(`fc:///system?socket=${sockets.rw}`);
  assert.equal(await client.getType(), 'FC');

  let opened = false;
  await assert.rejects(
    Daemon.start({
      sockets,
      timeoutSeconds: 0,
      logger: createLogger({ verbose: false, write: () => undefined }),
      openBackend: () => {
        opened = true;
        return Promise.resolve(memoryBackend());
      },
    }),
    { message: `operation failed: another daemon is already serving ${sockets.rw}; stop it first, or give this one another --root` },
  );
  assert.equal(opened, false);
  // The first daemon and its client carry on.
  assert.equal(await client.getHostname(), 'fc-test-host');
  assert.equal(first.daemon.clientCount, 1);
  await client.close();
});

test('a system daemon serves fc:///system and root\'s fc:///session; a session daemon only fc:///session', async (t) => {
  const root = await tempDir(t);
  const system = await start(t, daemonSockets({ mode: 'system', root }, {}));
  const asSession = await RemoteConnection.open(`fc:///session?socket=${system.sockets.rw}`);
  assert.equal(await asSession.getType(), 'FC');
  await asSession.close();
  assert.deepEqual(system.backend.hv.opened, [{ uri: 'fc:///session', readOnly: false }]);

  const session = await start(t, daemonSockets({ mode: 'session', root: undefined }, { XDG_RUNTIME_DIR: await tempDir(t) }));
  assert.equal(session.sockets.ro, undefined);
  assert.equal(await mode(session.sockets.rw), 0o600);
  assert.equal(await mode(session.sockets.dir), 0o700);
  await assert.rejects(
    RemoteConnection.open(`fc:///system?socket=${session.sockets.rw}`),
    { message: "internal error: unexpected fc URI path '/system', try fc:///session" },
  );
  const user = await RemoteConnection.open(`fc:///session?socket=${session.sockets.rw}`);
  assert.equal(await user.getType(), 'FC');
  await user.close();
});

test('--timeout: stays while a client is connected or a domain runs, exits once idle for the timeout', async (t) => {
  const root = await tempDir(t);
  const { daemon, sockets } = await start(t, daemonSockets({ mode: 'system', root }, {}), { timeoutSeconds: 1 });
  let stopped: string | undefined;
  void daemon.done.then((reason) => (stopped = reason));

  const client = await RemoteConnection.open(`fc:///system?socket=${sockets.rw}`);
  const domain = await client.defineXML(DEMO);
  await domain.create();
  await client.close();
  // A running domain and no client: several timeouts pass and it is still there.
  const until = Date.now() + 2500;
  await waitFor(() => Date.now() > until, '2.5 s with a running domain', 5000);
  assert.equal(stopped, undefined);

  const again = await RemoteConnection.open(`fc:///system?socket=${sockets.rw}`);
  await (await again.lookupByName('demo')).destroy();
  // A client but no running domain: still there.
  const later = Date.now() + 2500;
  await waitFor(() => Date.now() > later, '2.5 s with a client', 5000);
  assert.equal(stopped, undefined);
  await again.close();

  await waitFor(() => stopped, 'the idle daemon to exit', 5000);
  assert.equal(stopped, 'idle');
  assert.equal(await exists(sockets.rw), false);
});

test('--verbose logs one line per call and clients coming and going; without it, nothing for a clean session', async (t) => {
  const quiet = await start(t, daemonSockets({ mode: 'system', root: await tempDir(t) }, {}));
  const verbose = await start(t, daemonSockets({ mode: 'system', root: await tempDir(t) }, {}), { verbose: true });
  for (const { sockets } of [quiet, verbose]) {
    const client = await RemoteConnection.open(`fc:///system?socket=${sockets.rw}`);
    await client.listAllDomains();
    await assert.rejects(client.lookupByName('nope'));
    await client.close();
  }
  assert.deepEqual(quiet.log, []);
  await waitFor(() => verbose.log.some((line) => line.includes('disconnected')), 'the client to be gone', 5000);
  const lines = verbose.log.map((line) => line.replace(/^\S+ \S+: \d+: /, '').replace(/ \d+\.\d\d ms/, ' N ms'));
  assert.deepEqual(lines, [
    `info : serving fc:///system on ${verbose.sockets.rw} and ${verbose.sockets.ro ?? ''}\n`,
    'info : client 1 connected on virtfcd-sock (1 on this socket)\n',
    'info : client 1 on virtfcd-sock: AUTH_LIST N ms: ok\n',
    'info : client 1 on virtfcd-sock: CONNECT_SUPPORTS_FEATURE (virConnectSupportsFeature) N ms: ok\n',
    'info : client 1 on virtfcd-sock: CONNECT_OPEN (virConnectOpen) N ms: ok\n',
    'info : client 1 on virtfcd-sock: CONNECT_SUPPORTS_FEATURE (virConnectSupportsFeature) N ms: ok\n',
    'info : client 1 on virtfcd-sock: CONNECT_SUPPORTS_FEATURE (virConnectSupportsFeature) N ms: ok\n',
    'info : client 1 on virtfcd-sock: CONNECT_REGISTER_CLOSE_CALLBACK (virConnectRegisterCloseCallback) N ms: ok\n',
    'info : client 1 on virtfcd-sock: CONNECT_LIST_ALL_DOMAINS (virConnectListAllDomains) N ms: ok\n',
    "info : client 1 on virtfcd-sock: DOMAIN_LOOKUP_BY_NAME (virDomainLookupByName) N ms: error VIR_ERR_NO_DOMAIN: Domain not found: no domain with matching name 'nope'\n",
    'info : client 1 on virtfcd-sock: CONNECT_UNREGISTER_CLOSE_CALLBACK (virConnectUnregisterCloseCallback) N ms: ok\n',
    'info : client 1 on virtfcd-sock: CONNECT_CLOSE (virConnectClose) N ms: ok\n',
    'info : client 1 disconnected on virtfcd-sock (0 on this socket)\n',
  ]);
});

test('openConnection() without a URI: LIBVIRT_DEFAULT_URI, else the system daemon for root', async (t) => {
  const { sockets } = await start(t, daemonSockets({ mode: 'system', root: await tempDir(t) }, {}));
  const uri = `fc:///system?socket=${sockets.rw}`;
  assert.equal(defaultUri({ LIBVIRT_DEFAULT_URI: uri }), uri);
  assert.equal(defaultUri({}), process.geteuid?.() === 0 ? 'fc:///system' : 'fc:///session');
  const connection = await openConnection(undefined, { env: { LIBVIRT_DEFAULT_URI: uri } });
  assert.equal(connection.uri, uri);
  assert.equal(await connection.getType(), 'FC');
  await connection.close();
});
