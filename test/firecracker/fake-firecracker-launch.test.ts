// The host pieces end to end against the project's Firecracker test double: spawn it as the
// driver would (console files, own session) from a process that then exits, boot it over the
// API, use its console from another process, and see it exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FAKE_FIRECRACKER, FAKE_VERSIONS } from '../helpers/fake-firecracker.js';
import { helpersDir } from '../helpers/console-guest.js';
import { Collector } from '../helpers/stream-reader.js';
import { findFirecrackerBinary, firecrackerInstanceId, probeFirecrackerVersion } from '../../src/firecracker/launcher.js';
import { openConsoleStream } from '../../src/driver/console/console-stream.js';
import { terminate, watchProcessExit } from '../../src/firecracker/process-watch.js';

const execFileAsync = promisify(execFile);

function api(socketPath: string, method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request({ socketPath, method, path: urlPath, headers: payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.on('error', reject);
    request.end(payload);
  });
}

for (const version of FAKE_VERSIONS) {
  test(`v${version} double: spawned detached, booted, its console used from another process, its exit seen`, async (t) => {
    const previous = process.env.FCVIRT_FAKE_FIRECRACKER_VERSION;
    process.env.FCVIRT_FAKE_FIRECRACKER_VERSION = version;
    t.after(() => {
      if (previous === undefined) delete process.env.FCVIRT_FAKE_FIRECRACKER_VERSION;
      else process.env.FCVIRT_FAKE_FIRECRACKER_VERSION = previous;
    });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fcvirt-fake-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await symlink(FAKE_FIRECRACKER, path.join(dir, `firecracker-${version}`));
    // One path per version: versions are probed once per binary path.
    const binary = await findFirecrackerBinary(path.join(dir, `firecracker-${version}`));
    const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
    assert.deepEqual(await probeFirecrackerVersion(binary), { major, minor, patch });

    const paths = { logFile: path.join(dir, 'demo.log'), inputFifo: path.join(dir, 'demo.in'), ownerFile: path.join(dir, 'demo.owner') };
    const apiSocket = path.join(dir, 'api.sock');
    // The seed's own example name, which Firecracker would panic on as an --id.
    const id = firecrackerInstanceId('demo_domain', '4dea22b3-1d52-d8f3-2516-782e98ab3fa0');
    const { stdout } = await execFileAsync(process.execPath, [path.join(helpersDir, 'spawn-detached.js'), binary, apiSocket, id, paths.logFile, paths.inputFifo, paths.ownerFile]);
    const { pid, startTime } = JSON.parse(stdout) as { pid: number; startTime: number };
    t.after(() => terminate(pid, startTime, { graceMs: 2000 }));
    const exited = watchProcessExit(pid, startTime, { apiSocket, ref: true });
    t.after(() => { exited.cancel(); });

    const info = await api(apiSocket, 'GET', '/');
    assert.equal(info.status, 200);
    assert.equal((JSON.parse(info.body) as { id: string }).id, id);
    const kernel = path.join(dir, 'vmlinux');
    await writeFile(kernel, 'not really a kernel');
    const rootfs = path.join(dir, 'rootfs.ext4');
    await writeFile(rootfs, Buffer.alloc(1024 * 1024));
    assert.equal((await api(apiSocket, 'PUT', '/boot-source', { kernel_image_path: kernel, boot_args: 'console=ttyS0 reboot=k panic=1' })).status, 204);
    assert.equal((await api(apiSocket, 'PUT', '/drives/rootfs', { drive_id: 'rootfs', path_on_host: rootfs, is_root_device: true, is_read_only: false })).status, 204);
    const console = await openConsoleStream(paths, { processExited: exited });
    const seen = new Collector(console);
    assert.equal((await api(apiSocket, 'PUT', '/actions', { action_type: 'InstanceStart' })).status, 204);
    await seen.waitForText('fcguest# ');
    console.write('echo through the fifo\n');
    await seen.waitForText('through the fifo');
    console.write('reboot\n');
    await seen.waitForEnd();
    assert.equal(console.endReason, 'exited');
    await exited;
  });
}
