// FirecrackerApiClient and waitForApiSocket against the test double, all three versions.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { FirecrackerApiClient, waitForApiSocket, compareVersions, type ApiRequest, type ProcessExit } from '../../src/firecracker/api-client.js';
import { VirError, ErrorCode } from '../../src/errors.js';
import { FAKE_VERSIONS, spawnFake, startFake, tempDir, waitFor, type FakeProcess, type FakeVersion } from '../helpers/fake-firecracker.js';

function exitPromise(fake: FakeProcess): Promise<ProcessExit> {
  return fake.exited.then((e) => ({ code: e.code, signal: e.signal }));
}

/** A small boot plan in each version's dialect. */
function bootPlan(version: FakeVersion, dir: string): ApiRequest[] {
  const kernel = path.join(dir, 'vmlinux');
  const rootfs = path.join(dir, 'rootfs.ext4');
  fs.writeFileSync(kernel, 'kernel');
  fs.writeFileSync(rootfs, '');
  fs.truncateSync(rootfs, 1024 * 1024);
  const machine = version === '0.25.2' ? { vcpu_count: 2, mem_size_mib: 256, ht_enabled: false } : { vcpu_count: 2, mem_size_mib: 256, smt: false };
  return [
    { method: 'PUT', path: '/machine-config', body: machine },
    { method: 'PUT', path: '/boot-source', body: { kernel_image_path: kernel, boot_args: 'console=ttyS0 reboot=k panic=1 pci=off' } },
    { method: 'PUT', path: '/drives/vda', body: { drive_id: 'vda', path_on_host: rootfs, is_root_device: true, is_read_only: false } },
    { method: 'PUT', path: '/actions', body: { action_type: 'InstanceStart' } },
  ];
}

function isVirError(code: keyof typeof ErrorCode, message: string | RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof VirError, `a VirError, got ${String(e)}`);
    assert.equal(e.code, ErrorCode[code]);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  };
}

test('versions compare numerically', () => {
  assert.equal(compareVersions('1.13.0', '1.3.3'), 1);
  assert.equal(compareVersions('0.25.2', '1.0.0'), -1);
  assert.equal(compareVersions('1.16.1', '1.16.1'), 0);
});

describe('waitForApiSocket', () => {
  const { dir, cleanup } = tempDir();
  after(cleanup);

  test('is ready once a connect succeeds (the file may exist earlier)', async () => {
    const socket = path.join(dir, 'ready.sock');
    const fake = spawnFake('1.16.1', ['--api-sock', socket]);
    try {
      await waitForApiSocket(socket, { deadline: Date.now() + 10_000, processExited: exitPromise(fake) });
      const client = new FirecrackerApiClient(socket);
      assert.equal((await client.getInstanceInfo()).state, 'Not started');
      client.close();
    } finally {
      await fake.stop();
    }
  });

  test('fails at once when the process dies first', async () => {
    const socket = path.join(dir, 'dies.sock');
    const fake = spawnFake('1.16.1', ['--api-sock', socket, '--id', 'demo_domain']);
    const started = Date.now();
    await assert.rejects(
      waitForApiSocket(socket, { deadline: Date.now() + 60_000, processExited: exitPromise(fake) }),
      isVirError('VIR_ERR_OPERATION_FAILED', `operation failed: Firecracker exited (killed by SIGABRT) before its API socket ${socket} accepted connections`),
    );
    assert.ok(Date.now() - started < 10_000, 'long before the deadline');
  });

  test('gives up at the deadline when nothing listens', async () => {
    const socket = path.join(dir, 'nobody.sock');
    fs.writeFileSync(socket, '');
    await assert.rejects(
      waitForApiSocket(socket, { deadline: Date.now() + 100 }),
      isVirError('VIR_ERR_OPERATION_TIMEOUT', `Timed out during operation: Firecracker's API socket ${socket} did not accept connections in time`),
    );
  });
});

test('a request without an answer times out', async () => {
  const { dir, cleanup } = tempDir();
  const socket = path.join(dir, 'silent.sock');
  const accepted: net.Socket[] = [];
  const server = net.createServer((s) => accepted.push(s));
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  const client = new FirecrackerApiClient(socket, { timeoutMs: 100 });
  try {
    await assert.rejects(
      client.request('GET', '/'),
      isVirError('VIR_ERR_OPERATION_TIMEOUT', `Timed out during operation: Firecracker did not answer GET / on ${socket} within 100 ms`),
    );
  } finally {
    client.close();
    for (const s of accepted) s.destroy();
    await new Promise((resolve) => server.close(resolve));
    cleanup();
  }
});

for (const version of FAKE_VERSIONS) {
  describe(`FirecrackerApiClient with Firecracker v${version}`, () => {
    const { dir, cleanup } = tempDir();
    after(cleanup);

    async function session(fn: (client: FirecrackerApiClient, fake: FakeProcess) => Promise<void>, args: string[] = []): Promise<FakeProcess> {
      const { fake, socket } = await startFake(version, dir, args);
      const client = new FirecrackerApiClient(socket, { processExited: exitPromise(fake) });
      try {
        await fn(client, fake);
      } finally {
        client.close();
        await fake.stop();
      }
      return fake;
    }

    test('request returns status and parsed body', async () => {
      await session(async (client) => {
        const answer = await client.request('GET', '/machine-config');
        assert.equal(answer.status, 200);
        assert.equal((answer.body as { vcpu_count: number }).vcpu_count, 1);
        const refused = await client.request('GET', '/nonexistent');
        assert.deepEqual(refused, { status: 400, body: { fault_message: 'Invalid request method and/or path: GET nonexistent.' } });
      });
    });

    test('getVersion and getInstanceInfo', async () => {
      await session(async (client) => {
        assert.equal(await client.getVersion(), version);
        const info = await client.getInstanceInfo();
        assert.deepEqual(info, { id: 'anonymous-instance', state: 'Not started', vmm_version: version, app_name: 'Firecracker' });
        // Now the version is known: v1.x asks GET /version.
        assert.equal(await client.getVersion(), version);
      });
    });

    test('apply sends the plan in order; pause, resume, metrics, ctrl-alt-del', async () => {
      const metricsPath = path.join(dir, `metrics-${version}.json`);
      fs.writeFileSync(metricsPath, '');
      const fake = await session(async (client, fake) => {
        await client.apply([{ method: 'PUT', path: '/metrics', body: { metrics_path: metricsPath } }, ...bootPlan(version, dir)]);
        assert.equal((await client.getInstanceInfo()).state, 'Running');
        await client.pause();
        assert.equal((await client.getInstanceInfo()).state, 'Paused');
        await client.resume();
        assert.equal((await client.getInstanceInfo()).state, 'Running');
        await client.flushMetrics();
        const line = fs.readFileSync(metricsPath, 'utf8').trim().split('\n').pop() ?? '';
        assert.equal(typeof (JSON.parse(line) as { utc_timestamp_ms: unknown }).utc_timestamp_ms, 'number');
        await waitFor(() => fake.stdout.includes('fcguest# '), 'the guest prompt');
        await client.sendCtrlAltDel();
        assert.equal(await fake.exitCode(), 0, 'the guest reset ends Firecracker');
      });
      assert.equal(fake.exit?.code, 0);
    });

    test('a refused request stops the plan with Firecracker\'s own message', async () => {
      await session(async (client) => {
        const plan = bootPlan(version, dir);
        const missing = path.join(dir, 'no-such-disk.ext4');
        plan.splice(3, 0, { method: 'PUT', path: '/drives/vdb', body: { drive_id: 'vdb', path_on_host: missing, is_root_device: false, is_read_only: true } });
        const fault = {
          '0.25.2': 'Invalid block device path!',
          '1.3.3': `Invalid block device path: ${missing}`,
          '1.16.1': `Drive config error: Unable to create the virtio block device: Virtio backend error: Error manipulating the backing file: No such file or directory (os error 2) ${missing}`,
        }[version];
        await assert.rejects(client.apply(plan), isVirError('VIR_ERR_OPERATION_FAILED', `operation failed: Firecracker refused PUT /drives/vdb: ${fault}`));
        assert.equal((await client.getInstanceInfo()).state, 'Not started', 'InstanceStart was not sent');
      });
    });

    test('snapshots: create on a paused VM, load into a fresh process', async () => {
      const snapshot = path.join(dir, `vm-${version}.snap`);
      const memory = path.join(dir, `vm-${version}.mem`);
      await session(async (client) => {
        await client.apply(bootPlan(version, dir));
        await assert.rejects(
          client.createSnapshot({ snapshotPath: snapshot, memFilePath: memory }),
          isVirError('VIR_ERR_OPERATION_FAILED', /save\/restore unavailable while running$/),
        );
        await client.pause();
        await client.createSnapshot({ snapshotPath: snapshot, memFilePath: memory, ...(version === '1.16.1' ? {} : { snapshotVersion: version === '0.25.2' ? '0.25.0' : '1.3.0' }) });
      });
      assert.equal(fs.statSync(memory).size, 256 * 1024 * 1024);
      await session(async (client) => {
        await client.loadSnapshot({ snapshotPath: snapshot, memFilePath: memory });
        assert.equal((await client.getInstanceInfo()).state, 'Paused');
        await client.resume();
        assert.equal((await client.getInstanceInfo()).state, 'Running');
        assert.equal(((await client.call('GET', '/machine-config')) as { vcpu_count: number }).vcpu_count, 2);
      });
      await session(async (client) => {
        await client.loadSnapshot({ snapshotPath: snapshot, memFilePath: memory, resumeVm: true });
        assert.equal((await client.getInstanceInfo()).state, 'Running');
      });
    });

    test('a failed snapshot load is read from the answer, then the process is gone', async () => {
      const missing = path.join(dir, 'missing.snap');
      await session(async (client, fake) => {
        await assert.rejects(
          client.loadSnapshot({ snapshotPath: missing, memFilePath: path.join(dir, 'x.mem') }),
          isVirError('VIR_ERR_OPERATION_FAILED', /^operation failed: Firecracker refused PUT \/snapshot\/load: Load (microVM )?snapshot error: .*No such file or directory \(os error 2\)$/),
        );
        const code = await fake.exitCode();
        assert.equal(code, version === '1.16.1' ? 1 : 152);
        await assert.rejects(client.getInstanceInfo(), isVirError('VIR_ERR_OPERATION_FAILED', `operation failed: Firecracker exited (exit code ${code}) before answering GET /`));
      });
    });

    test('snapshot format versions are refused where Firecracker has none', async () => {
      if (version !== '1.16.1') return;
      await session(async (client) => {
        await assert.rejects(
          client.createSnapshot({ snapshotPath: path.join(dir, 's'), memFilePath: path.join(dir, 'm'), snapshotVersion: '1.0.0' }),
          isVirError('VIR_ERR_CONFIG_UNSUPPORTED', /can be chosen on versions before 1\.6\.0$/),
        );
      });
    });

    test('a killed process is named as the reason', async () => {
      await session(async (client, fake) => {
        fake.child.kill('SIGKILL');
        await fake.exited;
        await assert.rejects(client.request('GET', '/'), isVirError('VIR_ERR_OPERATION_FAILED', 'operation failed: Firecracker exited (killed by SIGKILL) before answering GET /'));
      });
    });
  });
}

test('without a process to watch, a dead socket is reported as unreachable', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const socket = path.join(dir, 'gone.sock');
    const client = new FirecrackerApiClient(socket);
    await assert.rejects(client.request('PUT', '/actions', { action_type: 'InstanceStart' }), isVirError('VIR_ERR_OPERATION_FAILED', new RegExp(`^operation failed: cannot reach Firecracker's API socket ${socket} for PUT /actions: .*ENOENT`)));
    client.close();
  } finally {
    cleanup();
  }
});
