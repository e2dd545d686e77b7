// Thousands of random edits of the golden inputs: parsing never throws anything but a VirError
// (and never one wrapping an unexpected failure), and whatever parses formats to a fixpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { VirError } from '../../src/errors.js';
import { formatDomainXML, parseDomainXML } from '../../src/conf/index.js';
import { fixedRandomBytes, seededRandom } from './fixed-random.js';
import { goldenInputs, xml2xmlDir } from './golden-inputs.js';

const MUTANTS = 8000;
const SEED = 20240611;

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];
const position = (random: Random, text: string): number => Math.floor(random() * (text.length + 1));

const characters = Array.from(`<>/='"&;: \n\t!?[]-_.#x0129abvd\u00e9\u0085\u2028`);
const values = ['', '0', '1', '-1', '3', '33', '99999999999999999999', 'virtio', 'vda', 'vd', 'pty', 'none', 'yes', 'x/../y',
  'relative', '52:54:00:00:00:01', '01:00:00:00:00:00', 'V1', 'KiB', 'EiB', '169.254.169.254', 'eth0', '&amp;', '&lt;x&gt;'];

interface Span { start: number; end: number }

function spans(text: string, pattern: RegExp): Span[] {
  return [...text.matchAll(pattern)].map((match) => ({ start: match.index, end: match.index + match[0].length }));
}

const tagPattern = /<[^<>]*>/g;
const attributePattern = / [\w:.-]+=(?:'[^']*'|"[^"]*")/g;
const valuePattern = /(?<==)(?:'[^']*'|"[^"]*")/g;
const textPattern = /(?<=>)[^<>]+(?=<)/g;

/** One random edit: characters, tags, attributes, values, text, or a truncation. */
function mutate(text: string, random: Random): string {
  const kind = Math.floor(random() * 12);
  const at = position(random, text);
  switch (kind) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1);
    case 1:
      return text.slice(0, at) + (pick(random, characters) ?? '') + text.slice(at);
    case 2:
      return text.slice(0, at) + text.slice(at, at + 1) + text.slice(at);
    case 3:
      return text.slice(0, at);
    default:
      break;
  }
  const tags = spans(text, tagPattern);
  const attributes = spans(text, attributePattern);
  const valueSpans = spans(text, valuePattern);
  const texts = spans(text, textPattern);
  const cut = (span: Span | undefined): string => (span === undefined ? text : text.slice(0, span.start) + text.slice(span.end));
  const copyAfter = (span: Span | undefined): string =>
    span === undefined ? text : text.slice(0, span.end) + text.slice(span.start, span.end) + text.slice(span.end);
  switch (kind) {
    case 4:
      return cut(pick(random, tags));
    case 5:
      return copyAfter(pick(random, tags));
    case 6:
      return cut(pick(random, attributes));
    case 7:
      return copyAfter(pick(random, attributes));
    case 8: {
      const span = pick(random, valueSpans);
      return span === undefined ? text : `${text.slice(0, span.start)}'${pick(random, values) ?? ''}'${text.slice(span.end)}`;
    }
    case 9: {
      const span = pick(random, texts);
      return span === undefined ? text : text.slice(0, span.start) + (pick(random, values) ?? '') + text.slice(span.end);
    }
    case 10: {
      // Swap two attribute values (or two texts) with each other.
      const pool = random() < 0.5 ? valueSpans : texts;
      const [first, second] = [pick(random, pool), pick(random, pool)].sort((a, b) => (a?.start ?? 0) - (b?.start ?? 0));
      if (first === undefined || second === undefined || first.end > second.start) return text;
      return text.slice(0, first.start) + text.slice(second.start, second.end) + text.slice(first.end, second.start) +
        text.slice(first.start, first.end) + text.slice(second.end);
    }
    default: {
      // Move a tag elsewhere.
      const span = pick(random, tags);
      if (span === undefined) return text;
      const tag = text.slice(span.start, span.end);
      const rest = cut(span);
      const to = position(random, rest);
      return rest.slice(0, to) + tag + rest.slice(to);
    }
  }
}

test(`${String(MUTANTS)} mutants of the golden inputs never throw anything but a VirError, and format to a fixpoint`, () => {
  const inputs = goldenInputs().map((name) => readFileSync(path.join(xml2xmlDir, `${name}.xml`), 'utf8'));
  const random = seededRandom(SEED);
  const codes = new Map<string, number>();
  let parsed = 0;
  for (let index = 0; index < MUTANTS; index++) {
    let xml = pick(random, inputs) ?? '';
    const edits = 1 + Math.floor(random() * 3);
    for (let edit = 0; edit < edits; edit++) xml = mutate(xml, random);
    let def;
    try {
      def = parseDomainXML(xml, { randomBytes: fixedRandomBytes(index) });
    } catch (error) {
      if (!(error instanceof VirError) || error.cause !== undefined || error.codeName === 'VIR_ERR_INTERNAL_ERROR') {
        assert.fail(`mutant ${String(index)} threw ${String(error)}\n--- mutant ---\n${xml}`);
      }
      codes.set(String(error.codeName), (codes.get(String(error.codeName)) ?? 0) + 1);
      continue;
    }
    parsed++;
    const formatted = formatDomainXML(def);
    let reparsed;
    try {
      reparsed = parseDomainXML(formatted, { randomBytes: fixedRandomBytes(index) });
    } catch (error) {
      assert.fail(`the formatted form of mutant ${String(index)} does not parse: ${String(error)}\n--- mutant ---\n${xml}\n--- formatted ---\n${formatted}`);
    }
    assert.equal(formatDomainXML(reparsed), formatted, `mutant ${String(index)} does not format to a fixpoint\n--- mutant ---\n${xml}`);
    const live = formatDomainXML(def, { live: true });
    assert.equal(formatDomainXML(parseDomainXML(live), { live: true }), live, `live form of mutant ${String(index)}`);
  }
  // The edits must exercise both paths: many mutants parse, many are refused for many reasons.
  assert.ok(parsed > MUTANTS / 20, `only ${String(parsed)} mutants parsed`);
  assert.ok(codes.size >= 6, `refusals used only ${[...codes.keys()].join(', ')}`);
});
