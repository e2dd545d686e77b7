import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { testData } from '../helpers/paths.js';

interface Run { code: number; stdout: string; stderr: string }

async function fcvirt(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (text) => { stdout += text; }, stderr: (text) => { stderr += text; } }, {});
  return { code, stdout, stderr };
}

const seed = testData('xml2plan', 'seed-example.xml');

test('plan prints only the JSON array of requests, for Firecracker 1.16.1 by default', async () => {
  const run = await fcvirt('plan', seed);
  assert.equal(run.code, 0);
  assert.equal(run.stderr, '');
  const plan = JSON.parse(run.stdout) as { method: string; path: string; body: Record<string, unknown> }[];
  assert.ok(Array.isArray(plan));
  assert.deepEqual(plan.map((request) => request.path), [
    '/machine-config', '/boot-source', '/drives/vda',
    '/network-interfaces/eth0', '/network-interfaces/eth1', '/actions',
  ]);
  const [machineConfig] = plan;
  assert.ok(machineConfig !== undefined);
  assert.deepEqual(Object.keys(machineConfig), ['method', 'path', 'body']);
  assert.deepEqual(machineConfig.body, { vcpu_count: 4, mem_size_mib: 1024, smt: false });
});

test('plan --firecracker-version picks the dialect, in both option spellings', async () => {
  for (const argv of [['plan', seed, '--firecracker-version', '0.25.2'], ['plan', '--firecracker-version=v0.25.2', seed]]) {
    const run = await fcvirt(...argv);
    assert.equal(run.code, 0, run.stderr);
    const plan = JSON.parse(run.stdout) as { path: string; body: Record<string, unknown> }[];
    assert.deepEqual(plan.find((request) => request.path === '/machine-config')?.body, { vcpu_count: 4, mem_size_mib: 1024, ht_enabled: false });
  }
});

test('plan refuses as validate does: exit 1, `error: …` on stderr, nothing on stdout', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'fcvirt-plan-'));
  try {
    const rng = path.join(directory, 'rng.xml');
    writeFileSync(rng, "<domain type='firecracker'><name>r</name><memory>131072</memory><vcpu>1</vcpu>" +
      "<os><type>hvm</type><kernel>/k</kernel></os><devices><rng model='virtio'><backend model='builtin'/></rng></devices></domain>");
    const cases: [string[], string][] = [
      [['plan', rng, '--firecracker-version', '1.3.3'], 'error: unsupported configuration: <rng> needs Firecracker ≥ 1.4.0, found 1.3.3\n'],
      [['plan', rng, '--firecracker-version', '2.0.0'],
        'error: unsupported configuration: Firecracker 2.0.0 is not supported: fcvirt supports Firecracker ≥ 0.25.0 and < 2.0.0\n'],
      [['plan', rng, '--firecracker-version', 'latest'],
        "error: invalid argument: invalid Firecracker version 'latest': expected X.Y.Z, e.g. 1.16.1\n"],
      [['plan', rng, '--firecracker-version'], 'error: expected syntax: --firecracker-version <X.Y.Z>\n'],
      [['plan', path.join(directory, 'missing.xml')], `error: Failed to open file '${path.join(directory, 'missing.xml')}': No such file or directory\n`],
      [['plan'], "error: command 'plan' requires <file> option\n"],
      [['plan', rng, 'other.xml'], "error: unexpected data 'other.xml'\n"],
      [['plan', '--pretty', rng], "error: command 'plan' doesn't support option --pretty\n"],
    ];
    for (const [argv, stderr] of cases) {
      const run = await fcvirt(...argv);
      assert.deepEqual(run, { code: 1, stdout: '', stderr }, argv.join(' '));
    }
    const malformed = path.join(directory, 'bad.xml');
    writeFileSync(malformed, '<domain type="firecracker">\n<name>x</name>\n');
    const run = await fcvirt('plan', malformed);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^error: XML error: .*line \d+/);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('plan is listed in fcvirt help', async () => {
  const run = await fcvirt('help');
  assert.match(run.stdout, /plan FILE \[--firecracker-version X\.Y\.Z\]\s+print the Firecracker API requests a domain XML becomes/);
});
