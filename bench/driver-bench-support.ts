// What the driver benchmarks share: the Firecracker to run (the test double unless a real one
// is configured), a domain for it, medians, and the shape of an asynchronous scenario.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type { Scenario as AsyncScenario } from './harness.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface BenchBackend {
  name: string;
  emulator: string;
  kernel: string;
  rootfs: string;
}

/** The first executable `firecracker` in PATH, if any. */
function firecrackerInPath(): string | undefined {
  return (process.env.PATH ?? '').split(':').map((dir) => path.join(dir, 'firecracker')).find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * A real Firecracker when FCVIRT_TEST_KERNEL and FCVIRT_TEST_ROOTFS name a guest (the binary:
 * FCVIRT_TEST_FIRECRACKER, else `firecracker` in PATH), the test double otherwise.
 */
export function benchBackend(): BenchBackend {
  const { FCVIRT_TEST_KERNEL: kernel, FCVIRT_TEST_ROOTFS: rootfs } = process.env;
  const emulator = process.env.FCVIRT_TEST_FIRECRACKER ?? firecrackerInPath();
  if (emulator !== undefined && kernel !== undefined && rootfs !== undefined) return { name: 'real', emulator, kernel, rootfs };
  return {
    name: 'test double',
    emulator: path.join(repoRoot, 'test', 'fake-firecracker', 'firecracker'),
    kernel: path.join(repoRoot, 'test', 'data', 'fake-guest', 'vmlinux.bin'),
    rootfs: path.join(repoRoot, 'test', 'data', 'fake-guest', 'rootfs.ext4'),
  };
}

export function benchDomainXml(backend: BenchBackend, name: string): string {
  return `<domain type='firecracker'>
  <name>${name}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
    <kernel>${backend.kernel}</kernel>
    <cmdline>console=ttyS0 reboot=k panic=1 pci=off</cmdline>
  </os>
  <devices>
    <emulator>${backend.emulator}</emulator>
    <disk type='file' device='disk'>
      <source file='${backend.rootfs}'/>
      <target dev='vda' bus='virtio'/>
      <readonly/>
    </disk>
    <serial type='pty'/>
  </devices>
</domain>
`;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] ?? 0 : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
