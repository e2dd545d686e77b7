// Debian's python3-libvirt, unchanged, through the RPC server and the in-memory Connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startTestDaemon } from '../helpers/rpc-daemon.js';
import { repoRoot, testData } from '../helpers/paths.js';
import { run } from '../helpers/run.js';
import { waitFor } from '../helpers/wait.js';

const PYTHON = '/usr/bin/python3';
const UUID = '6f1e5c36-1f3a-4f5e-9a38-2b8f0f3c2d11';

async function hasLibvirtBindings(): Promise<boolean> {
  try {
    return (await run(PYTHON, ['-c', 'import libvirt'])).status === 0;
  } catch {
    return false;
  }
}

const skip = (await hasLibvirtBindings()) ? false : 'python3-libvirt is not installed for /usr/bin/python3 (.ci/run installs it)';

test('a python-libvirt script works unchanged', { skip }, async () => {
  const daemon = await startTestDaemon();
  try {
    const uri = `fc:///system?socket=${daemon.rwPath}`;
    const roUri = `fc:///system?socket=${daemon.roPath}`;
    const result = await run(
      PYTHON,
      [path.join(repoRoot, 'test', 'helpers', 'libvirt-python-client.py'), uri, roUri, testData('rpc', 'demo.xml')],
      { timeoutMs: 60_000 },
    );
    assert.equal(result.status, 0, result.stderr);
    const out = JSON.parse(result.stdout) as Record<string, unknown>;
    const id = out.idAfterStart;
    assert.ok(typeof id === 'number' && id > 0);
    assert.deepEqual(out, {
      type: 'FC',
      version: 1_007_000,
      hostname: 'fc-test-host',
      uri,
      // virNodeInfo.memory is in MiB in the python binding's list.
      nodeinfo: ['x86_64', 16000, 2, 2400, 1, 1, 2, 1],
      isSecure: 1,
      libVersion: 1000,
      defined: ['demo', UUID, -1],
      listAll: ['demo'],
      inactive: ['demo'],
      idAfterStart: id,
      info: [1, 131072, 131072, 2, 1_500_000_000],
      state: [1, 1],
      isActive: 1,
      isPersistent: 1,
      autostart: 0,
      osType: 'hvm',
      maxMemory: 131072,
      activeIds: [id],
      numOfDomains: 1,
      xmlHasId: true,
      lookupById: 'demo',
      lookupByUUID: 'demo',
      pausedState: [3, 1],
      console: '\r\ndemo login: root\r\n',
      afterShutdown: [5, 1],
      autostartAfter: 1,
      missing: [42, "Domain not found: no domain with matching name 'no-such-domain'"],
      roState: [1, 5],
      roDestroy: [29, 'operation forbidden: read only access prevents virDomainDestroy'],
      afterUndefine: [],
      transient: [0, 1],
      afterTransient: 0,
      events: [
        ['demo', 0, 0],
        ['demo', 2, 0],
        ['demo', 3, 0],
        ['demo', 4, 0],
        ['demo', 'reboot'],
        ['demo', 6, 0],
        ['demo', 5, 0],
        ['demo', 2, 0],
        ['demo', 5, 1],
        ['demo', 1, 0],
      ],
    });
    assert.deepEqual(daemon.log.filter((line) => line.startsWith('unsupported')), []);
    await waitFor(() => daemon.hv.openCount === 0, 'the script\'s connections to close');
  } finally {
    await daemon.close();
  }
});
