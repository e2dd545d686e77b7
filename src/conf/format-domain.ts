// DomainDef → domain XML in libvirt's layout (virDomainDefFormatInternal and the device
// formatters of libvirt's src/conf/domain_conf.c): element order, two-space indent,
// single-quoted attributes, libvirt's escaping. The live form adds the domain id, the pty
// paths and the device aliases.
import { FC_XML_NAMESPACE, type DiskDef, type DomainDef, type FormatOptions, type InterfaceDef, type XmlNode } from './domain-def.js';
import { escapeAttribute as attr, escapeText as text } from './xml-escape.js';

// Output is built by string concatenation, line by line ("…\n"): cheaper than collecting lines.

function alias(indent: string, name: string | undefined, live: boolean): string {
  return live && name !== undefined ? `${indent}<alias name='${attr(name)}'/>\n` : '';
}

/** An element with the given (already formatted) children, self-closed when there are none. */
function element(indent: string, start: string, name: string, children: string): string {
  return children === '' ? `${indent}${start}/>\n` : `${indent}${start}>\n${children}${indent}</${name}>\n`;
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

function formatDisk(disk: DiskDef, live: boolean): string {
  let driver = '';
  if (disk.driverName !== undefined) driver += ` name='${attr(disk.driverName)}'`;
  if (disk.driverType !== undefined) driver += ` type='${attr(disk.driverType)}'`;
  if (disk.cache !== undefined) driver += ` cache='${disk.cache}'`;
  if (disk.io !== undefined) driver += ` io='${disk.io}'`;
  let out = "    <disk type='file' device='disk'>\n";
  if (driver !== '') out += `      <driver${driver}/>\n`;
  out += `      <source file='${attr(disk.source)}'/>\n`;
  out += `      <target dev='${attr(disk.target)}' bus='${disk.bus}'/>\n`;
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
    let written = '';
    for (const [name, value] of limits) {
      if (value !== undefined && value !== 0) written += `        <${name}>${String(value)}</${name}>\n`;
    }
    if (written !== '') out += `      <iotune>\n${written}      </iotune>\n`;
  }
  if (disk.readonly) out += '      <readonly/>\n';
  out += alias('      ', disk.alias, live);
  return `${out}    </disk>\n`;
}

function formatInterface(net: InterfaceDef, live: boolean): string {
  let out = `    <interface type='${net.type}'>\n      <mac address='${net.mac}'/>\n`;
  if (net.type === 'bridge' && net.sourceBridge !== undefined) out += `      <source bridge='${attr(net.sourceBridge)}'/>\n`;
  if (net.inbound !== undefined || net.outbound !== undefined) {
    out += '      <bandwidth>\n';
    for (const [direction, rate] of [['inbound', net.inbound], ['outbound', net.outbound]] as const) {
      if (rate === undefined) continue;
      out += `        <${direction} average='${String(rate.average)}'`;
      if (rate.peak !== undefined) out += ` peak='${String(rate.peak)}'`;
      if (rate.burst !== undefined) out += ` burst='${String(rate.burst)}'`;
      out += '/>\n';
    }
    out += '      </bandwidth>\n';
  }
  if (net.targetDev !== undefined) {
    // libvirt writes only managed='no' (its default is yes); an explicit yes is kept as written too.
    const managed = net.targetManaged === undefined ? '' : ` managed='${net.targetManaged ? 'yes' : 'no'}'`;
    out += `      <target dev='${attr(net.targetDev)}'${managed}/>\n`;
  }
  if (net.guestDev !== undefined) out += `      <guest dev='${attr(net.guestDev)}'/>\n`;
  if (net.model !== undefined) out += `      <model type='${net.model}'/>\n`;
  out += alias('      ', net.alias, live);
  return `${out}    </interface>\n`;
}

function formatDevices(def: DomainDef, live: boolean): string {
  let out = '  <devices>\n';
  if (def.emulator !== undefined) out += `    <emulator>${text(def.emulator)}</emulator>\n`;
  for (const disk of def.disks) out += formatDisk(disk, live);
  for (const net of def.interfaces) out += formatInterface(net, live);
  const { serial } = def;
  if (serial !== undefined) {
    const path = live ? serial.sourcePath : undefined;
    const source = path === undefined ? '' : `      <source path='${attr(path)}'/>\n`;
    const serialAlias = alias('      ', serial.alias, live);
    out += `    <serial type='pty'>\n${source}      <target port='${String(serial.port)}'/>\n${serialAlias}    </serial>\n`;
    // libvirt writes the console of an hvm guest as a mirror of its first serial port.
    const tty = path === undefined ? '' : ` tty='${attr(path)}'`;
    out += `    <console type='pty'${tty}>\n${source}      <target type='serial' port='${String(serial.port)}'/>\n${serialAlias}    </console>\n`;
  }
  const balloon = def.memballoon;
  if (balloon !== undefined) {
    let children = '';
    if (balloon.statsPeriod !== undefined && balloon.statsPeriod !== 0) children += `      <stats period='${String(balloon.statsPeriod)}'/>\n`;
    children += alias('      ', balloon.alias, live);
    const deflate = balloon.autodeflate === undefined ? '' : ` autodeflate='${balloon.autodeflate ? 'on' : 'off'}'`;
    out += element('    ', `<memballoon model='${balloon.model}'${deflate}`, 'memballoon', children);
  }
  const { rng } = def;
  if (rng !== undefined) {
    let children = '';
    if (rng.rateBytes !== undefined) {
      const period = rng.ratePeriodMs === undefined ? '' : ` period='${String(rng.ratePeriodMs)}'`;
      children += `      <rate bytes='${String(rng.rateBytes)}'${period}/>\n`;
    }
    children += rng.backendPath === undefined
      ? `      <backend model='${rng.backendModel}'/>\n`
      : `      <backend model='${rng.backendModel}'>${text(rng.backendPath)}</backend>\n`;
    children += alias('      ', rng.alias, live);
    out += element('    ', `<rng model='${rng.model}'`, 'rng', children);
  }
  const { vsock } = def;
  if (vsock !== undefined) {
    let cid = '';
    if (vsock.autoCid !== undefined) cid += ` auto='${vsock.autoCid ? 'yes' : 'no'}'`;
    if (vsock.cid !== undefined) cid += ` address='${String(vsock.cid)}'`;
    const children = (cid === '' ? '' : `      <cid${cid}/>\n`) + alias('      ', vsock.alias, live);
    out += element('    ', `<vsock model='${vsock.model}'`, 'vsock', children);
  }
  return `${out}  </devices>\n`;
}

export function formatDomain(def: DomainDef, options: FormatOptions = {}): string {
  const live = options.live === true;
  let out = "<domain type='firecracker'";
  if (live && def.id !== undefined) out += ` id='${String(def.id)}'`;
  if (def.mmds !== undefined) out += ` xmlns:fc='${FC_XML_NAMESPACE}'`;
  out += `>\n  <name>${text(def.name)}</name>\n  <uuid>${def.uuid}</uuid>\n`;
  if (def.title !== undefined) out += `  <title>${text(def.title)}</title>\n`;
  if (def.description !== undefined) out += `  <description>${text(def.description)}</description>\n`;
  if (def.metadata !== undefined) {
    out += element('  ', '<metadata', 'metadata', def.metadata.map((node) => `    ${formatNode(node)}\n`).join(''));
  }
  out += `  <memory unit='KiB'>${String(def.memoryKiB)}</memory>\n`;
  out += `  <currentMemory unit='KiB'>${String(def.currentMemoryKiB)}</currentMemory>\n`;
  // libvirt writes `current` only when some vCPUs are offline, which Firecracker cannot have.
  out += `  <vcpu placement='${def.vcpuPlacement ?? 'static'}'>${String(def.vcpus)}</vcpu>\n`;
  const { os } = def;
  out += `  <os>\n    <type arch='${os.arch}'${os.machine === undefined ? '' : ` machine='${attr(os.machine)}'`}>hvm</type>\n`;
  out += `    <kernel>${text(os.kernel)}</kernel>\n`;
  if (os.initrd !== undefined) out += `    <initrd>${text(os.initrd)}</initrd>\n`;
  if (os.cmdline !== undefined) out += `    <cmdline>${text(os.cmdline)}</cmdline>\n`;
  if (os.root !== undefined) out += `    <root>${text(os.root)}</root>\n`;
  out += "  </os>\n  <clock offset='utc'/>\n";
  out += `  <on_poweroff>${def.onPoweroff}</on_poweroff>\n  <on_reboot>${def.onReboot}</on_reboot>\n  <on_crash>${def.onCrash}</on_crash>\n`;
  out += formatDevices(def, live);
  const { mmds } = def;
  if (mmds !== undefined) {
    let children = '';
    for (const dev of mmds.interfaces) children += `    <fc:interface dev='${attr(dev)}'/>\n`;
    if (mmds.data !== undefined) children += `    <fc:data>${text(mmds.data)}</fc:data>\n`;
    const address = mmds.address === undefined ? '' : ` address='${attr(mmds.address)}'`;
    out += element('  ', `<fc:mmds version='${mmds.version}'${address}`, 'fc:mmds', children);
  }
  return `${out}</domain>\n`;
}
