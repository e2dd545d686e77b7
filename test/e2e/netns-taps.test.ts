// Tap networking end to end, inside a network namespace of the test's own: the CLI (and so the
// driver and the Firecracker double) runs under `ip netns exec`, never touching the host's
// interfaces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { domainXml, fakeBackend } from '../helpers/fc-backend.js';
import { fcvirt } from '../helpers/cli.js';
import { makeEmbedRoot } from '../helpers/embed-root.js';
import { ipIn, linksIn, testNetns } from '../helpers/netns.js';

const ethernet = (dev: string, mac: string) =>
  `    <interface type='ethernet'>\n      <mac address='${mac}'/>\n      <target dev='${dev}'/>\n      <guest dev='eth0'/>\n    </interface>`;
const bridge = (name: string, mac: string) =>
  `    <interface type='bridge'>\n      <mac address='${mac}'/>\n      <source bridge='${name}'/>\n      <guest dev='eth1'/>\n    </interface>`;

test('taps: created when missing and removed after, existing ones left alone, bridge ports, clean failures', async (t) => {
  const netns = await testNetns(t);
  if (netns === undefined) return;
  const embed = await makeEmbedRoot(t);
  const { root, uri } = embed;
  const run = (...args: string[]) => fcvirt(args, { uri, netns });
  const names = async () => (await linksIn(netns)).map((link) => link.ifname).sort();

  await ipIn(netns, 'tuntap', 'add', 'dev', 'tapkeep', 'mode', 'tap');
  await ipIn(netns, 'link', 'add', 'br0', 'type', 'bridge');
  const file = path.join(root, 'net.xml');
  await fs.writeFile(file, domainXml(fakeBackend, {
    name: 'net',
    devices: [ethernet('tapnew', '52:54:00:00:00:01'), bridge('br0', '52:54:00:00:00:02'), ethernet('tapkeep', '52:54:00:00:00:03').replace('eth0', 'eth2')].join('\n'),
  }));
  const started = await run('create', file);
  assert.equal(started.code, 0, started.stderr);
  const links = await linksIn(netns);
  assert.ok(links.some((link) => link.ifname === 'tapnew'), 'the missing ethernet tap was created');
  const port = links.find((link) => link.ifname === 'fctap0');
  assert.equal(port?.master, 'br0', 'the bridge tap is a port of the bridge');
  assert.ok(port.flags.includes('UP'));
  const live = (await run('dumpxml', 'net')).stdout;
  assert.match(live, /<target dev='fctap0'\/>/);

  assert.equal((await run('destroy', 'net')).code, 0);
  assert.deepEqual(await names(), ['br0', 'lo', 'tapkeep'], 'created taps removed, the existing one kept');

  // A name that exists but is not a tap: refused, and the tap made for the interface before it removed.
  await fs.writeFile(file, domainXml(fakeBackend, {
    name: 'bad', devices: [ethernet('tapfirst', '52:54:00:00:00:04'), ethernet('br0', '52:54:00:00:00:05').replace('eth0', 'eth1')].join('\n'),
  }));
  const refused = await run('create', file);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^error: Failed to create domain from .*\nerror: .*br0.*/);
  assert.deepEqual(await names(), ['br0', 'lo', 'tapkeep']);

  await fs.writeFile(file, domainXml(fakeBackend, { name: 'nobridge', devices: bridge('br9', '52:54:00:00:00:06') }));
  const noBridge = await run('create', file);
  assert.equal(noBridge.code, 1);
  assert.match(noBridge.stderr, /br9/);
  assert.deepEqual(await names(), ['br0', 'lo', 'tapkeep']);
  assert.deepEqual((await fs.readdir(path.join(root, 'run/libvirt/fc'))).filter((entry) => !entry.startsWith('driver.lock') && entry !== 'fc-autostarted' && !entry.endsWith('.shutoff')), []);
});
