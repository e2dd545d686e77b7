// The double as a process: serial console on stdin/stdout, exits on guest resets, log
// destinations per version, --config-file/--no-api, taps, HTTP limits.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  RawConnection, bootRequests, expectOk, rawRequest, spawnFake, startFake, tempDir, waitFor, waitForApi,
  type FakeProcess, type FakeVersion,
} from '../helpers/fake-firecracker.js';
import { socketAnswers } from '../../src/socket-answers.js';

const { dir, cleanup } = tempDir('fcvirt-fake-');
after(cleanup);

async function running(version: FakeVersion, bootArgs?: string, extraArgs: string[] = []): Promise<{ fake: FakeProcess; socket: string }> {
  const started = await startFake(version, dir, extraArgs);
  await expectOk(started.socket, bootRequests(version, dir, bootArgs));
  await waitFor(() => started.fake.stdout.includes('fcguest# '), 'the guest prompt');
  return started;
}

async function stateOf(socket: string): Promise<string | undefined> {
  const info = JSON.parse((await rawRequest(socket, 'GET', '/')).body ?? '{}') as { state?: string };
  return info.state;
}

describe('serial console', () => {
  for (const version of ['0.25.2', '1.16.1'] as const) {
    test(`v${version}: kernel lines and a prompt on stdout, raw echo of stdin, reboot exits 0`, async () => {
      const { fake } = await running(version);
      try {
        assert.match(fake.stdout, /\] Linux version /);
        assert.match(fake.stdout, /\] printk: console \[ttyS0\] enabled\r\n/);
        fake.write('echo hi');
        await waitFor(() => fake.stdout.endsWith('fcguest# echo hi'), 'the raw echo before Enter');
        fake.write('\r');
        await waitFor(() => fake.stdout.includes('echo hi\r\nhi\r\nfcguest# '), 'the command output');
        fake.write('reboot\r');
        assert.equal(await fake.exitCode(), 0);
        assert.match(fake.stdout, /reboot: Restarting system\r\n/);
      } finally {
        await fake.stop();
      }
    });
  }

  test('v1.16.1 logs on stdout among the console lines; --log-path moves them to the file', async () => {
    const noLog = await running('1.16.1');
    await noLog.fake.stop();
    assert.match(noLog.fake.stdout, /\[anonymous-instance:fc_api\] The API server received a Put request on "\/actions" with body "\{\\"action_type\\": \\"InstanceStart\\"\}"\.\n/);
    const logFile = path.join(dir, 'fc-1.16.log');
    const withLog = await running('1.16.1', undefined, ['--log-path', logFile]);
    await withLog.fake.stop();
    assert.doesNotMatch(withLog.fake.stdout, /anonymous-instance/);
    assert.match(fs.readFileSync(logFile, 'utf8'), /\[anonymous-instance:main\] Running Firecracker v1\.16\.1\n/);
  });

  test('pause holds the guest: typed input is echoed after resume', async () => {
    const { fake, socket } = await running('1.3.3');
    try {
      await expectOk(socket, [['PATCH', '/vm', '{"state": "Paused"}']]);
      fake.write('echo resumed\r');
      await expectOk(socket, [['PATCH', '/vm', '{"state": "Resumed"}']]);
      await waitFor(() => fake.stdout.includes('echo resumed\r\nresumed\r\n'), 'the echo after resume');
    } finally {
      await fake.stop();
    }
  });
});

describe('guest behaviour through boot arguments', () => {
  test('SendCtrlAltDel: the guest goes down and Firecracker exits 0', async () => {
    const { fake, socket } = await running('1.16.1');
    await expectOk(socket, [['PUT', '/actions', '{"action_type": "SendCtrlAltDel"}']]);
    assert.equal(await fake.exitCode(), 0);
    assert.match(fake.stdout, /The system is going down NOW!/);
    assert.match(fake.stdout, /Firecracker exiting successfully\. exit_code=0\n$/);
  });

  test('fakefc.on_ctrl_alt_del=ignore: the guest keeps running', async () => {
    const { fake, socket } = await running('0.25.2', 'console=ttyS0 reboot=k fakefc.on_ctrl_alt_del=ignore');
    try {
      await expectOk(socket, [['PUT', '/actions', '{"action_type": "SendCtrlAltDel"}']]);
      assert.equal(await stateOf(socket), 'Running');
      assert.equal(fake.exit, undefined);
    } finally {
      await fake.stop();
    }
  });

  test('fakefc.after_boot=poweroff: the kernel halts, the process stays', async () => {
    const { fake, socket } = await running('1.3.3', 'console=ttyS0 reboot=k fakefc.after_boot=poweroff');
    try {
      await waitFor(() => fake.stdout.includes('reboot: System halted\r\n'), 'the halt');
      assert.equal((await rawRequest(socket, 'GET', '/')).status, 200);
      assert.equal(fake.exit, undefined);
    } finally {
      await fake.stop();
    }
  });

  test('fakefc.after_boot=panic with panic=1: a panic, then a reboot (exit 0)', async () => {
    const { fake } = await running('1.16.1', 'console=ttyS0 reboot=k panic=1 fakefc.after_boot=panic');
    assert.equal(await fake.exitCode(), 0);
    assert.match(fake.stdout, /Kernel panic - not syncing: .*Rebooting in 1 seconds\.\.\r\n/s);
  });

  test('fakefc.after_boot=crash: Firecracker dies with an error', async () => {
    const old = await running('0.25.2', 'console=ttyS0 fakefc.after_boot=crash');
    assert.equal(await old.fake.exitCode(), 1);
    const modern = await running('1.16.1', 'console=ttyS0 fakefc.after_boot=crash');
    assert.equal(await modern.fake.exitCode(), 1);
    assert.equal(modern.fake.stderr, 'Error: RunWithApi(MicroVMStoppedWithError(GenericError))\n');
  });

  test('fakefc.after_boot=hang: ctrl-alt-del is ignored', async () => {
    const { fake, socket } = await running('1.16.1', 'console=ttyS0 fakefc.after_boot=hang');
    try {
      await expectOk(socket, [['PUT', '/actions', '{"action_type": "SendCtrlAltDel"}']]);
      assert.equal((await rawRequest(socket, 'GET', '/')).status, 200);
      assert.equal(fake.exit, undefined);
    } finally {
      await fake.stop();
    }
  });
});

describe('logging per version', () => {
  test('v0.25.2: errors on stderr until a logger is set; --log-path must exist', async () => {
    const { fake, socket } = await startFake('0.25.2', dir);
    await rawRequest(socket, 'GET', '/nonexistent');
    await fake.stop();
    assert.match(fake.stderr, /\[anonymous-instance:fc_api:ERROR:src\/api_server\/src\/lib\.rs:259\] Invalid request method and\/or path: GET nonexistent\.\n$/);
    assert.equal(fake.stdout, '');

    const missing = spawnFake('0.25.2', ['--api-sock', path.join(dir, 'x.sock'), '--log-path', path.join(dir, 'nope.log')]);
    assert.equal(await missing.exitCode(), 1);
    assert.match(missing.stderr, /Could not initialize logger:: No such file or directory \(os error 2\)\n$/);

    const logFile = path.join(dir, 'fc-0.25.log');
    fs.writeFileSync(logFile, '');
    const logged = await startFake('0.25.2', dir, ['--log-path', logFile, '--level', 'Info', '--show-level']);
    await rawRequest(logged.socket, 'GET', '/');
    await logged.fake.stop();
    assert.equal(logged.fake.stderr, '');
    const log = fs.readFileSync(logFile, 'utf8');
    assert.match(log, /^Running Firecracker v0\.25\.2\n/);
    assert.match(log, /\[anonymous-instance:fc_api:INFO\] The API server received a Get request on "\/"\.\n/);
  });

  test('v1.3.3: a second logger is refused once --log-path set one', async () => {
    const logFile = path.join(dir, 'fc-1.3.log');
    fs.writeFileSync(logFile, '');
    const { fake, socket } = await startFake('1.3.3', dir, ['--log-path', logFile]);
    try {
      const answer = await rawRequest(socket, 'PUT', '/logger', JSON.stringify({ log_path: logFile }));
      assert.equal(answer.status, 400);
      assert.deepEqual(JSON.parse(answer.body ?? ''), { fault_message: 'Logger initialization failure: The component is already initialized.' });
    } finally {
      await fake.stop();
    }
  });
});

describe('--config-file', () => {
  function config(version: FakeVersion, bootArgs: string): string {
    const [machine, boot, drive] = bootRequests(version, dir, bootArgs).map(([, , body]) => JSON.parse(body) as unknown);
    const file = path.join(dir, `config-${version}-${Math.random().toString(36).slice(2, 6)}.json`);
    fs.writeFileSync(file, JSON.stringify({ 'machine-config': machine, 'boot-source': boot, drives: [drive] }));
    return file;
  }

  test('--no-api boots at once and exits when the guest reboots', async () => {
    const fake = spawnFake('1.3.3', ['--no-api', '--config-file', config('1.3.3', 'console=ttyS0 reboot=k fakefc.after_boot=reboot')]);
    assert.equal(await fake.exitCode(), 0);
    assert.match(fake.stdout, /Linux version .*fcguest# /s);
  });

  test('with the API the microVM is already running', async () => {
    const { fake, socket } = await startFake('0.25.2', dir, ['--config-file', config('0.25.2', 'console=ttyS0')]);
    try {
      await waitFor(async () => (await stateOf(socket)) === 'Running', 'the running state');
    } finally {
      await fake.stop();
    }
  });

  test('a configuration Firecracker refuses ends the process (152 before v1.16, 1 on v1.16)', async () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ 'boot-source': { kernel_image_path: path.join(dir, 'missing-kernel') }, drives: [] }));
    const old = spawnFake('0.25.2', ['--no-api', '--config-file', bad]);
    assert.equal(await old.exitCode(), 152);
    assert.match(old.stderr, /Configuration for VMM from one single json failed: BootSource\(/);
    const modern = spawnFake('1.16.1', ['--no-api', '--config-file', bad]);
    assert.equal(await modern.exitCode(), 1);
  });
});

describe('devices the double checks on the host', () => {
  test('a network interface that is not a tap is refused as the version words it', async () => {
    const body = '{"iface_id": "eth0", "host_dev_name": "lo"}';
    const expected: Record<FakeVersion, string> = {
      '0.25.2': 'Could not create Network Device: TapOpen(IoctlError(Os { code: 22, kind: InvalidInput, message: "Invalid argument" }))',
      '1.3.3': 'Could not create the network device: Open tap device failed: Error while creating ifreq structure: Invalid argument (os error 22). Invalid TUN/TAP Backend provided by lo. Check our documentation on setting up the network devices.',
      '1.16.1': 'Network config error: Could not create the network device: Open tap device failed: Error while creating ifreq structure: Invalid argument (os error 22). Invalid TUN/TAP Backend provided by lo. Check our documentation on setting up the network devices.',
    };
    for (const version of ['0.25.2', '1.3.3', '1.16.1'] as const) {
      const { fake, socket } = await startFake(version, dir);
      try {
        const answer = await rawRequest(socket, 'PUT', '/network-interfaces/eth0', body);
        assert.equal(answer.status, 400);
        assert.deepEqual(JSON.parse(answer.body ?? ''), { fault_message: expected[version] });
      } finally {
        await fake.stop();
      }
    }
  });

  test('PUT /vsock binds the host-side socket; a second device replaces it', async () => {
    const { fake, socket } = await startFake('1.16.1', dir);
    try {
      const first = path.join(dir, 'v1.sock');
      const second = path.join(dir, 'v2.sock');
      await expectOk(socket, [['PUT', '/vsock', JSON.stringify({ guest_cid: 3, uds_path: first })]]);
      await waitFor(() => socketAnswers(first), 'the vsock socket');
      await expectOk(socket, [['PUT', '/vsock', JSON.stringify({ guest_cid: 3, uds_path: second })]]);
      await waitFor(() => socketAnswers(second), 'the second vsock socket');
      assert.equal(fs.existsSync(first), false);
      const taken = await rawRequest(socket, 'PUT', '/vsock', JSON.stringify({ guest_cid: 3, uds_path: socket }));
      assert.deepEqual(JSON.parse(taken.body ?? ''), {
        fault_message: 'Vsock config error: Cannot create backend for vsock device: Error binding to the host-side Unix socket: Address already in use (os error 98)',
      });
    } finally {
      await fake.stop();
    }
  });
});

describe('HTTP limits', () => {
  test('a body over the payload limit is answered by micro_http and the connection dropped', async () => {
    const { fake, socket } = await startFake('1.3.3', dir);
    try {
      const conn = await RawConnection.open(socket);
      const answer = await conn.request('PUT', '/mmds', `{"k": "${'x'.repeat(60000)}"}`);
      assert.equal(answer.status, 400);
      assert.equal(answer.body, '{ "error": "Request payload with size 60009 is larger than the limit of 51200 allowed by server.\nAll previous unanswered requests will be dropped." }');
      assert.ok(await conn.closedByServer());
      conn.close();
      assert.equal((await rawRequest(socket, 'GET', '/')).status, 200, 'other connections still work');
    } finally {
      await fake.stop();
    }
  });

  test('an answer has the headers of the real server', async () => {
    const { fake, socket } = await startFake('0.25.2', dir);
    try {
      const ok = await rawRequest(socket, 'GET', '/');
      assert.equal(ok.statusLine, 'HTTP/1.1 200 ');
      assert.deepEqual(ok.headers.map(([k]) => k), ['Server', 'Connection', 'Content-Type', 'Content-Length']);
      assert.deepEqual(ok.headers.slice(0, 3), [['Server', 'Firecracker API'], ['Connection', 'keep-alive'], ['Content-Type', 'application/json']]);
      const empty = await rawRequest(socket, 'PUT', '/machine-config', '{"vcpu_count": 1, "mem_size_mib": 128, "ht_enabled": false}');
      assert.equal(empty.statusLine, 'HTTP/1.1 204 ');
      assert.deepEqual(empty.headers, [['Server', 'Firecracker API'], ['Connection', 'keep-alive']]);
    } finally {
      await fake.stop();
    }
  });

  test('v1.16.1: a deprecated field is answered with a Deprecation header', async () => {
    const { fake, socket } = await startFake('1.16.1', dir);
    try {
      const answer = await rawRequest(socket, 'PUT', '/vsock', JSON.stringify({ vsock_id: 'v', guest_cid: 3, uds_path: path.join(dir, 'dep.sock') }));
      assert.equal(answer.status, 204);
      assert.deepEqual(answer.headers.find(([k]) => k === 'Deprecation'), ['Deprecation', 'true']);
      await waitFor(() => fake.stdout.includes('PUT /vsock: vsock_id field is deprecated.\n'), 'the deprecation warning');
    } finally {
      await fake.stop();
    }
  });
});

test('a stale socket file makes the start fail as "in use"', async () => {
  const socket = path.join(dir, 'stale.sock');
  fs.writeFileSync(socket, '');
  const fake = spawnFake('1.3.3', ['--api-sock', socket]);
  assert.equal(await fake.exitCode(), 1);
  assert.match(fake.stderr, /Failed to open the API socket at: .*stale\.sock\. Check that it is not already used\.\n$/);
  await assert.rejects(waitForApi(fake, socket));
});

describe('v1.16 endpoints', () => {
  test('entropy, pmem, memory hotplug, cpu-config and serial before start; hotplug rules after', async () => {
    const { fake, socket } = await startFake('1.16.1', dir);
    const serialOut = path.join(dir, 'serial.out');
    const pmemFile = path.join(dir, 'pmem.img');
    fs.writeFileSync(pmemFile, '');
    fs.truncateSync(pmemFile, 2 * 1024 * 1024);
    try {
      await expectOk(socket, [
        ['PUT', '/entropy', '{}'],
        ['PUT', '/pmem/p0', JSON.stringify({ id: 'p0', path_on_host: pmemFile })],
        ['PUT', '/hotplug/memory', '{"total_size_mib": 1024}'],
        ['PUT', '/cpu-config', '{"cpuid_modifiers": []}'],
        ['PUT', '/serial', JSON.stringify({ serial_out_path: serialOut })],
        ['PUT', '/balloon', '{"amount_mib": 16, "deflate_on_oom": true, "free_page_hinting": true}'],
      ]);
      const before = await rawRequest(socket, 'GET', '/hotplug/memory');
      assert.deepEqual(JSON.parse(before.body ?? ''), { fault_message: 'The requested operation is not supported before starting the microVM.' });
      const config = JSON.parse((await rawRequest(socket, 'GET', '/vm/config')).body ?? '') as Record<string, unknown>;
      assert.deepEqual(config.entropy, { rate_limiter: null });
      assert.deepEqual(config['memory-hotplug'], { total_size_mib: 1024, block_size_mib: 2, slot_size_mib: 128 });
      assert.deepEqual(config.pmem, [{ id: 'p0', path_on_host: pmemFile, root_device: false, read_only: false, rate_limiter: null }]);
      await expectOk(socket, bootRequests('1.16.1', dir));
      await waitFor(() => fs.existsSync(serialOut) && fs.readFileSync(serialOut, 'latin1').includes('fcguest# '), 'the console in the serial file');
      assert.doesNotMatch(fake.stdout, /Linux version/);
      const unplug = await rawRequest(socket, 'DELETE', '/drives/rootfs');
      assert.deepEqual(JSON.parse(unplug.body ?? ''), { fault_message: 'PCI is not enabled' });
      await expectOk(socket, [['PATCH', '/balloon/hinting/start', undefined], ['PATCH', '/hotplug/memory', '{"requested_size_mib": 256}']]);
      assert.equal((await rawRequest(socket, 'GET', '/balloon/hinting/status')).status, 200);
      const status = JSON.parse((await rawRequest(socket, 'GET', '/hotplug/memory')).body ?? '') as { requested_size_mib: number };
      assert.equal(status.requested_size_mib, 256);
    } finally {
      await fake.stop();
    }
  });

  test('older versions do not know them', async () => {
    const { fake, socket } = await startFake('1.3.3', dir);
    try {
      const answer = await rawRequest(socket, 'PUT', '/cpu-config', '{}');
      assert.deepEqual(JSON.parse(answer.body ?? ''), { fault_message: 'Invalid request method and/or path: PUT cpu-config.' });
    } finally {
      await fake.stop();
    }
  });
});
