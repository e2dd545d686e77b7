// Golden files like libvirt's qemuxml2argvtest: test/data/xml2plan/NAME.xml planned for
// Firecracker 0.25.2 → NAME.v0.25.json and for 1.16.1 → NAME.v1.json; a refusal is
// NAME.v0.25.err / NAME.v1.err (the message). FCVIRT_REGENERATE=1 rewrites them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isVirError } from '../../src/errors.js';
import { planDomainXML } from '../../src/cli/commands/plan.js';
import type { PlanRequest } from '../../src/firecracker/plan/index.js';
import { regenerate, testData } from '../helpers/paths.js';
import { version } from './helpers/domain.js';
import { schemaViolations, schemaV0_25_2, schemaV1_16_1, type ApiSchema } from './helpers/api-schema.js';

const directory = testData('xml2plan');
const variants: { suffix: string; version: string; schema: ApiSchema }[] = [
  { suffix: 'v0.25', version: '0.25.2', schema: schemaV0_25_2 },
  { suffix: 'v1', version: '1.16.1', schema: schemaV1_16_1 },
];
const names = readdirSync(directory).filter((file) => file.endsWith('.xml')).map((file) => file.slice(0, -'.xml'.length)).sort();

// Generated MACs (and UUIDs) must not change between runs, and must differ within a domain:
// a fresh deterministic byte stream per parse.
function seededRandomBytes(): (length: number) => Uint8Array {
  let state = 11;
  return (length) => Uint8Array.from({ length }, () => (state = (state * 37 + 101) % 257) % 256);
}

function outcome(xml: string, versionText: string): { extension: 'json' | 'err'; text: string } {
  try {
    return { extension: 'json', text: `${JSON.stringify(planDomainXML(xml, version(versionText), { randomBytes: seededRandomBytes() }), null, 2)}\n` };
  } catch (error) {
    if (!isVirError(error)) throw error;
    return { extension: 'err', text: `${error.message}\n` };
  }
}

for (const name of names) {
  for (const variant of variants) {
    test(`xml2plan ${name} with Firecracker ${variant.version}`, () => {
      const xml = readFileSync(path.join(directory, `${name}.xml`), 'utf8');
      const { extension, text } = outcome(xml, variant.version);
      const expectedFile = path.join(directory, `${name}.${variant.suffix}.${extension}`);
      const otherFile = path.join(directory, `${name}.${variant.suffix}.${extension === 'json' ? 'err' : 'json'}`);
      if (regenerate) {
        writeFileSync(expectedFile, text);
        rmSync(otherFile, { force: true });
        return;
      }
      assert.ok(!existsSync(otherFile), `${path.basename(otherFile)} exists, but the outcome is ${extension}`);
      assert.ok(existsSync(expectedFile), `${path.basename(expectedFile)} is missing (FCVIRT_REGENERATE=1 writes it)`);
      assert.equal(text, readFileSync(expectedFile, 'utf8'));
    });
  }
}

test('every golden plan holds only fields its Firecracker version accepts', () => {
  let checked = 0;
  for (const name of names) {
    for (const variant of variants) {
      const file = path.join(directory, `${name}.${variant.suffix}.json`);
      if (!existsSync(file)) continue;
      const plan = JSON.parse(readFileSync(file, 'utf8')) as PlanRequest[];
      assert.deepEqual(plan.flatMap((request) => schemaViolations(variant.schema, request)), [], path.basename(file));
      checked++;
    }
  }
  assert.ok(checked >= names.length, `only ${checked} golden plans`);
});

test('every golden file belongs to an input', () => {
  const outputs = readdirSync(directory).filter((file) => /\.(json|err)$/.test(file));
  for (const file of outputs) {
    const match = /^(.*)\.(v0\.25|v1)\.(json|err)$/.exec(file);
    assert.ok(match !== null && names.includes(match[1] ?? ''), `${file} has no input`);
  }
});
