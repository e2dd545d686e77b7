// Hand-built DomainDefs for plan tests: a minimal valid domain plus small device builders,
// so each test spells out only what it is about.
import type { DiskDef, DomainDef, InterfaceDef } from '../../../src/conf/domain-def.js';
import { tryParseVersion, type FirecrackerVersion } from '../../../src/firecracker/version.js';

export function domain(overrides: Partial<DomainDef> = {}): DomainDef {
  return {
    type: 'firecracker',
    name: 'demo',
    uuid: '4dea22b3-1d52-d8f3-2516-782e98ab3fa0',
    memoryKiB: 262144,
    currentMemoryKiB: 262144,
    vcpus: 2,
    os: { type: 'hvm', arch: 'x86_64', kernel: '/boot/vmlinux' },
    onPoweroff: 'destroy',
    onReboot: 'restart',
    onCrash: 'destroy',
    disks: [],
    interfaces: [],
    ...overrides,
  };
}

export function disk(target: string, overrides: Partial<DiskDef> = {}): DiskDef {
  return { type: 'file', device: 'disk', source: `/images/${target}.ext4`, target, bus: 'virtio', readonly: false, ...overrides };
}

export function ethernet(targetDev: string | undefined, guestDev: string | undefined, overrides: Partial<InterfaceDef> = {}): InterfaceDef {
  const name = targetDev ?? guestDev ?? '';
  let sum = 0;
  for (const char of name) sum = (sum * 31 + char.charCodeAt(0)) % 65536;
  const mac = `52:54:00:00:${(sum >> 8).toString(16).padStart(2, '0')}:${(sum & 255).toString(16).padStart(2, '0')}`;
  return {
    type: 'ethernet',
    mac,
    ...(targetDev === undefined ? {} : { targetDev }),
    ...(guestDev === undefined ? {} : { guestDev }),
    ...overrides,
  };
}

export function version(text: string): FirecrackerVersion {
  const parsed = tryParseVersion(text);
  if (parsed === undefined) throw new Error(`bad test version ${text}`);
  return parsed;
}

export const v0_25 = version('0.25.2');
export const v1_0 = version('1.0.0');
export const v1_3 = version('1.3.3');
export const v1_4 = version('1.4.0');
export const v1_16 = version('1.16.1');
/** One version of each dialect the plan distinguishes. */
export const allVersions = [v0_25, v1_0, v1_3, v1_4, v1_16];
