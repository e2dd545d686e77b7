// The whole path a domain takes before Firecracker sees it — parse, validate, format and plan
// the seed's example — against saxes parsing the same text with no handlers: how much the
// domain layer and the plan cost on top of reading the XML at all.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SaxesParser } from 'saxes';
import { formatDomainXML, parseDomainXML } from '../src/conf/index.js';
import { planPaths, systemLayout } from '../src/driver/paths.js';
import { buildPlan, withPlanDefaults } from '../src/firecracker/plan/index.js';
import { NEWEST_KNOWN_VERSION } from '../src/firecracker/version.js';
import type { Benchmark } from './harness.js';

// Runs from dist/bench/; the example stays in the repository's test data.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const xml = readFileSync(path.join(repoRoot, 'test', 'data', 'xml2plan', 'seed-example.xml'), 'utf8');
const layout = systemLayout();

export const benchmark: Benchmark = {
  name: 'seed example: parse + validate + format + plan vs. saxes bare parse',
  baseline: {
    name: 'saxes parse (default options, no handlers)',
    run: () => new SaxesParser().write(xml).close(),
  },
  subject: {
    name: 'parseDomainXML + formatDomainXML + buildPlan',
    run: () => {
      const def = parseDomainXML(xml, { validate: true });
      const formatted = formatDomainXML(def);
      const planned = withPlanDefaults(def);
      return [formatted, buildPlan(planned, NEWEST_KNOWN_VERSION, planPaths(layout, planned))];
    },
  },
  targetRatio: 1 / 3,
};
