// The package's own entry point: `import … from 'fcvirt'` reaches the pure API (resolved through
// package.json's "exports", as a user of the package resolves it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  NEWEST_KNOWN_VERSION,
  VirError,
  buildPlan,
  formatDomainXML,
  formatVersion,
  parseDomainXML,
  parseVersionOutput,
  parseVmmVersion,
  tryParseVersion,
  validateDomainDef,
  withPlanDefaults,
} from 'fcvirt';
import * as conf from '../src/conf/index.js';
import * as plan from '../src/firecracker/plan/index.js';
import * as version from '../src/firecracker/version.js';
import { fixedRandomBytes } from './conf/fixed-random.js';
import { testData } from './helpers/paths.js';

test("'fcvirt' exports the same functions as the modules that define them", () => {
  assert.equal(parseDomainXML, conf.parseDomainXML);
  assert.equal(formatDomainXML, conf.formatDomainXML);
  assert.equal(validateDomainDef, conf.validateDomainDef);
  assert.equal(buildPlan, plan.buildPlan);
  assert.equal(withPlanDefaults, plan.withPlanDefaults);
  assert.equal(tryParseVersion, version.tryParseVersion);
  assert.equal(parseVersionOutput, version.parseVersionOutput);
  assert.equal(parseVmmVersion, version.parseVmmVersion);
});

test("the seed example goes from XML to a plan through 'fcvirt' alone", () => {
  const xml = readFileSync(testData('xml2plan', 'seed-example.xml'), 'utf8');
  const def = parseDomainXML(xml, { randomBytes: fixedRandomBytes() });
  validateDomainDef(def);
  assert.equal(def.name, 'demo_domain');
  assert.match(formatDomainXML(def), /^<domain type='firecracker'>\n {2}<name>demo_domain<\/name>\n/);
  const firecracker = parseVersionOutput('Firecracker v1.16.1\n');
  assert.equal(formatVersion(firecracker), formatVersion(NEWEST_KNOWN_VERSION));
  const planned = withPlanDefaults(def);
  const requests = buildPlan(planned, firecracker, {});
  assert.equal(requests.at(-1)?.path, '/actions');
  assert.deepEqual(requests.find((request) => request.path === '/machine-config')?.body, { vcpu_count: 4, mem_size_mib: 1024, smt: false });
});

test("errors from 'fcvirt' are its VirError", () => {
  assert.throws(() => parseVmmVersion('2.0.0'), VirError);
  assert.throws(() => parseDomainXML('<domain'), VirError);
  assert.equal(tryParseVersion('not a version'), undefined);
});
