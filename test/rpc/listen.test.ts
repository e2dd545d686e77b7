import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { listen } from '../../src/rpc/listen.js';
import { RemoteConnection } from '../../src/rpc/client/remote-connection.js';
import { MemoryHypervisor } from '../helpers/memory-connection.js';

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'fcvirt-listen-'));
}

test('the socket file gets the requested mode and is removed on close', async () => {
  const dir = await tempDir();
  const hv = new MemoryHypervisor();
  try {
    const rw = await listen({ path: path.join(dir, 'run', 'virtfcd-sock'), mode: 0o600, connect: hv.connect });
    const ro = await listen({ path: path.join(dir, 'run', 'virtfcd-sock-ro'), mode: 0o666, connect: hv.connect, readOnly: true });
    const rwStat = await fs.stat(rw.path);
    assert.ok(rwStat.isSocket());
    assert.equal(rwStat.mode & 0o777, 0o600);
    assert.equal((await fs.stat(ro.path)).mode & 0o777, 0o666);
    const conn = await RemoteConnection.open('fc:///system', { socketPath: ro.path });
    await conn.close();
    assert.deepEqual(hv.opened, [{ uri: 'fc:///system', readOnly: true }]);
    await rw.close();
    await ro.close();
    await assert.rejects(fs.stat(rw.path), { code: 'ENOENT' });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('a stale socket file is replaced; a live one is never taken over', async () => {
  const dir = await tempDir();
  const hv = new MemoryHypervisor();
  const socketPath = path.join(dir, 'virtfcd-sock');
  try {
    // A daemon that died without cleaning up leaves its socket file behind.
    execFileSync(process.execPath, [
      '-e',
      `require('node:net').createServer().listen(${JSON.stringify(socketPath)}, () => process.exit(0))`,
    ]);
    assert.ok((await fs.stat(socketPath)).isSocket());
    const first = await listen({ path: socketPath, mode: 0o600, connect: hv.connect });
    await assert.rejects(listen({ path: socketPath, mode: 0o600, connect: hv.connect }), {
      message: `operation failed: another daemon is already serving ${socketPath}`,
    });
    // The live daemon is untouched.
    const conn = await RemoteConnection.open('fc:///system', { socketPath });
    assert.equal(await conn.getType(), 'FC');
    await conn.close();
    await first.close();
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('a path that is not a socket is refused', async () => {
  const dir = await tempDir();
  try {
    const file = path.join(dir, 'not-a-socket');
    await fs.writeFile(file, 'data');
    await assert.rejects(listen({ path: file, mode: 0o600, connect: new MemoryHypervisor().connect }), {
      message: `operation failed: ${file} exists and is not a socket; remove it or choose another path`,
    });
    assert.equal(await fs.readFile(file, 'utf8'), 'data');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
