// What parsing makes of the XML: the DomainDef the plan builder and the driver see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { VirError } from '../../src/errors.js';
import { FC_XML_NAMESPACE, parseDomainXML, type DomainDef } from '../../src/conf/index.js';
import { testData } from '../helpers/paths.js';
import { fixedRandomBytes } from './fixed-random.js';

function minimal(inside = '', devices = '', root = "type='firecracker'"): string {
  return `<domain ${root}><name>m</name><uuid>6ba7b810-9dad-11d1-80b4-00c04fd430c8</uuid>${inside}` +
    `<os><type>hvm</type><kernel>/vmlinux</kernel></os><devices>${devices}</devices></domain>`;
}

test('the seed example becomes this DomainDef', () => {
  const xml = readFileSync(testData('xml2xml', 'seed-example.xml'), 'utf8');
  const def = parseDomainXML(xml, { randomBytes: fixedRandomBytes() });
  const expected: DomainDef = {
    type: 'firecracker',
    name: 'demo_domain',
    uuid: '4196935a-e7bf-4f9e-915e-abf1094ce0d6',
    memoryKiB: 1048576,
    currentMemoryKiB: 1048576,
    vcpus: 4,
    os: { type: 'hvm', arch: 'x86_64', machine: 'pc', kernel: '/home/user/kernels/hello-vmlinux.bin', cmdline: 'panic=1', root: 'vda' },
    onPoweroff: 'destroy',
    onReboot: 'restart',
    onCrash: 'destroy',
    disks: [{
      type: 'file', device: 'disk', source: '/home/ec2-user/LV/myownfiles/isos/hello-rootfs.ext4', target: 'vda', bus: 'virtio',
      readonly: false,
    }],
    serial: { type: 'pty', port: 0 },
    interfaces: [
      { type: 'ethernet', mac: '52:54:00:ba:52:74', targetDev: 'tap0', guestDev: 'eth0' },
      { type: 'ethernet', mac: '52:54:00:b8:86:59', targetDev: 'tap2', guestDev: 'eth1' },
    ],
  };
  assert.deepEqual(def, expected);
});

test('the seed example also passes schema validation: its stray > is text', () => {
  const xml = readFileSync(testData('xml2xml', 'seed-example.xml'), 'utf8');
  assert.doesNotThrow(() => parseDomainXML(xml, { validate: true }));
});

test('memory takes every libvirt unit, in KiB rounded up', () => {
  const cases: [string | undefined, string, number][] = [
    [undefined, '1024', 1024], ['b', '1024', 1], ['bytes', '1025', 2], ['byte', '1', 1], ['k', '7', 7], ['KiB', '7', 7],
    ['KB', '1024', 1000], ['kb', '1', 1], ['M', '3', 3072], ['MiB', '3', 3072], ['MB', '1', 977], ['G', '1', 1048576],
    ['GiB', '2', 2097152], ['GB', '1', 976563], ['T', '1', 1073741824], ['TiB', '1', 1073741824], ['TB', '1', 976562500],
    ['mib', '1', 1024], ['P', '1', 1099511627776],
  ];
  for (const [unit, value, kib] of cases) {
    const memory = unit === undefined ? `<memory>${value}</memory>` : `<memory unit='${unit}'>${value}</memory>`;
    const def = parseDomainXML(minimal(memory));
    assert.equal(def.memoryKiB, kib, `${value} ${unit ?? '(no unit)'}`);
    assert.equal(def.currentMemoryKiB, kib, 'currentMemory absent equals memory');
  }
});

test('defaults: one vCPU, x86_64, destroy/restart/destroy, no root, no devices', () => {
  const def = parseDomainXML(minimal('<memory>1024</memory>'));
  assert.equal(def.vcpus, 1);
  assert.equal(def.os.arch, 'x86_64');
  assert.equal(def.os.root, undefined);
  assert.deepEqual([def.onPoweroff, def.onReboot, def.onCrash], ['destroy', 'restart', 'destroy']);
  assert.deepEqual([def.disks, def.interfaces, def.serial, def.memballoon], [[], [], undefined, undefined]);
});

test('a uuid is generated from the injected randomness when absent (version 4), else read as libvirt reads it', () => {
  const xml = "<domain type='firecracker'><name>u</name><memory>1024</memory><os><type>hvm</type><kernel>/k</kernel></os></domain>";
  const zeros = (length: number): Uint8Array => new Uint8Array(length);
  assert.equal(parseDomainXML(xml, { randomBytes: zeros }).uuid, '00000000-0000-4000-8000-000000000000');
  const spaced = xml.replace('<name>', '<uuid> 6BA7B810 9DAD-11D1-80B4-00C04FD430C8 </uuid><name>');
  assert.equal(parseDomainXML(spaced).uuid, '6ba7b810-9dad-11d1-80b4-00c04fd430c8');
});

test('MACs are generated as 52:54:00:xx:xx:xx, never repeating one in use', () => {
  const devices = "<interface type='ethernet'><mac address='52:54:00:01:02:03'/><target dev='t0'/></interface>" +
    "<interface type='ethernet'><target dev='t1'/></interface><interface type='ethernet'><target dev='t2'/></interface>";
  const sequence = [[1, 2, 3], [1, 2, 3], [4, 5, 6], [4, 5, 6], [7, 8, 9]];
  let call = 0;
  const randomBytes = (length: number): Uint8Array => Uint8Array.from(sequence[call++] ?? new Array<number>(length).fill(0));
  const def = parseDomainXML(minimal('<memory>1024</memory>', devices), { randomBytes });
  assert.deepEqual(def.interfaces.map((net) => net.mac), ['52:54:00:01:02:03', '52:54:00:04:05:06', '52:54:00:07:08:09']);
});

test('without injected randomness, uuids are random version 4 ones and MACs random 52:54:00 ones', () => {
  const devices = "<interface type='ethernet'><target dev='t0'/></interface><interface type='ethernet'><target dev='t1'/></interface>";
  const defs = [1, 2, 3].map(() => parseDomainXML(minimal('<memory>1024</memory>', devices).replace(/<uuid>[^<]*<\/uuid>/, '')));
  for (const def of defs) {
    assert.match(def.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const net of def.interfaces) assert.match(net.mac, /^52:54:00(:[0-9a-f]{2}){3}$/);
  }
  assert.equal(new Set(defs.map((def) => def.uuid)).size, defs.length);
});

test('randomness that returns too few bytes is an internal error, not a crash', () => {
  assert.throws(() => parseDomainXML(minimal('<memory>1024</memory>', "<interface type='ethernet'><target dev='t'/></interface>"), {
    randomBytes: () => new Uint8Array(1),
  }), (error: unknown) => error instanceof VirError && error.codeName === 'VIR_ERR_INTERNAL_ERROR');
});

test('a lone console becomes the serial port, keeping its pty path and alias', () => {
  const def = parseDomainXML(minimal('<memory>1024</memory>',
    "<console type='pty' tty='/dev/pts/2'><source path='/dev/pts/2'/><target type='serial'/><alias name='serial0'/></console>"));
  assert.deepEqual(def.serial, { type: 'pty', port: 0, sourcePath: '/dev/pts/2', alias: 'serial0' });
});

test('aliases, the domain id and pty paths are read back from the live form', () => {
  const def = parseDomainXML(minimal('<memory>1024</memory>',
    "<disk type='file' device='disk'><source file='/a'/><target dev='vda'/><alias name='virtio-disk0'/></disk>" +
    "<serial type='pty'><source path='/dev/pts/3'/><target port='0'/><alias name='serial0'/></serial>" +
    "<memballoon model='virtio'><alias name='balloon0'/></memballoon><vsock><cid auto='yes' address='3'/><alias name='vsock0'/></vsock>" +
    "<rng model='virtio'><backend model='builtin'/><alias name='rng0'/></rng>", "type='firecracker' id='4'"));
  assert.equal(def.id, 4);
  assert.equal(def.disks[0]?.alias, 'virtio-disk0');
  assert.deepEqual(def.serial, { type: 'pty', port: 0, sourcePath: '/dev/pts/3', alias: 'serial0' });
  assert.equal(def.memballoon?.alias, 'balloon0');
  assert.deepEqual(def.vsock, { model: 'virtio', autoCid: true, cid: 3, alias: 'vsock0' });
  assert.equal(def.rng?.alias, 'rng0');
});

test('devices: driver, iotune, bandwidth, balloon, vsock and rng fields', () => {
  const def = parseDomainXML(minimal("<memory unit='MiB'>512</memory><currentMemory unit='MiB'>256</currentMemory>",
    "<disk type='file' device='disk'><driver name='x' type='raw' cache='writeback' io='threads'/><source file='/a'/>" +
    '<target dev=\'vdb\'/><readonly/><iotune><total_bytes_sec>100</total_bytes_sec><total_iops_sec_max>5</total_iops_sec_max>' +
    '<total_iops_sec_max_length>2</total_iops_sec_max_length></iotune></disk>' +
    "<interface type='bridge'><source bridge='br0'/><bandwidth><inbound average='10' peak='20' burst='30'/></bandwidth></interface>" +
    "<memballoon model='virtio' autodeflate='off'><stats period='7'/></memballoon>" +
    "<rng model='virtio'><backend model='random'>/dev/random</backend><rate bytes='64'/></rng>"));
  assert.deepEqual(def.disks[0], {
    type: 'file', device: 'disk', driverName: 'x', driverType: 'raw', cache: 'writeback', io: 'threads', source: '/a',
    target: 'vdb', bus: 'virtio', readonly: true, iotune: { totalBytesSec: 100, totalIopsSecMax: 5, totalIopsSecMaxLength: 2 },
  });
  const [bridge] = def.interfaces;
  assert.ok(bridge !== undefined);
  assert.deepEqual(bridge.inbound, { average: 10, peak: 20, burst: 30 });
  assert.equal(bridge.sourceBridge, 'br0');
  assert.equal(bridge.targetDev, undefined);
  assert.deepEqual(def.memballoon, { model: 'virtio', autodeflate: false, statsPeriod: 7 });
  assert.deepEqual(def.rng, { model: 'virtio', backendModel: 'random', backendPath: '/dev/random', rateBytes: 64 });
  assert.equal(def.currentMemoryKiB, 262144);
});

test('<fc:mmds> is found by its namespace URI whatever the prefix; version defaults to V2', () => {
  const def = parseDomainXML(minimal('<memory>1024</memory>', "<interface type='ethernet'><target dev='t'/><guest dev='eth0'/></interface>",
    `type='firecracker' xmlns:m='${FC_XML_NAMESPACE}'`).replace('</domain>',
    "<m:mmds><m:interface dev='eth0'/><m:data>{\"a\": [1]}</m:data></m:mmds><x:mmds xmlns:x='urn:not-ours'/></domain>"));
  assert.deepEqual(def.mmds, { version: 'V2', interfaces: ['eth0'], data: '{"a": [1]}' });
});

test('<metadata> keeps each namespaced element with the namespaces it needs', () => {
  const def = parseDomainXML(minimal(
    "<memory>1024</memory><metadata><a:x b:y='1'>t<![CDATA[<c>]]><!--n--><a:z/></a:x><plain/><a:again/></metadata>",
    '', "type='firecracker' xmlns:a='urn:a' xmlns:b='urn:b'"));
  assert.deepEqual(def.metadata, [{
    kind: 'element',
    name: 'a:x',
    uri: 'urn:a',
    attributes: [{ name: 'b:y', value: '1' }],
    inheritedNamespaces: [{ prefix: 'a', uri: 'urn:a' }, { prefix: 'b', uri: 'urn:b' }],
    children: [
      { kind: 'text', text: 't' },
      { kind: 'cdata', text: '<c>' },
      { kind: 'comment', text: 'n' },
      { kind: 'element', name: 'a:z', uri: 'urn:a', attributes: [], inheritedNamespaces: [], children: [] },
    ],
  }]);
});
