// Natural order of <guest dev> names, which decides the order interfaces attach in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareNatural } from '../../../src/firecracker/plan/device-order.js';
import { seededRandom } from '../../conf/fixed-random.js';

// The definition, spelled out: cut both names into runs of digits and of non-digits; compare
// run by run, digit runs as numbers (leading zeros aside, the longer is the larger), others
// by code unit; all equal, fewer runs first, then the names by code unit.
function reference(a: string, b: string): number {
  const text = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  const runsA = a.match(/\d+|\D+/g) ?? [];
  const runsB = b.match(/\d+|\D+/g) ?? [];
  for (let index = 0; index < Math.min(runsA.length, runsB.length); index++) {
    const runA = runsA[index] ?? '';
    const runB = runsB[index] ?? '';
    const order = /^\d/.test(runA) && /^\d/.test(runB)
      ? (() => {
          const x = runA.replace(/^0+(?=\d)/, '');
          const y = runB.replace(/^0+(?=\d)/, '');
          return x.length - y.length || text(x, y);
        })()
      : text(runA, runB);
    if (order !== 0) return order;
  }
  return runsA.length - runsB.length || text(a, b);
}

test('natural order: digit runs as numbers, then fewer runs, then code units', () => {
  // 1a before 007: 1 < 7 decides at the first run; a01 before a1: equal runs, then code units.
  const ordered = ['', '0', '00', '1a', '007', '7', '9', '10', 'a', 'a01', 'a1', 'a1b', 'a2', 'a10', 'ab', 'eth', 'eth0', 'eth1',
    'eth02', 'eth2', 'eth10', 'eth99999999999999999999', 'eth100000000000000000000', 'éth1'];
  const sorted = [...ordered].reverse().sort(compareNatural);
  assert.deepEqual(sorted, ordered);
});

test('natural order agrees with its definition, value for value, on generated names', () => {
  const random = seededRandom(7);
  const alphabet = ['0', '0', '1', '2', '9', 'a', 'b', 'e', 't', 'h', '.', '-', 'é', '\u{1F600}'];
  const name = (): string => {
    let out = '';
    const length = Math.floor(random() * 7);
    for (let index = 0; index < length; index++) out += alphabet[Math.floor(random() * alphabet.length)] ?? '';
    return out;
  };
  for (let round = 0; round < 5000; round++) {
    const a = name();
    const b = random() < 0.2 ? a : name();
    assert.equal(compareNatural(a, b), reference(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
});
