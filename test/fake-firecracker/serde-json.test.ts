// The double's serde_json look-alike: messages and "line L column C" positions as serde_json
// (SliceRead, byte columns) and serde-derive produce them. The trace replay pins the cases
// the real binaries showed; these pin the rules behind them, read from serde_json's source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonNumber, formatF64, sortedValue, toJson } from './serde-json.js';
import { bool, dflt, opt, req, str, struct, tryDeserialize, u8, u32, unitEnum, usize, vec, type Schema } from './serde-schema.js';

const vm: Schema = struct('VmConfig', [req('vcpu_count', u8), req('mem_size_mib', usize), dflt('smt', bool, false), opt('cpu_template', unitEnum('C3', 'T2'))]);

function error(schema: Schema, body: string): string {
  const r = tryDeserialize(Buffer.from(body), schema);
  if (r.ok) assert.fail(`expected an error for ${body}`);
  return r.error;
}

test('syntax errors point at the byte looked at', () => {
  assert.equal(error(vm, '{not json'), 'key must be a string at line 1 column 2');
  assert.equal(error(vm, ' '), 'EOF while parsing a value at line 1 column 1');
  assert.equal(error(vm, '{"vcpu_count": 1,}'), 'trailing comma at line 1 column 18');
  assert.equal(error(vm, '{"vcpu_count" 1}'), 'expected `:` at line 1 column 15');
  assert.equal(error(vm, '{"vcpu_count": 1, "mem_size_mib": 2} x'), 'trailing characters at line 1 column 38');
  assert.equal(error(vm, '{"vcpu_count": 1 "mem_size_mib": 2}'), 'expected `,` or `}` at line 1 column 18');
  assert.equal(error(vm, '{\n  "vcpu_count": tru'), 'EOF while parsing a value at line 2 column 19');
  assert.equal(error(vm, '{"vcpu_count": trux}'), 'expected ident at line 1 column 19');
});

test('values of the wrong type are consumed, then reported', () => {
  assert.equal(error(vm, '{"vcpu_count": "2"}'), 'invalid type: string "2", expected u8 at line 1 column 18');
  assert.equal(error(vm, '{"vcpu_count": 1.5}'), 'invalid type: floating point `1.5`, expected u8 at line 1 column 18');
  assert.equal(error(vm, '{"vcpu_count": 300}'), 'invalid value: integer `300`, expected u8 at line 1 column 18');
  assert.equal(error(vm, '{"vcpu_count": -1}'), 'invalid value: integer `-1`, expected u8 at line 1 column 17');
  assert.equal(error(vm, '{"vcpu_count": 1, "mem_size_mib": 2, "smt": "no"}'), 'invalid type: string "no", expected a boolean at line 1 column 48');
  assert.equal(error(vm, '[1, 2, 3, 4, 5]'), 'invalid type: integer `3`, expected a boolean at line 1 column 8');
  assert.equal(error(vm, '7'), 'invalid type: integer `7`, expected struct VmConfig at line 1 column 1');
  assert.equal(error(vm, '{"vcpu_count": 1, "mem_size_mib": 2, "cpu_template": 5}'), 'expected value at line 1 column 54');
});

test('struct-level errors are placed after the struct tried to close', () => {
  assert.equal(error(vm, '{"vcpu_count": 1}'), 'missing field `mem_size_mib` at line 1 column 17');
  assert.equal(error(vm, '{"vcpu_count": 1, "vcpu_count": 2}'), 'duplicate field `vcpu_count` at line 1 column 30');
  assert.equal(error(vm, '{"mem": 1}'), 'unknown field `mem`, expected one of `vcpu_count`, `mem_size_mib`, `smt`, `cpu_template` at line 1 column 6');
  assert.equal(error(vm, '{"vcpu_count": 1, "mem_size_mib": 2, "cpu_template": "C4"}'), 'unknown variant `C4`, expected `C3` or `T2` at line 1 column 57');
  assert.equal(error(struct('One', [req('only', u32)]), '{"other": 1}'), 'unknown field `other`, expected `only` at line 1 column 8');
});

test('a struct given as an array takes its fields in order; only #[serde(default)] ones may be missing', () => {
  const r = tryDeserialize(Buffer.from('[2, 256, true, "T2"]'), vm);
  assert.deepEqual(r, { ok: true, value: { vcpu_count: 2, mem_size_mib: 256n, smt: true, cpu_template: 'T2' } });
  assert.equal(error(vm, '[2]'), 'invalid length 1, expected struct VmConfig with 4 elements at line 1 column 3');
  assert.equal(error(vm, '[2, 256]'), 'invalid length 3, expected struct VmConfig with 4 elements at line 1 column 8');
  assert.equal(error(vm, '[2, 256, true, "T2", 5]'), 'trailing characters at line 1 column 22');
});

test('strings: escapes and control characters', () => {
  const s = struct('S', [req('v', str)]);
  assert.deepEqual(tryDeserialize(Buffer.from('{"v": "a\\u00e9\\n"}'), s), { ok: true, value: { v: 'a\u00e9\n' } });
  assert.equal(error(s, '{"v": "a\\qb"}'), 'invalid escape at line 1 column 10');
  assert.equal(error(s, '{"v": "a\nb"}'), 'control character (\\u0000-\\u001F) found while parsing a string at line 2 column 0');
  assert.equal(error(s, '{"v": "abc'), 'EOF while parsing a string at line 1 column 10');
  assert.equal(error(struct('L', [req('v', vec(u8))]), '{"v": [1, 2,]}'), 'trailing comma at line 1 column 13');
});

test('numbers are written back the way serde_json writes them', () => {
  assert.equal(formatF64(1), '1.0');
  assert.equal(formatF64(0.5), '0.5');
  assert.equal(formatF64(1e21), '1e21');
  assert.equal(formatF64(1.5e-7), '1.5e-7');
  assert.equal(formatF64(123456.789), '123456.789');
  assert.equal(toJson({ a: [1, true, null, 'x"y'], b: new JsonNumber('f64', '2.0'), c: 5n }), '{"a":[1,true,null,"x\\"y"],"b":2.0,"c":5}');
  assert.equal(toJson(sortedValue({ b: 1 as unknown as JsonNumber, a: { d: null, c: 'x' } })), '{"a":{"c":"x","d":null},"b":1}');
});
