import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FCVIRT_VERSION, FCVIRT_VERSION_NUMBER } from '../src/version.js';
import { testData } from './helpers/paths.js';

test('fcvirt\'s version is package.json\'s, in libvirt\'s number encoding too', () => {
  const pkg = JSON.parse(readFileSync(testData('..', '..', 'package.json'), 'utf8')) as { version: string };
  assert.equal(FCVIRT_VERSION, pkg.version);
  const [major = 0, minor = 0, micro = 0] = pkg.version.split('.').map(Number);
  assert.equal(FCVIRT_VERSION_NUMBER, major * 1_000_000 + minor * 1_000 + micro);
});
