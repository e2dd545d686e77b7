import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InterfaceDef } from '../../../src/conf/domain-def.js';
import { prepareInterfaces, releaseInterfaces, tapMac } from '../../../src/driver/net/interfaces.js';
import { ipRunner } from '../../../src/driver/net/ip-command.js';
import { VirError } from '../../../src/errors.js';
import { ipIn, linksIn, testNetns } from '../../helpers/netns.js';

function ethernet(targetDev: string, extra: Partial<InterfaceDef> = {}): InterfaceDef {
  return { type: 'ethernet', mac: '52:54:00:12:34:56', targetDev, ...extra };
}

function bridged(sourceBridge: string, extra: Partial<InterfaceDef> = {}): InterfaceDef {
  return { type: 'bridge', mac: '52:54:00:ab:cd:ef', sourceBridge, ...extra };
}

async function names(netns: string): Promise<string[]> {
  return (await linksIn(netns)).map((link) => link.ifname).sort();
}

test('ethernet: a missing tap is created, up, with the 0xFE MAC, and removed after', async (t) => {
  const netns = await testNetns(t);
  if (netns === undefined) return;
  const prepared = await prepareInterfaces([ethernet('tap0')], { netns });
  assert.deepEqual(prepared.created, ['tap0']);
  assert.equal(prepared.interfaces[0]?.targetDev, 'tap0');
  const tap = (await linksIn(netns)).find((link) => link.ifname === 'tap0');
  assert.equal(tap?.linkinfo?.info_kind, 'tun');
  assert.equal(tap.linkinfo.info_data?.type, 'tap');
  assert.equal(tap.linkinfo.info_data.persist, true);
  assert.equal(tap.address, 'fe:54:00:12:34:56');
  assert.ok(tap.flags.includes('UP'));
  await releaseInterfaces(prepared.created, { netns });
  assert.deepEqual(await names(netns), ['lo']);
  // Releasing twice (a restarted driver finishing the job) is fine.
  await releaseInterfaces(prepared.created, { netns });
});

test('ethernet: an existing tap is used as is and never removed', async (t) => {
  const netns = await testNetns(t);
  if (netns === undefined) return;
  await ipIn(netns, 'tuntap', 'add', 'dev', 'mytap', 'mode', 'tap');
  const before = (await linksIn(netns)).find((link) => link.ifname === 'mytap');
  const prepared = await prepareInterfaces([ethernet('mytap'), ethernet('mytap2', { targetManaged: false })], { netns }).catch((error: unknown) => error);
  // managed='no' needs the device to exist; nothing created is left behind.
  assert.ok(prepared instanceof VirError);
  assert.match(prepared.message, /target managed='no' but specified dev 'mytap2' doesn't exist/);
  const again = await prepareInterfaces([ethernet('mytap', { targetManaged: false })], { netns });
  assert.deepEqual(again.created, []);
  await releaseInterfaces(again.created, { netns });
  const after = (await linksIn(netns)).find((link) => link.ifname === 'mytap');
  assert.deepEqual(after, before);
});

test('bridge: a generated fctapN (lowest free N) joins the bridge, up, bridge MTU; removed after', async (t) => {
  const netns = await testNetns(t);
  if (netns === undefined) return;
  await ipIn(netns, 'link', 'add', 'br0', 'type', 'bridge');
  await ipIn(netns, 'link', 'set', 'dev', 'br0', 'mtu', '1400');
  await ipIn(netns, 'tuntap', 'add', 'dev', 'fctap0', 'mode', 'tap');
  const prepared = await prepareInterfaces([bridged('br0'), bridged('br0', { mac: '52:54:00:00:00:02', targetDev: 'named7' })], { netns });
  assert.deepEqual(prepared.created, ['fctap1', 'named7']);
  assert.deepEqual(prepared.interfaces.map((iface) => iface.targetDev), ['fctap1', 'named7']);
  const links = await linksIn(netns);
  for (const name of ['fctap1', 'named7']) {
    const tap = links.find((link) => link.ifname === name);
    assert.equal(tap?.master, 'br0');
    assert.equal(tap.mtu, 1400);
    assert.ok(tap.flags.includes('UP'));
  }
  await releaseInterfaces(prepared.created, { netns });
  assert.deepEqual(await names(netns), ['br0', 'fctap0', 'lo']);
});

test('bridge: a missing bridge or a non-bridge fails before anything is created', async (t) => {
  const netns = await testNetns(t);
  if (netns === undefined) return;
  await assert.rejects(prepareInterfaces([ethernet('tapA'), bridged('nobr')], { netns }), (error: unknown) => {
    assert.ok(error instanceof VirError);
    assert.equal(error.codeName, 'VIR_ERR_OPERATION_FAILED');
    assert.match(error.message, /bridge 'nobr' does not exist on the host/);
    return true;
  });
  // tapA was created for the first interface, and removed again.
  assert.deepEqual(await names(netns), ['lo']);
  await ipIn(netns, 'tuntap', 'add', 'dev', 'nottabridge', 'mode', 'tap');
  await assert.rejects(prepareInterfaces([bridged('nottabridge')], { netns }), /'nottabridge' is not a bridge/);
  assert.deepEqual(await names(netns), ['lo', 'nottabridge']);
});

test('an existing interface that is not a tap is refused; so is a bridged name in use', async (t) => {
  const netns = await testNetns(t);
  if (netns === undefined) return;
  await ipIn(netns, 'link', 'add', 'br0', 'type', 'bridge');
  await assert.rejects(prepareInterfaces([ethernet('br0')], { netns }), (error: unknown) => {
    assert.ok(error instanceof VirError);
    assert.match(error.message, /host interface 'br0' exists but is not a tap device \(it is a bridge device\)/);
    return true;
  });
  await ipIn(netns, 'tuntap', 'add', 'dev', 'tun9', 'mode', 'tun');
  await assert.rejects(prepareInterfaces([ethernet('tun9')], { netns }), /is not a tap device \(it is a tun \(tun\) device\)/);
  await ipIn(netns, 'tuntap', 'add', 'dev', 'busy0', 'mode', 'tap');
  await assert.rejects(prepareInterfaces([bridged('br0', { targetDev: 'busy0' })], { netns }), /The busy0 interface already exists/);
  assert.deepEqual(await names(netns), ['br0', 'busy0', 'lo', 'tun9']);
});

test('every step undoes itself: tap A created, tap B fails, A is removed', async (t) => {
  const netns = await testNetns(t);
  if (netns === undefined) return;
  await ipIn(netns, 'link', 'add', 'br0', 'type', 'bridge');
  // B's bridge step fails inside `ip` (the MTU is out of range for a tap) after B was created.
  await ipIn(netns, 'link', 'set', 'dev', 'br0', 'mtu', '65535');
  await assert.rejects(prepareInterfaces([ethernet('tapA'), bridged('br0', { targetDev: 'tapB' })], { netns }), (error: unknown) => {
    assert.ok(error instanceof VirError);
    // The runner quotes the command and what `ip` said.
    assert.match(error.message, /Child process \(ip -n \S+ link set dev tapB mtu 65535\) unexpected exit status \d+: .+/);
    return true;
  });
  assert.deepEqual(await names(netns), ['br0', 'lo']);
});

test('names: longer than 15 bytes or with a slash are refused before anything runs', async () => {
  await assert.rejects(prepareInterfaces([ethernet('a-very-long-tap-name')], { netns: 'unused' }), (error: unknown) => {
    assert.ok(error instanceof VirError);
    assert.equal(error.codeName, 'VIR_ERR_CONFIG_UNSUPPORTED');
    assert.match(error.message, /'a-very-long-tap-name' is not a valid host interface name/);
    return true;
  });
  await assert.rejects(prepareInterfaces([ethernet('a/b')], { netns: 'unused' }), /not a valid host interface name/);
  assert.equal(tapMac('52:54:00:AA:bb:cc'), 'fe:54:00:aa:bb:cc');
});

test('the runner: a missing binary is named', async () => {
  const ip = ipRunner({ binary: '/nonexistent/ip' });
  await assert.rejects(ip(['link']), /Cannot find '\/nonexistent\/ip' in path/);
});
