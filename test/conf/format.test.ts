// The formatter on its own, and the checks on DomainDefs built in code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirError } from '../../src/errors.js';
import { formatDomainXML, parseDomainXML, validateDomainDef, type DomainDef } from '../../src/conf/index.js';

function def(): DomainDef {
  return {
    type: 'firecracker',
    name: 'built',
    uuid: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
    memoryKiB: 262144,
    currentMemoryKiB: 262144,
    vcpus: 2,
    os: { type: 'hvm', arch: 'x86_64', kernel: '/vmlinux' },
    onPoweroff: 'destroy',
    onReboot: 'restart',
    onCrash: 'destroy',
    disks: [{ type: 'file', device: 'disk', source: '/rootfs', target: 'vda', bus: 'virtio', readonly: false }],
    interfaces: [{ type: 'ethernet', mac: '52:54:00:00:00:01', targetDev: 'tap0' }],
  };
}

test('a valid DomainDef built in code passes validation', () => {
  assert.doesNotThrow(() => { validateDomainDef(def()); });
});

test('a DomainDef built in code is refused with the same words, without a location', () => {
  const tooMany = { ...def(), vcpus: 64 };
  assert.throws(() => { validateDomainDef(tooMany); }, {
    name: 'VirError',
    message: 'unsupported configuration: 64 vCPUs requested, but Firecracker supports at most 32',
  });
  const relative = def();
  relative.os.kernel = 'vmlinux';
  assert.throws(() => { validateDomainDef(relative); }, {
    message: "XML error: kernel 'vmlinux' is not an absolute path: give the full path, the daemon's working directory is not yours",
  });
  const upperMac = def();
  const [net] = upperMac.interfaces;
  if (net !== undefined) net.mac = '52:54:00:AA:00:01';
  assert.throws(() => { validateDomainDef(upperMac); }, { message: "XML error: unable to parse mac address '52:54:00:AA:00:01'" });
  assert.throws(() => { validateDomainDef({ ...def(), uuid: 'nope' }); }, {
    message: "XML error: malformed uuid 'nope': expected the dashed lowercase form",
  });
});

test('a def that is not even shaped like one is still refused with a VirError', () => {
  const broken = { ...def(), disks: undefined } as unknown as DomainDef;
  assert.throws(() => { validateDomainDef(broken); }, (error: unknown) => error instanceof VirError && error.codeName === 'VIR_ERR_INTERNAL_ERROR');
});

test('the formatter escapes as libvirt does and keeps what XML would normalise', () => {
  const built = def();
  built.name = `a'b"c<d>e&f`;
  built.os.cmdline = 'x\ry\tz\u0001';
  built.description = 'line one\nline two';
  const xml = formatDomainXML(built);
  assert.match(xml, /<name>a&apos;b&quot;c&lt;d&gt;e&amp;f<\/name>/);
  assert.match(xml, /<cmdline>x&#13;y\tz<\/cmdline>/, 'carriage return kept as a reference, control character dropped');
  assert.match(xml, /<description>line one\nline two<\/description>/);
  const again = parseDomainXML(xml);
  assert.equal(again.name, built.name);
  assert.equal(again.os.cmdline, 'x\ry\tz');
});

test('attribute values keep tabs and newlines as character references', () => {
  const built = def();
  const [disk] = built.disks;
  if (disk !== undefined) disk.source = '/a\tb\nc';
  const xml = formatDomainXML(built);
  assert.match(xml, /<source file='\/a&#9;b&#10;c'\/>/);
  assert.equal(parseDomainXML(xml).disks[0]?.source, '/a\tb\nc');
});

test('metadata built in code that XML cannot hold as is is written so that it reads back', () => {
  const built = def();
  built.metadata = [
    { kind: 'comment', text: 'a -- b -' },
    {
      kind: 'element', name: 'x:y', uri: 'urn:x', attributes: [{ name: 'v', value: "it's" }],
      inheritedNamespaces: [{ prefix: 'x', uri: 'urn:x' }],
      children: [{ kind: 'cdata', text: 'a]]>b' }, { kind: 'text', text: '<&>' }],
    },
  ];
  const xml = formatDomainXML(built);
  assert.match(xml, /<!--a - - b - -->/);
  assert.match(xml, /<x:y xmlns:x='urn:x' v='it&apos;s'><!\[CDATA\[a\]\]\]\]><!\[CDATA\[>b\]\]>&lt;&amp;&gt;<\/x:y>/);
  assert.equal(formatDomainXML(parseDomainXML(xml)), xml);
});

test('the inactive form leaves out what only a running domain has', () => {
  const built = def();
  built.id = 3;
  built.serial = { type: 'pty', port: 0, sourcePath: '/dev/pts/5', alias: 'serial0' };
  const [disk] = built.disks;
  if (disk !== undefined) disk.alias = 'virtio-disk0';
  const inactive = formatDomainXML(built);
  assert.doesNotMatch(inactive, /id=|alias|pts|tty/);
  const live = formatDomainXML(built, { live: true });
  assert.match(live, /^<domain type='firecracker' id='3'>/);
  assert.match(live, /<console type='pty' tty='\/dev\/pts\/5'>\n {6}<source path='\/dev\/pts\/5'\/>\n {6}<target type='serial' port='0'\/>\n {6}<alias name='serial0'\/>/);
});
