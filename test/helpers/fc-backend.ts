// The Firecracker the end-to-end tests drive: the test double always, a real binary too when
// FCVIRT_TEST_KERNEL and FCVIRT_TEST_ROOTFS name a guest and FCVIRT_TEST_FIRECRACKER names the
// binary (else `firecracker` in PATH is the one).
// Tests are written once and run per backend; what only the double can do (forced crashes,
// scripted reboots) is skipped on the real one, saying why.

import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, testData } from './paths.js';
import { which } from './run.js';

export interface Backend {
  name: 'fake' | 'real';
  /** Why this backend does not run here; undefined when it does. */
  skip: string | undefined;
  /** The firecracker binary (`<emulator>`). */
  emulator: string;
  kernel: string;
  rootfs: string;
  /** The double's scripted guest switches (fakefc.*) are available. */
  double: boolean;
  /** Kernel command line for a test domain, plus extra parameters. */
  cmdline(extra?: string): string;
  /** How long a guest may take to boot far enough to print on its console. */
  bootMs: number;
  /** A text the guest prints once its console works. */
  consoleReady: string;
}

export const fakeFirecracker = path.join(repoRoot, 'test', 'fake-firecracker', 'firecracker');

export const fakeBackend: Backend = {
  name: 'fake',
  skip: undefined,
  emulator: fakeFirecracker,
  kernel: testData('fake-guest', 'vmlinux.bin'),
  rootfs: testData('fake-guest', 'rootfs.ext4'),
  double: true,
  cmdline: (extra) => ['console=ttyS0 reboot=k panic=1 pci=off', extra].filter((part) => part !== undefined && part !== '').join(' '),
  bootMs: 10_000,
  consoleReady: 'fcguest# ',
};

/** `firecracker` in PATH, unless that is the test double. */
function firecrackerInPath(): string {
  const found = which('firecracker');
  if (found === null) return '';
  return realpathSync(found) === realpathSync(fakeFirecracker) ? '' : found;
}

function realBackend(): Backend {
  const kernel = process.env.FCVIRT_TEST_KERNEL ?? '';
  const rootfs = process.env.FCVIRT_TEST_ROOTFS ?? '';
  const emulator = process.env.FCVIRT_TEST_FIRECRACKER ?? (kernel !== '' && rootfs !== '' ? firecrackerInPath() : '');
  let skip: string | undefined;
  if (emulator === '' || kernel === '' || rootfs === '') {
    skip = 'no real Firecracker: set FCVIRT_TEST_KERNEL and FCVIRT_TEST_ROOTFS (a guest kernel printing on ttyS0 and its root filesystem) and put firecracker in PATH or name it in FCVIRT_TEST_FIRECRACKER to run these against one';
  } else if (![emulator, kernel, rootfs].every((file) => existsSync(file))) {
    skip = 'FCVIRT_TEST_FIRECRACKER, FCVIRT_TEST_KERNEL or FCVIRT_TEST_ROOTFS names a file that does not exist';
  } else if (!existsSync('/dev/kvm')) {
    skip = 'a real Firecracker needs /dev/kvm';
  }
  return {
    name: 'real',
    skip,
    emulator,
    kernel,
    rootfs,
    double: false,
    cmdline: (extra) => ['console=ttyS0 reboot=k panic=1 pci=off', extra].filter((part) => part !== undefined && part !== '').join(' '),
    // Nothing is assumed of the guest beyond a Linux kernel printing on ttyS0.
    bootMs: 60_000,
    consoleReady: 'Linux version',
  };
}

export const backends: Backend[] = [fakeBackend, realBackend()];

export interface DomainOptions {
  name: string;
  uuid?: string;
  /** More kernel parameters (e.g. the double's fakefc.* switches). */
  cmdline?: string;
  onPoweroff?: 'destroy' | 'restart';
  onReboot?: 'destroy' | 'restart';
  onCrash?: 'destroy' | 'restart';
  /** Raw XML put inside <devices> after the disk and serial. */
  devices?: string;
  /** The kernel path, when not the backend's (failure tests). */
  kernel?: string;
  /** The emulator, when not the backend's. */
  emulator?: string;
  memoryMiB?: number;
  vcpus?: number;
  serial?: boolean;
  title?: string;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');
}

/** A domain for the backend: its kernel, its rootfs read-only (several VMs may share it). */
export function domainXml(backend: Backend, options: DomainOptions): string {
  return [
    "<domain type='firecracker'>",
    `  <name>${escape(options.name)}</name>`,
    ...(options.uuid === undefined ? [] : [`  <uuid>${options.uuid}</uuid>`]),
    ...(options.title === undefined ? [] : [`  <title>${escape(options.title)}</title>`]),
    `  <memory unit='MiB'>${options.memoryMiB ?? 128}</memory>`,
    `  <vcpu>${options.vcpus ?? 1}</vcpu>`,
    '  <os>',
    "    <type arch='x86_64'>hvm</type>",
    `    <kernel>${escape(options.kernel ?? backend.kernel)}</kernel>`,
    `    <cmdline>${escape(backend.cmdline(options.cmdline))}</cmdline>`,
    '  </os>',
    `  <on_poweroff>${options.onPoweroff ?? 'destroy'}</on_poweroff>`,
    `  <on_reboot>${options.onReboot ?? 'restart'}</on_reboot>`,
    `  <on_crash>${options.onCrash ?? 'destroy'}</on_crash>`,
    '  <devices>',
    `    <emulator>${escape(options.emulator ?? backend.emulator)}</emulator>`,
    "    <disk type='file' device='disk'>",
    `      <source file='${escape(backend.rootfs)}'/>`,
    "      <target dev='vda' bus='virtio'/>",
    '      <readonly/>',
    '    </disk>',
    ...(options.serial === false ? [] : ["    <serial type='pty'>", "      <target port='0'/>", '    </serial>']),
    ...(options.devices === undefined ? [] : [options.devices]),
    '  </devices>',
    '</domain>',
    '',
  ].join('\n');
}
