// Schemas for Firecracker's request bodies and the serde-derive behaviour that reads them:
// field order, `deny_unknown_fields`, `#[serde(default)]`, Option fields, unit enums, and
// the exact texts of serde's errors ("unknown field `x`, expected one of ...").
import { JsonReader, SerdeError, asSerde, describeNumber, type JsonValue } from './serde-json.js';

export type UintType = 'u8' | 'u16' | 'u32' | 'u64' | 'usize';

export type Schema =
  | { kind: 'uint'; rust: UintType }
  | { kind: 'bool' }
  | { kind: 'string'; expecting: string }
  | { kind: 'option'; of: Schema }
  | { kind: 'enum'; variants: readonly string[] }
  | { kind: 'vec'; of: Schema }
  | { kind: 'value' }
  | { kind: 'struct'; name: string; fields: readonly Field[]; denyUnknown: boolean }
  | { kind: 'checked'; of: Schema; check: (value: unknown) => string | undefined; immediate: boolean };

export interface Field {
  name: string;
  schema: Schema;
  /** required: serde's "missing field"; none: an Option left empty; default: the given value. */
  missing: 'required' | 'none' | 'default';
  defaultValue?: unknown;
}

const MAX: Record<UintType, bigint> = {
  u8: 0xffn,
  u16: 0xffffn,
  u32: 0xffffffffn,
  u64: 0xffffffffffffffffn,
  usize: 0xffffffffffffffffn,
};

// Schema constructors, so the endpoint tables read like the Rust structs.
export const u8: Schema = { kind: 'uint', rust: 'u8' };
export const u16: Schema = { kind: 'uint', rust: 'u16' };
export const u32: Schema = { kind: 'uint', rust: 'u32' };
export const u64: Schema = { kind: 'uint', rust: 'u64' };
export const usize: Schema = { kind: 'uint', rust: 'usize' };
export const bool: Schema = { kind: 'bool' };
export const str: Schema = { kind: 'string', expecting: 'a string' };
export const path: Schema = { kind: 'string', expecting: 'path string' };
export const value: Schema = { kind: 'value' };
export const option = (of: Schema): Schema => ({ kind: 'option', of });
export const vec = (of: Schema): Schema => ({ kind: 'vec', of });
export const unitEnum = (...variants: string[]): Schema => ({ kind: 'enum', variants });
/** A `deserialize_with` check: its error has no position of its own (the struct gives one). */
export const checked = (of: Schema, check: (v: unknown) => string | undefined): Schema => ({ kind: 'checked', of, check, immediate: false });
/** A check inside a visitor (as FromStr-based types do): positioned right after the value. */
export const checkedHere = (of: Schema, check: (v: unknown) => string | undefined): Schema => ({ kind: 'checked', of, check, immediate: true });

/** A required field. */
export const req = (name: string, schema: Schema): Field => ({ name, schema, missing: 'required' });
/** An `Option<T>` field: absent means None. */
export const opt = (name: string, schema: Schema): Field => ({ name, schema: option(schema), missing: 'none' });
/** A `#[serde(default)]` field. */
export const dflt = (name: string, schema: Schema, defaultValue: unknown): Field => ({ name, schema, missing: 'default', defaultValue });

export function struct(name: string, fields: Field[], denyUnknown = true): Schema {
  return { kind: 'struct', name, fields, denyUnknown };
}

/** serde's OneOf: "`a`", "`a` or `b`", "one of `a`, `b`, `c`". */
export function oneOf(names: readonly string[]): string {
  if (names.length === 1) return `\`${names[0] ?? ''}\``;
  if (names.length === 2) return `\`${names[0] ?? ''}\` or \`${names[1] ?? ''}\``;
  return `one of ${names.map((n) => `\`${n}\``).join(', ')}`;
}

export function unknownVariant(name: string, variants: readonly string[]): string {
  return variants.length === 0
    ? `unknown variant \`${name}\`, there are no variants`
    : `unknown variant \`${name}\`, expected ${oneOf(variants)}`;
}

export function unknownField(name: string, fields: readonly string[]): string {
  return fields.length === 0
    ? `unknown field \`${name}\`, there are no fields`
    : `unknown field \`${name}\`, expected ${oneOf(fields)}`;
}

/**
 * A visitor's own error (de::Error::custom). serde_json keeps a position already written
 * into the text, as when a positioned error is wrapped again.
 */
export function customError(text: string): SerdeError {
  const m = / at line (\d+) column (\d+)$/.exec(text);
  if (m?.[1] !== undefined && m[2] !== undefined) {
    return new SerdeError(text.slice(0, m.index), Number(m[1]), Number(m[2]));
  }
  return new SerdeError(text);
}

/** Deserialises a whole request body: the value, then nothing but whitespace. */
export function deserialize(bytes: Uint8Array, schema: Schema): unknown {
  const reader = new JsonReader(bytes);
  const result = read(reader, schema);
  reader.end();
  return result;
}

/** Like `deserialize` but returns serde_json's error text instead of throwing. */
export function tryDeserialize(bytes: Uint8Array, schema: Schema): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: deserialize(bytes, schema) };
  } catch (e) {
    return { ok: false, error: asSerde(e).toString() };
  }
}

export function read(r: JsonReader, schema: Schema): unknown {
  switch (schema.kind) {
    case 'uint':
      return readUint(r, schema.rust);
    case 'bool':
      return readBool(r);
    case 'string':
      return readString(r, schema.expecting);
    case 'option': {
      if (r.skipWhitespace() === 0x6e) {
        r.eat();
        r.parseIdent('ull');
        return null;
      }
      return read(r, schema.of);
    }
    case 'enum':
      return readEnum(r, schema.variants);
    case 'vec':
      return readVec(r, schema.of);
    case 'value':
      return r.parseValue();
    case 'struct':
      return readStruct(r, schema.name, schema.fields, schema.denyUnknown);
    case 'checked': {
      const v = read(r, schema.of);
      const problem = schema.check(v);
      if (problem === undefined) return v;
      const err = customError(problem);
      throw schema.immediate ? r.fix(err) : err;
    }
  }
}

function readUint(r: JsonReader, rust: UintType): number | bigint {
  const b = r.skipWhitespace();
  if (b === undefined) throw r.peekError('EOF while parsing a value');
  if (b !== 0x2d && !(b >= 0x30 && b <= 0x39)) throw r.invalidType(rust);
  const n = r.parseNumber();
  if (n.kind === 'f64') throw r.fix(new SerdeError(`invalid type: ${describeNumber(n)}, expected ${rust}`));
  const big = BigInt(n.text);
  if (big < 0n || big > MAX[rust]) throw r.fix(new SerdeError(`invalid value: ${describeNumber(n)}, expected ${rust}`));
  return rust === 'u64' || rust === 'usize' ? big : Number(big);
}

function readBool(r: JsonReader): boolean {
  const b = r.skipWhitespace();
  if (b === undefined) throw r.peekError('EOF while parsing a value');
  if (b === 0x74) {
    r.eat();
    r.parseIdent('rue');
    return true;
  }
  if (b === 0x66) {
    r.eat();
    r.parseIdent('alse');
    return false;
  }
  throw r.invalidType('a boolean');
}

function readString(r: JsonReader, expecting: string): string {
  const b = r.skipWhitespace();
  if (b === undefined) throw r.peekError('EOF while parsing a value');
  if (b !== 0x22) throw r.invalidType(expecting);
  r.eat();
  return r.parseStr();
}

function readEnum(r: JsonReader, variants: readonly string[]): string {
  const b = r.skipWhitespace();
  if (b === 0x22) {
    r.eat();
    const name = r.parseStr();
    if (!variants.includes(name)) throw r.fix(new SerdeError(unknownVariant(name, variants)));
    return name;
  }
  if (b === 0x7b) {
    // Externally tagged form {"Variant": null}; serde_json gives errors here no extra position.
    r.enter();
    r.eat();
    const name = readString(r, 'variant identifier');
    if (!variants.includes(name)) throw r.fix(new SerdeError(unknownVariant(name, variants)));
    r.parseColon();
    const v = r.skipWhitespace();
    if (v === 0x6e) {
      r.eat();
      r.parseIdent('ull');
    } else if (v === undefined) {
      throw r.peekError('EOF while parsing a value');
    } else {
      throw r.invalidType('unit variant');
    }
    r.leave();
    const close = r.skipWhitespace();
    if (close === 0x7d) {
      r.eat();
      return name;
    }
    throw r.error(close === undefined ? 'EOF while parsing an object' : 'expected value');
  }
  if (b === undefined) throw r.peekError('EOF while parsing a value');
  throw r.peekError('expected value');
}

function readVec(r: JsonReader, of: Schema): unknown[] {
  const b = r.skipWhitespace();
  if (b === undefined) throw r.peekError('EOF while parsing a value');
  if (b !== 0x5b) throw r.invalidType('a sequence');
  r.enter();
  r.eat();
  const items: unknown[] = [];
  let err: SerdeError | undefined;
  try {
    let first = true;
    while (r.nextElement(first)) {
      first = false;
      items.push(read(r, of));
    }
  } catch (e) {
    err = asSerde(e);
  }
  r.leave();
  const endErr = r.tryEnd(() => { r.endSeq(); });
  const failure = err ?? endErr;
  if (failure) throw r.fix(failure);
  return items;
}

function readStruct(r: JsonReader, name: string, fields: readonly Field[], denyUnknown: boolean): Record<string, unknown> {
  const b = r.skipWhitespace();
  if (b === undefined) throw r.peekError('EOF while parsing a value');
  if (b !== 0x7b && b !== 0x5b) throw r.invalidType(`struct ${name}`);
  r.enter();
  r.eat();
  let result: Record<string, unknown> | undefined;
  let err: SerdeError | undefined;
  try {
    result = b === 0x7b ? visitMap(r, fields, denyUnknown) : visitSeq(r, name, fields);
  } catch (e) {
    err = asSerde(e);
  }
  r.leave();
  // serde_json always tries to close the container, even after the visitor failed.
  const endErr = r.tryEnd(() => {
    if (b === 0x7b) r.endMap();
    else r.endSeq();
  });
  const failure = err ?? endErr;
  if (failure) throw r.fix(failure);
  return result ?? {};
}

function visitMap(r: JsonReader, fields: readonly Field[], denyUnknown: boolean): Record<string, unknown> {
  const names = fields.map((f) => f.name);
  const seen = new Map<string, unknown>();
  let first = true;
  for (;;) {
    const key = r.nextKey(first);
    if (key === undefined) break;
    first = false;
    const field = fields.find((f) => f.name === key);
    if (field === undefined) {
      if (denyUnknown) throw new SerdeError(unknownField(key, names));
      r.parseColon();
      r.ignoreValue();
      continue;
    }
    if (seen.has(key)) throw new SerdeError(`duplicate field \`${key}\``);
    r.parseColon();
    seen.set(key, read(r, field.schema));
  }
  return complete(fields, seen);
}

function visitSeq(r: JsonReader, name: string, fields: readonly Field[]): Record<string, unknown> {
  const seen = new Map<string, unknown>();
  let first = true;
  for (const [i, field] of fields.entries()) {
    if (!r.nextElement(first)) {
      if (field.missing === 'default') continue;
      throw new SerdeError(`invalid length ${i}, expected struct ${name} with ${fields.length} element${fields.length === 1 ? '' : 's'}`);
    }
    first = false;
    seen.set(field.name, read(r, field.schema));
  }
  return complete(fields, seen);
}

function complete(fields: readonly Field[], seen: Map<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (seen.has(field.name)) {
      out[field.name] = seen.get(field.name);
      continue;
    }
    if (field.missing === 'required') throw new SerdeError(`missing field \`${field.name}\``);
    out[field.name] = field.missing === 'none' ? null : structuredDefault(field.defaultValue);
  }
  return out;
}

function structuredDefault(v: unknown): unknown {
  return typeof v === 'object' && v !== null ? structuredClone(v) : v;
}

export type { JsonValue };
