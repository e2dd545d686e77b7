// The system instance where it really lives: virtfcd without --root, and the stock virsh with a
// plain fc:///system (no ?socket=), so that the client finds /var/run/libvirt/virtfcd-sock by
// its own rules. Run in a private mount namespace with tmpfs over /run, /etc/libvirt and
// /var/log, so the host's files are neither read nor written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { domainXml, fakeBackend } from '../helpers/fc-backend.js';
import { run, which } from '../helpers/run.js';
import { killProcessesWithEnv } from '../helpers/user-sandbox.js';
import { doublePath, virtfcdScript } from '../helpers/virtfcd.js';

const VIRSH = which('virsh');
const UNSHARE = which('unshare');
const skip =
  VIRSH === null ? 'virsh is not installed'
  : UNSHARE === null ? 'unshare is not installed'
  : process.geteuid?.() !== 0 ? 'needs root (a mount namespace)'
  : !existsSync('/etc/libvirt') ? '/etc/libvirt does not exist to be covered'
  : false;

test('virsh -c fc:///system finds virtfcd at /run/libvirt/virtfcd-sock; -r gets the -ro socket; root\'s fc:///session is the system', { skip }, async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fcvs-'));
  t.after(async () => {
    // Whatever the script left running in its namespace (the daemon, a VM) carries this mark.
    await killProcessesWithEnv('FCVIRT_TEST_MARK', dir);
    await fs.rm(dir, { recursive: true, force: true });
  });
  const xml = path.join(dir, 'sys.xml');
  await fs.writeFile(xml, domainXml(fakeBackend, { name: 'sys' }));
  const virsh = VIRSH ?? 'virsh';
  const script = `
set -u
mount -t tmpfs tmpfs /run && mount -t tmpfs tmpfs /etc/libvirt && mount -t tmpfs tmpfs /var/log || exit 99
FCVIRT_TEST_MARK='${dir}' PATH='${doublePath()}' '${process.execPath}' '${virtfcdScript}' 2>'${dir}/daemon.log' &
daemon=$!
i=0
while [ ! -S /run/libvirt/virtfcd-sock-ro ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done
stat -c '%a %n' /run/libvirt/virtfcd-sock /run/libvirt/virtfcd-sock-ro
echo '--- define'; ${virsh} -c fc:///system define '${xml}'
echo '--- start'; ${virsh} -c fc:///system start sys
echo '--- ro list'; ${virsh} -r -c fc:///system list --all
echo '--- ro destroy'; ${virsh} -r -c fc:///system destroy sys 2>&1
echo '--- session domstate'; ${virsh} -c fc:///session domstate sys
echo '--- destroy'; ${virsh} -c fc:///system destroy sys
echo '--- undefine'; ${virsh} -c fc:///system undefine sys
kill -TERM $daemon; wait $daemon; echo "--- exit $?"
ls -A /run/libvirt
`;
  const result = await run(UNSHARE ?? 'unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { timeoutMs: 60_000 });
  const log = await fs.readFile(path.join(dir, 'daemon.log'), 'utf8').catch(() => '');
  assert.equal(result.status, 0, `${result.stderr}\n${log}`);
  assert.equal(
    result.stdout,
    [
      '600 /run/libvirt/virtfcd-sock',
      '666 /run/libvirt/virtfcd-sock-ro',
      '--- define',
      `Domain 'sys' defined from ${xml}`,
      '',
      '--- start',
      "Domain 'sys' started",
      '',
      '--- ro list',
      ' Id   Name   State',
      '----------------------',
      ' 1    sys    running',
      '',
      '--- ro destroy',
      "error: Failed to destroy domain 'sys'",
      'error: operation forbidden: read only access prevents virDomainDestroy',
      '',
      '--- session domstate',
      'running',
      '',
      '--- destroy',
      "Domain 'sys' destroyed",
      '',
      '--- undefine',
      "Domain 'sys' has been undefined",
      '',
      '--- exit 0',
      // The driver's state dir stays; the sockets are gone.
      'fc',
      '',
    ].join('\n'),
  );
  assert.equal(log, '');
});
