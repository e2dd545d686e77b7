// Emulator scripts made for one test: the double pinned to a Firecracker version, a stand-in
// that dies during configuration, one that prints a version fcvirt does not support.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fakeFirecracker } from './fc-backend.js';
import { repoRoot } from './paths.js';

async function script(directory: string, name: string, body: string): Promise<string> {
  const file = path.join(directory, name);
  await fs.writeFile(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

/** The test double as Firecracker `version` (0.25.2, 1.3.3 or 1.16.1). */
export function fakeWithVersion(directory: string, version: string): Promise<string> {
  return script(directory, `firecracker-${version}`, `FCVIRT_FAKE_FIRECRACKER_VERSION=${version} exec '${fakeFirecracker}' "$@"`);
}

export function dyingFirecracker(directory: string): Promise<string> {
  return script(directory, 'firecracker-dying', `exec '${process.execPath}' '${path.join(repoRoot, 'dist', 'test', 'helpers', 'dying-firecracker.js')}' "$@"`);
}

export function unsupportedFirecracker(directory: string, version: string): Promise<string> {
  return script(directory, `firecracker-v${version}`, `echo 'Firecracker v${version}'; echo; exit 0`);
}

/** The test double, held before it starts until the test creates `gate`: a start in progress that then succeeds. */
export function heldFirecracker(directory: string, gate: string): Promise<string> {
  return script(directory, 'firecracker-held', [
    `if [ "$1" = --version ]; then exec '${fakeFirecracker}' "$@"; fi`,
    `while [ ! -e '${gate}' ]; do sleep 0.02; done`,
    `exec '${fakeFirecracker}' "$@"`,
  ].join('\n'));
}

/**
 * A stand-in that never listens on its API socket until the test creates `gate`, then exits 1:
 * a start that is held in progress for as long as the test needs.
 */
export function gatedFirecracker(directory: string, gate: string): Promise<string> {
  return script(directory, 'firecracker-gated', [
    `if [ "$1" = --version ]; then echo 'Firecracker v1.16.1'; exit 0; fi`,
    `while [ ! -e '${gate}' ]; do sleep 0.02; done`,
    `echo 'released by the test' >&2`,
    'exit 1',
  ].join('\n'));
}
