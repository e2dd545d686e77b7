import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  checkSupportedVersion, compareVersions, formatVersion, parseVersionOutput, parseVmmVersion, tryParseVersion,
} from '../../src/firecracker/version.js';
import { testData } from '../helpers/paths.js';
import { assertVirError } from './helpers/assertions.js';

interface CliRecord { binary: string; argv: string[]; stdout: string }
interface GetRootRecord { binary: string; request: 'GET /'; body: { vmm_version: string } }
type Recorded = CliRecord | GetRootRecord;

const recorded = JSON.parse(readFileSync(testData('firecracker-version', 'recorded.json'), 'utf8')) as Recorded[];

test('every recorded `firecracker --version` output parses to its binary\'s version', () => {
  const runs = recorded.filter((record): record is CliRecord => 'argv' in record);
  assert.equal(runs.length, 9);
  for (const run of runs) {
    assert.equal(`v${formatVersion(parseVersionOutput(run.stdout))}`, run.binary, JSON.stringify(run.stdout));
  }
});

test('every recorded GET / vmm_version parses to its binary\'s version', () => {
  const answers = recorded.filter((record): record is GetRootRecord => 'request' in record);
  assert.equal(answers.length, 3);
  for (const answer of answers) assert.equal(`v${formatVersion(parseVmmVersion(answer.body.vmm_version))}`, answer.binary);
});

test('only the first non-empty line of --version output counts', () => {
  assert.deepEqual(parseVersionOutput('\nFirecracker v1.7.0\nFirecracker v9.9.9\n'), { major: 1, minor: 7, patch: 0 });
  assert.deepEqual(parseVersionOutput('Firecracker v1.8.0-dev\n'), { major: 1, minor: 8, patch: 0, prerelease: 'dev' });
});

test('versions order numerically, not as text', () => {
  const sorted = ['1.10.0', '0.25.2', '1.9.1', '1.2.0', '0.25.10'].map((text) => tryParseVersion(text))
    .map((version) => version ?? assert.fail('unparsed'))
    .sort(compareVersions).map((version) => formatVersion(version));
  assert.deepEqual(sorted, ['0.25.2', '0.25.10', '1.2.0', '1.9.1', '1.10.0']);
});

test('the supported range is ≥ 0.25.0 and < 2.0.0', () => {
  for (const text of ['0.25.0', '0.25.2', '1.0.0', '1.16.1', '1.99.99']) {
    assert.equal(formatVersion(checkSupportedVersion(tryParseVersion(text) ?? assert.fail(text))), text);
  }
  const refusals: [string, string][] = [
    ['Firecracker v0.24.6\n', '0.24.6'],
    ['Firecracker v2.0.0\n', '2.0.0'],
    ['Firecracker v2.0.0-dev\n', '2.0.0-dev'],
    ['Firecracker v0.9.0\n', '0.9.0'],
  ];
  for (const [output, found] of refusals) {
    assertVirError(() => parseVersionOutput(output), 'VIR_ERR_CONFIG_UNSUPPORTED',
      `unsupported configuration: Firecracker ${found} is not supported: fcvirt supports Firecracker ≥ 0.25.0 and < 2.0.0`);
  }
  assertVirError(() => parseVmmVersion('3.1.0'), 'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: Firecracker 3.1.0 is not supported: fcvirt supports Firecracker ≥ 0.25.0 and < 2.0.0');
});

test('unparseable output is refused, quoting a bounded, single-line piece of it', () => {
  assertVirError(() => parseVersionOutput('firecracker: command not found\n'), 'VIR_ERR_INTERNAL_ERROR',
    "internal error: cannot parse the Firecracker version in the output of firecracker --version: 'firecracker: command not found\\n'");
  assertVirError(() => parseVersionOutput(''), 'VIR_ERR_INTERNAL_ERROR',
    "internal error: cannot parse the Firecracker version in the output of firecracker --version: ''");
  assertVirError(() => parseVersionOutput('Firecracker v1.2\n'), 'VIR_ERR_INTERNAL_ERROR',
    "internal error: cannot parse the Firecracker version in the output of firecracker --version: 'Firecracker v1.2\\n'");
  assertVirError(() => parseVmmVersion('one.two'), 'VIR_ERR_INTERNAL_ERROR',
    "internal error: cannot parse the Firecracker version in the output of the vmm_version of GET /: 'one.two'");
  const long = `\x1b[31m${'x'.repeat(500)}`;
  assertVirError(() => parseVersionOutput(long), 'VIR_ERR_INTERNAL_ERROR',
    `internal error: cannot parse the Firecracker version in the output of firecracker --version: '\\x1b[31m${'x'.repeat(75)}…'`);
});
