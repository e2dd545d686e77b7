// A hand-built DomainDef for unit tests that do not go through conf's parser.
import type { DomainDef } from '../../src/conf/domain-def.js';

export function minimalDef(name: string, uuid: string, overrides: Partial<DomainDef> = {}): DomainDef {
  return {
    type: 'firecracker',
    name,
    uuid,
    memoryKiB: 131072,
    currentMemoryKiB: 131072,
    vcpus: 1,
    os: { type: 'hvm', arch: 'x86_64', kernel: '/boot/vmlinux' },
    onPoweroff: 'destroy',
    onReboot: 'restart',
    onCrash: 'destroy',
    disks: [],
    interfaces: [],
    ...overrides,
  };
}
