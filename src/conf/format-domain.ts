// DomainDef → domain XML in libvirt's layout (virDomainDefFormatInternal and the device
// formatters of libvirt's src/conf/domain_conf.c): element order, two-space indent,
// single-quoted attributes, libvirt's escaping. The live form adds the domain id, the pty
// paths and the device aliases.
import { FC_XML_NAMESPACE, type DiskDef, type DomainDef, type FormatOptions, type InterfaceDef, type XmlNode } from './domain-def.js';
import { escapeAttribute as attr, escapeText as text } from './xml-escape.js';

type Lines = string[];

function alias(lines: Lines, indent: string, name: string | undefined, live: boolean): void {
  if (live && name !== undefined) lines.push(`${indent}<alias name='${attr(name)}'/>`);
}

/** Writes an element that has children, or self-closes it when it has none. */
function element(lines: Lines, indent: string, start: string, name: string, children: Lines): void {
  if (children.length === 0) {
    lines.push(`${indent}${start}/>`);
    return;
  }
  lines.push(`${indent}${start}>`);
  for (const line of children) lines.push(line);
  lines.push(`${indent}</${name}>`);
}

// Metadata is written back as it was read: only the start tag of each top element is ours.
function formatNode(node: XmlNode): string {
  switch (node.kind) {
    case 'text':
      return text(node.text);
    case 'cdata':
      return `<![CDATA[${node.text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
    case 'comment':
      return `<!--${node.text.replaceAll('--', '- -').replace(/-$/, '- ')}-->`;
    case 'element': {
      let start = `<${node.name}`;
      for (const { prefix, uri } of node.inheritedNamespaces) {
        start += prefix === '' ? ` xmlns='${attr(uri)}'` : ` xmlns:${prefix}='${attr(uri)}'`;
      }
      for (const { name, value } of node.attributes) start += ` ${name}='${attr(value)}'`;
      if (node.children.length === 0) return `${start}/>`;
      return `${start}>${node.children.map(formatNode).join('')}</${node.name}>`;
    }
  }
}

function formatDisk(lines: Lines, disk: DiskDef, live: boolean): void {
  const children: Lines = [];
  let driver = '';
  if (disk.driverName !== undefined) driver += ` name='${attr(disk.driverName)}'`;
  if (disk.driverType !== undefined) driver += ` type='${attr(disk.driverType)}'`;
  if (disk.cache !== undefined) driver += ` cache='${disk.cache}'`;
  if (disk.io !== undefined) driver += ` io='${disk.io}'`;
  if (driver !== '') children.push(`      <driver${driver}/>`);
  children.push(`      <source file='${attr(disk.source)}'/>`);
  children.push(`      <target dev='${attr(disk.target)}' bus='${disk.bus}'/>`);
  const tune = disk.iotune;
  if (tune !== undefined) {
    // libvirt's order; a limit of 0 means none and is not written.
    const limits: [string, number | undefined][] = [
      ['total_bytes_sec', tune.totalBytesSec],
      ['total_iops_sec', tune.totalIopsSec],
      ['total_bytes_sec_max', tune.totalBytesSecMax],
      ['total_iops_sec_max', tune.totalIopsSecMax],
      ['total_bytes_sec_max_length', tune.totalBytesSecMaxLength],
      ['total_iops_sec_max_length', tune.totalIopsSecMaxLength],
    ];
    const written = limits.filter(([, value]) => value !== undefined && value !== 0);
    if (written.length > 0) {
      children.push('      <iotune>');
      for (const [name, value] of written) children.push(`        <${name}>${String(value)}</${name}>`);
      children.push('      </iotune>');
    }
  }
  if (disk.readonly) children.push('      <readonly/>');
  alias(children, '      ', disk.alias, live);
  element(lines, '    ', `<disk type='file' device='disk'`, 'disk', children);
}

function formatInterface(lines: Lines, net: InterfaceDef, live: boolean): void {
  const children: Lines = [`      <mac address='${net.mac}'/>`];
  if (net.type === 'bridge' && net.sourceBridge !== undefined) {
    children.push(`      <source bridge='${attr(net.sourceBridge)}'/>`);
  }
  if (net.inbound !== undefined || net.outbound !== undefined) {
    children.push('      <bandwidth>');
    for (const [direction, rate] of [['inbound', net.inbound], ['outbound', net.outbound]] as const) {
      if (rate === undefined) continue;
      let line = `        <${direction} average='${String(rate.average)}'`;
      if (rate.peak !== undefined) line += ` peak='${String(rate.peak)}'`;
      if (rate.burst !== undefined) line += ` burst='${String(rate.burst)}'`;
      children.push(`${line}/>`);
    }
    children.push('      </bandwidth>');
  }
  if (net.targetDev !== undefined) {
    children.push(`      <target dev='${attr(net.targetDev)}'${net.targetManaged === false ? " managed='no'" : ''}/>`);
  }
  if (net.guestDev !== undefined) children.push(`      <guest dev='${attr(net.guestDev)}'/>`);
  if (net.model !== undefined) children.push(`      <model type='${net.model}'/>`);
  alias(children, '      ', net.alias, live);
  element(lines, '    ', `<interface type='${net.type}'`, 'interface', children);
}

function formatDevices(lines: Lines, def: DomainDef, live: boolean): void {
  lines.push('  <devices>');
  if (def.emulator !== undefined) lines.push(`    <emulator>${text(def.emulator)}</emulator>`);
  for (const disk of def.disks) formatDisk(lines, disk, live);
  for (const net of def.interfaces) formatInterface(lines, net, live);
  const { serial } = def;
  if (serial !== undefined) {
    const path = live ? serial.sourcePath : undefined;
    const source = path === undefined ? [] : [`      <source path='${attr(path)}'/>`];
    const serialChildren = [...source, `      <target port='${String(serial.port)}'/>`];
    alias(serialChildren, '      ', serial.alias, live);
    element(lines, '    ', "<serial type='pty'", 'serial', serialChildren);
    // libvirt writes the console of an hvm guest as a mirror of its first serial port.
    const consoleChildren = [...source, `      <target type='serial' port='${String(serial.port)}'/>`];
    alias(consoleChildren, '      ', serial.alias, live);
    const tty = path === undefined ? '' : ` tty='${attr(path)}'`;
    element(lines, '    ', `<console type='pty'${tty}`, 'console', consoleChildren);
  }
  const balloon = def.memballoon;
  if (balloon !== undefined) {
    const children: Lines = [];
    if (balloon.statsPeriod !== undefined && balloon.statsPeriod !== 0) {
      children.push(`      <stats period='${String(balloon.statsPeriod)}'/>`);
    }
    alias(children, '      ', balloon.alias, live);
    const deflate = balloon.autodeflate === undefined ? '' : ` autodeflate='${balloon.autodeflate ? 'on' : 'off'}'`;
    element(lines, '    ', `<memballoon model='${balloon.model}'${deflate}`, 'memballoon', children);
  }
  const { rng } = def;
  if (rng !== undefined) {
    const children: Lines = [];
    if (rng.rateBytes !== undefined) {
      const period = rng.ratePeriodMs === undefined ? '' : ` period='${String(rng.ratePeriodMs)}'`;
      children.push(`      <rate bytes='${String(rng.rateBytes)}'${period}/>`);
    }
    children.push(
      rng.backendPath === undefined
        ? `      <backend model='${rng.backendModel}'/>`
        : `      <backend model='${rng.backendModel}'>${text(rng.backendPath)}</backend>`,
    );
    alias(children, '      ', rng.alias, live);
    element(lines, '    ', `<rng model='${rng.model}'`, 'rng', children);
  }
  const { vsock } = def;
  if (vsock !== undefined) {
    const children: Lines = [];
    let cid = '';
    if (vsock.autoCid !== undefined) cid += ` auto='${vsock.autoCid ? 'yes' : 'no'}'`;
    if (vsock.cid !== undefined) cid += ` address='${String(vsock.cid)}'`;
    if (cid !== '') children.push(`      <cid${cid}/>`);
    alias(children, '      ', vsock.alias, live);
    element(lines, '    ', `<vsock model='${vsock.model}'`, 'vsock', children);
  }
  lines.push('  </devices>');
}

export function formatDomain(def: DomainDef, options: FormatOptions = {}): string {
  const live = options.live === true;
  const lines: Lines = [];
  let root = "<domain type='firecracker'";
  if (live && def.id !== undefined) root += ` id='${String(def.id)}'`;
  if (def.mmds !== undefined) root += ` xmlns:fc='${FC_XML_NAMESPACE}'`;
  lines.push(`${root}>`);
  lines.push(`  <name>${text(def.name)}</name>`);
  lines.push(`  <uuid>${def.uuid}</uuid>`);
  if (def.title !== undefined) lines.push(`  <title>${text(def.title)}</title>`);
  if (def.description !== undefined) lines.push(`  <description>${text(def.description)}</description>`);
  if (def.metadata !== undefined) {
    element(lines, '  ', '<metadata', 'metadata', def.metadata.map((node) => `    ${formatNode(node)}`));
  }
  lines.push(`  <memory unit='KiB'>${String(def.memoryKiB)}</memory>`);
  lines.push(`  <currentMemory unit='KiB'>${String(def.currentMemoryKiB)}</currentMemory>`);
  // libvirt writes `current` only when some vCPUs are offline, which Firecracker cannot have.
  lines.push(`  <vcpu placement='${def.vcpuPlacement ?? 'static'}'>${String(def.vcpus)}</vcpu>`);
  const { os } = def;
  lines.push('  <os>');
  lines.push(`    <type arch='${os.arch}'${os.machine === undefined ? '' : ` machine='${attr(os.machine)}'`}>hvm</type>`);
  lines.push(`    <kernel>${text(os.kernel)}</kernel>`);
  if (os.initrd !== undefined) lines.push(`    <initrd>${text(os.initrd)}</initrd>`);
  if (os.cmdline !== undefined) lines.push(`    <cmdline>${text(os.cmdline)}</cmdline>`);
  if (os.root !== undefined) lines.push(`    <root>${text(os.root)}</root>`);
  lines.push('  </os>');
  lines.push("  <clock offset='utc'/>");
  lines.push(`  <on_poweroff>${def.onPoweroff}</on_poweroff>`);
  lines.push(`  <on_reboot>${def.onReboot}</on_reboot>`);
  lines.push(`  <on_crash>${def.onCrash}</on_crash>`);
  formatDevices(lines, def, live);
  const { mmds } = def;
  if (mmds !== undefined) {
    const children = mmds.interfaces.map((dev) => `    <fc:interface dev='${attr(dev)}'/>`);
    if (mmds.data !== undefined) children.push(`    <fc:data>${text(mmds.data)}</fc:data>`);
    const address = mmds.address === undefined ? '' : ` address='${attr(mmds.address)}'`;
    element(lines, '  ', `<fc:mmds version='${mmds.version}'${address}`, 'fc:mmds', children);
  }
  lines.push('</domain>');
  return `${lines.join('\n')}\n`;
}
