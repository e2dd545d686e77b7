// Debian's python3-libvirt, unchanged, against virtfcd serving the fc driver (backed by the
// Firecracker test double): the seed's workflow through the library. As in the virsh test,
// virtfcd runs in a network namespace of the test's own and the seed's XML is adjusted only
// where the environment forces it (the kernel and rootfs paths).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fakeBackend } from '../helpers/fc-backend.js';
import { testNetns } from '../helpers/netns.js';
import { repoRoot, testData } from '../helpers/paths.js';
import { run } from '../helpers/run.js';
import { makeDaemonRoot } from '../helpers/virtfcd.js';

const PYTHON = '/usr/bin/python3';
const hasBindings = await run(PYTHON, ['-c', 'import libvirt']).then((result) => result.status === 0, () => false);
const skip = hasBindings ? false : 'python3-libvirt is not installed for /usr/bin/python3 (.ci/run installs it)';

test('a python-libvirt script runs the seed workflow against virtfcd', { skip }, async (t) => {
  const netns = await testNetns(t);
  if (netns === undefined) return;
  const root = await makeDaemonRoot(t, netns);
  const daemon = await root.start();
  const seed = await fs.readFile(testData('xml2xml', 'seed-example.xml'), 'utf8');
  const file = path.join(root.root, 'demo_domain.xml');
  await fs.writeFile(
    file,
    seed
      .replace('/home/user/kernels/hello-vmlinux.bin', fakeBackend.kernel)
      .replace('/home/ec2-user/LV/myownfiles/isos/hello-rootfs.ext4', fakeBackend.rootfs)
,
  );
  const result = await run(PYTHON, [path.join(repoRoot, 'test', 'helpers', 'libvirt-python-workflow.py'), root.uri, root.roUri, file], { timeoutMs: 90_000 });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), {
    type: 'FC',
    version: 1_016_001,
    defined: ['demo_domain', -1, 1, 0],
    listAll: [['demo_domain', [5, 0]]],
    started: [1, [1, 1], 1],
    // state, max memory and memory (KiB), vCPUs, some CPU time used
    info: [1, 1048576, 1048576, 4, true],
    xmlHasId: true,
    inactiveXmlHasId: false,
    console: '\r\nfcguest# echo hello from python\r\nhello from python\r\nfcguest# ',
    paused: [3, 1],
    resumed: [1, 5],
    roState: [1, 5],
    roDestroy: [29, 'operation forbidden: read only access prevents virDomainDestroy'],
    roDefine: [29, 'operation forbidden: read only access prevents virDomainDefineXML'],
    afterShutdown: [5, 1],
    afterDestroy: [5, 2],
    missing: [42, "Domain not found: no domain with matching name 'demo_domain'"],
    events: [
      ['demo_domain', 0, 0],
      ['demo_domain', 2, 0],
      ['demo_domain', 3, 0],
      ['demo_domain', 4, 0],
      ['demo_domain', 5, 0],
      ['demo_domain', 2, 0],
      ['demo_domain', 5, 1],
      ['demo_domain', 1, 0],
    ],
  });
  assert.equal(await daemon.stop(), 0);
  assert.equal(daemon.stderr, '');
});
