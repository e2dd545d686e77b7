// What the host looks like, as libvirt reports it: virNodeGetInfo (CPU topology from sysfs,
// as libvirt's nodeinfo does) and the capabilities XML with fcvirt's one guest type.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import type { NodeInfo } from '../api/connection.js';
import { normaliseUuid } from './domain-list.js';
import { hostArchitecture } from './live-def.js';

async function readTrimmed(file: string): Promise<string | undefined> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

async function countMatching(directory: string, pattern: RegExp): Promise<number> {
  try {
    return (await fs.readdir(directory)).filter((entry) => pattern.test(entry)).length;
  } catch {
    return 0;
  }
}

export async function nodeInfo(): Promise<NodeInfo> {
  const cpus = os.cpus();
  const online = Math.max(cpus.length, 1);
  const nodes = Math.max(await countMatching('/sys/devices/system/node', /^node\d+$/), 1);
  const packages = new Set<string>();
  const cores = new Set<string>();
  const cpuEntries = (await fs.readdir('/sys/devices/system/cpu').catch(() => [])).filter((entry) => /^cpu\d+$/.test(entry));
  for (const entry of cpuEntries) {
    const base = `/sys/devices/system/cpu/${entry}/topology`;
    const pkg = await readTrimmed(`${base}/physical_package_id`);
    const core = await readTrimmed(`${base}/core_id`);
    if (pkg === undefined || core === undefined) continue;
    packages.add(pkg);
    cores.add(`${pkg}/${core}`);
  }
  const sockets = Math.max(Math.floor(packages.size / nodes), 1);
  const coresPerSocket = Math.max(Math.floor(cores.size / Math.max(packages.size, 1)), 1);
  const threads = Math.max(Math.floor(online / Math.max(nodes * sockets * coresPerSocket, 1)), 1);
  return {
    model: hostArchitecture(),
    memoryKiB: Math.floor(os.totalmem() / 1024),
    cpus: online,
    mhz: cpus[0]?.speed ?? 0,
    nodes,
    sockets,
    cores: coresPerSocket,
    threads,
  };
}

let hostUuid: string | undefined;

/** libvirt's virGetHostUUID: the SMBIOS system uuid, else the machine id, else a random one. */
export async function hostUUID(): Promise<string> {
  if (hostUuid !== undefined) return hostUuid;
  for (const file of ['/sys/devices/virtual/dmi/id/product_uuid', '/sys/class/dmi/id/product_uuid', '/etc/machine-id']) {
    const text = await readTrimmed(file);
    if (text === undefined) continue;
    const uuid = normaliseUuid(text);
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(uuid) && !/^[0-]+$/.test(uuid)) {
      hostUuid = uuid;
      return uuid;
    }
  }
  hostUuid = randomUUID();
  return hostUuid;
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The capabilities XML: the host, and one guest: hvm on the host's arch, domain type firecracker. */
export async function capabilitiesXML(emulator: string | undefined): Promise<string> {
  const info = await nodeInfo();
  const arch = hostArchitecture();
  const wordsize = arch === 'x86_64' || arch === 'aarch64' ? 64 : 32;
  const lines = [
    '<capabilities>',
    '',
    '  <host>',
    `    <uuid>${await hostUUID()}</uuid>`,
    '    <cpu>',
    `      <arch>${arch}</arch>`,
    `      <topology sockets='${info.sockets}' dies='1' cores='${info.cores}' threads='${info.threads}'/>`,
    '    </cpu>',
    '  </host>',
    '',
    '  <guest>',
    '    <os_type>hvm</os_type>',
    `    <arch name='${arch}'>`,
    `      <wordsize>${wordsize}</wordsize>`,
    ...(emulator === undefined ? [] : [`      <emulator>${escapeText(emulator)}</emulator>`]),
    "      <domain type='firecracker'/>",
    '    </arch>',
    '  </guest>',
    '',
    '</capabilities>',
    '',
  ];
  return lines.join('\n');
}
