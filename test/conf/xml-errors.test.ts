// Whole documents that must be refused: NAME.xml → NAME.err ("CODE: message").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { VirError } from '../../src/errors.js';
import { parseDomainXML } from '../../src/conf/index.js';
import { regenerate, testData } from '../helpers/paths.js';
import { fixedRandomBytes } from './fixed-random.js';

const dir = testData('xml-errors');

for (const file of readdirSync(dir).filter((name) => name.endsWith('.xml')).sort()) {
  test(`xml-errors ${file}`, () => {
    const xml = readFileSync(path.join(dir, file), 'utf8');
    let error: unknown;
    try {
      parseDomainXML(xml, { randomBytes: fixedRandomBytes() });
    } catch (caught) {
      error = caught;
    }
    assert.ok(error instanceof VirError, `${file} must be refused with a VirError`);
    const actual = `${String(error.codeName)}: ${error.message}\n`;
    const golden = path.join(dir, file.replace(/\.xml$/, '.err'));
    if (regenerate) {
      writeFileSync(golden, actual);
      return;
    }
    assert.ok(existsSync(golden), `${path.basename(golden)} is missing: run with FCVIRT_REGENERATE=1 and review it`);
    assert.equal(actual, readFileSync(golden, 'utf8'));
  });
}

test('the seed disk fragment fails on its unclosed <disk>, naming the line', () => {
  const xml = readFileSync(path.join(dir, 'seed-disk-fragment.xml'), 'utf8');
  assert.throws(() => parseDomainXML(xml), {
    name: 'VirError',
    message: 'XML error: malformed XML at line 5, column 1: unclosed tag: disk',
  });
});
