import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  findFirecrackerBinary, firecrackerArgs, firecrackerInstanceId, probeFirecrackerVersion, spawnFirecracker, waitForApiSocket,
} from '../../src/firecracker/launcher.js';
import { prepareConsoleFiles } from '../../src/driver/console/console-files.js';
import { readProcessStat } from '../../src/firecracker/process-info.js';
import { terminate, watchProcessExit } from '../../src/firecracker/process-watch.js';
import { VirError } from '../../src/errors.js';
import { installMiniFirecracker } from '../helpers/mini-firecracker-bin.js';
import { helpersDir } from '../helpers/console-guest.js';
import { waitFor } from '../helpers/wait.js';

const execFileAsync = promisify(execFile);
const UUID = '4dea22b3-1d52-d8f3-2516-782e98ab3fa0';
const V133 = { major: 1, minor: 3, patch: 3 };

async function scratch(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fcvirt-launch-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function consolePaths(dir: string) {
  return { logFile: path.join(dir, 'vm.log'), inputFifo: path.join(dir, 'vm.in'), ownerFile: path.join(dir, 'vm.owner') };
}

test('instance ids: valid for Firecracker, stable, distinct for names that map alike', () => {
  const valid = /^[A-Za-z0-9-]{1,64}$/;
  assert.equal(firecrackerInstanceId('demo_domain', UUID), 'demo-domain-4dea22b3');
  assert.equal(firecrackerInstanceId('demo_domain', UUID), firecrackerInstanceId('demo_domain', UUID));
  const long = firecrackerInstanceId('x'.repeat(200), UUID);
  assert.equal(long.length, 64);
  assert.match(long, /-4dea22b3$/);
  for (const name of ['ünïcode ✓', 'a.b', 'with space', '-', 'ok-name-1']) {
    assert.match(firecrackerInstanceId(name, UUID), valid);
  }
  assert.notEqual(firecrackerInstanceId('a_b', UUID), firecrackerInstanceId('a.b', '11111111-1d52-d8f3-2516-782e98ab3fa0'));
});

test('the command line per version: --level only where Firecracker takes it without --log-path', () => {
  const base = { apiSocket: '/run/a.sock', id: 'vm-1' };
  assert.deepEqual(firecrackerArgs({ ...base, version: { major: 0, minor: 25, patch: 2 } }), ['--api-sock', '/run/a.sock', '--id', 'vm-1']);
  assert.deepEqual(firecrackerArgs({ ...base, version: { major: 1, minor: 4, patch: 1 } }), ['--api-sock', '/run/a.sock', '--id', 'vm-1']);
  assert.deepEqual(firecrackerArgs({ ...base, version: { major: 1, minor: 5, patch: 0 } }), ['--api-sock', '/run/a.sock', '--id', 'vm-1', '--level', 'Warning']);
  assert.deepEqual(firecrackerArgs({ ...base, version: { major: 1, minor: 16, patch: 1 }, extraArgs: ['--boot-timer'] }), ['--api-sock', '/run/a.sock', '--id', 'vm-1', '--level', 'Warning', '--boot-timer']);
});

test('finding the binary: PATH, <emulator>, and libvirt-style errors', async (t) => {
  const dir = await scratch(t);
  const binary = await installMiniFirecracker(dir);
  assert.equal(await findFirecrackerBinary(undefined, `/nonexistent:${dir}`), binary);
  assert.equal(await findFirecrackerBinary(binary), binary);
  await assert.rejects(findFirecrackerBinary(undefined, '/nonexistent'), (error: unknown) => {
    assert.ok(error instanceof VirError);
    assert.equal(error.codeName, 'VIR_ERR_SYSTEM_ERROR');
    assert.match(error.message, /^Cannot find 'firecracker' in path: No such file or directory/);
    return true;
  });
  await assert.rejects(findFirecrackerBinary(path.join(dir, 'missing')), /Cannot check firecracker binary .*missing: No such file or directory/);
  await writeFile(path.join(dir, 'plain'), 'not executable');
  await assert.rejects(findFirecrackerBinary(path.join(dir, 'plain')), /is not executable/);
  await assert.rejects(findFirecrackerBinary('relative/firecracker'), /must be an absolute path/);
});

test('the version is probed once per binary, again when the binary changes', async (t) => {
  const dir = await scratch(t);
  const binary = await installMiniFirecracker(dir);
  const counter = path.join(dir, 'runs');
  process.env.MINI_FC_COUNT_FILE = counter;
  t.after(() => {
    delete process.env.MINI_FC_COUNT_FILE;
    delete process.env.MINI_FC_VERSION_OUTPUT;
  });
  const runs = async (): Promise<number> => (await readFile(counter, 'utf8')).split('\n').filter(Boolean).length;
  assert.deepEqual(await probeFirecrackerVersion(binary), { major: 1, minor: 3, patch: 3 });
  assert.deepEqual(await probeFirecrackerVersion(binary), { major: 1, minor: 3, patch: 3 });
  assert.equal(await runs(), 1);
  process.env.MINI_FC_VERSION_OUTPUT = 'Firecracker v0.25.2\n\n';
  const later = new Date(Date.now() + 5000);
  await utimes(binary, later, later);
  assert.deepEqual(await probeFirecrackerVersion(binary), { major: 0, minor: 25, patch: 2 });
  assert.equal(await runs(), 2);
  process.env.MINI_FC_VERSION_OUTPUT = 'nonsense\n';
  const evenLater = new Date(Date.now() + 10000);
  await utimes(binary, evenLater, evenLater);
  await assert.rejects(probeFirecrackerVersion(binary), /Cannot get the version of firecracker binary .*: 'nonsense'/);
  process.env.MINI_FC_VERSION_OUTPUT = 'Firecracker v0.24.6\n';
  const latest = new Date(Date.now() + 15000);
  await utimes(binary, latest, latest);
  await assert.rejects(probeFirecrackerVersion(binary), (error: unknown) => {
    assert.ok(error instanceof VirError);
    assert.equal(error.codeName, 'VIR_ERR_CONFIG_UNSUPPORTED');
    assert.match(error.message, /Firecracker 0\.24\.6 is not supported/);
    return true;
  });
});

test('spawned in its own session, it outlives the process that started it; its API answers', async (t) => {
  const dir = await scratch(t);
  const binary = await installMiniFirecracker(dir);
  const paths = consolePaths(dir);
  const apiSocket = path.join(dir, 'api.sock');
  const id = firecrackerInstanceId('demo_domain', UUID);
  const { stdout } = await execFileAsync(process.execPath, [path.join(helpersDir, 'spawn-detached.js'), binary, apiSocket, id, paths.logFile, paths.inputFifo, paths.ownerFile]);
  const { pid, startTime } = JSON.parse(stdout) as { pid: number; startTime: number };
  t.after(() => terminate(pid, startTime, { graceMs: 2000 }));
  // The starter has exited (execFile returned); the VM runs on, a session leader of its own.
  const info = await readProcessStat(pid);
  assert.equal(info?.startTime, startTime);
  const sessionId = Number((await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ')[3]);
  assert.equal(sessionId, pid);
  const log = await readFile(paths.logFile, 'utf8');
  // mini-firecracker plays v1.3.3: Warning is its default, and --level would need --log-path.
  assert.match(log, new RegExp(`serial: ${id} up, level default`));
  // Its exit is seen through the idle API connection, with /proc polling all but off.
  const exited = watchProcessExit(pid, startTime, { apiSocket, pollMs: 600_000, ref: true });
  const began = Date.now();
  assert.equal(await terminate(pid, startTime, { graceMs: 2000 }), 'terminated');
  await exited;
  assert.ok(Date.now() - began < 5000);
});

test('waiting for the API socket: ready only once it accepts; a dead process fails at once with its last words', async (t) => {
  const dir = await scratch(t);
  const binary = await installMiniFirecracker(dir);
  const paths = consolePaths(dir);
  const files = await prepareConsoleFiles(paths);
  const apiSocket = path.join(dir, 'api.sock');
  process.env.MINI_FC_LISTEN_DELAY_MS = '300';
  t.after(() => {
    delete process.env.MINI_FC_LISTEN_DELAY_MS;
  });
  const vm = await spawnFirecracker({ binary, version: V133, apiSocket, id: 'slow-1', stdio: files.stdio });
  delete process.env.MINI_FC_LISTEN_DELAY_MS;
  t.after(() => terminate(vm.pid, vm.startTime, { graceMs: 2000 }));
  await waitFor(async () => (await stat(apiSocket).catch(() => undefined))?.isFile(), 'the path to exist before anything listens');
  await waitForApiSocket(apiSocket, { exited: vm.exited, logFile: paths.logFile });
  assert.ok((await stat(apiSocket)).isSocket());
  // A second instance on the same socket is refused before it is spawned.
  await assert.rejects(spawnFirecracker({ binary, version: V133, apiSocket, id: 'second', stdio: files.stdio }), /API socket '.*api\.sock' is in use by another process/);

  const logOffset = (await stat(paths.logFile)).size;
  const again = await prepareConsoleFiles(paths);
  assert.equal(again.logOffset, logOffset);
  await again.close();
  const badSocket = path.join(dir, 'bad.sock');
  const bad = await spawnFirecracker({ binary, version: V133, apiSocket: badSocket, id: 'demo_domain', stdio: files.stdio });
  await files.close();
  await assert.rejects(waitForApiSocket(badSocket, { exited: bad.exited, logFile: paths.logFile, logOffset, deadlineMs: 20_000 }), (error: unknown) => {
    assert.ok(error instanceof VirError);
    assert.equal(error.codeName, 'VIR_ERR_OPERATION_FAILED');
    assert.match(error.message, /Firecracker exited \(killed by SIGABRT\) before its API socket .*bad\.sock accepted connections: .*\nInvalid instance ID: InvalidChar\('_', 4\)/s);
    assert.doesNotMatch(error.message, /serial: slow-1/);
    return true;
  });
});

test('waiting for the API socket gives up at the deadline', async (t) => {
  const dir = await scratch(t);
  await assert.rejects(waitForApiSocket(path.join(dir, 'never.sock'), { deadlineMs: 100 }), (error: unknown) => {
    assert.ok(error instanceof VirError);
    assert.equal(error.codeName, 'VIR_ERR_OPERATION_TIMEOUT');
    return true;
  });
});

test('a missing binary fails the spawn with a VirError', async (t) => {
  const dir = await scratch(t);
  const files = await prepareConsoleFiles(consolePaths(dir));
  t.after(() => files.close());
  await assert.rejects(spawnFirecracker({ binary: path.join(dir, 'nope'), version: V133, apiSocket: path.join(dir, 'a.sock'), id: 'x', stdio: files.stdio }), /Cannot run firecracker binary .*nope: No such file or directory/);
  await assert.rejects(spawnFirecracker({ binary: '/bin/true', version: V133, apiSocket: `/tmp/${'s'.repeat(120)}`, id: 'x', stdio: files.stdio }), /UNIX socket path '.*' too long/);
});
