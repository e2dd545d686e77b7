// A JSON reader that fails the way Firecracker's Rust deserialisation fails: serde_json
// (SliceRead, byte columns) driven by serde-derive-like schemas. Firecracker puts the
// resulting text verbatim in its `fault_message`, "... at line 1 column 51", so the
// double must reproduce both the wording and the position where serde_json noticed.
//
// Positions follow serde_json: `error()` reports the bytes consumed so far, `peekError()`
// one more (the byte looked at); an error raised by a visitor carries no position and gets
// one when it passes back through the innermost string/number/struct/sequence reader —
// for a struct that is after it tried to consume the closing brace, which is why an
// invalid last field is reported one column after the value.

/** A JSON number as serde_json keeps it: u64, i64 or f64, printed the serde_json way. */
export class JsonNumber {
  constructor(readonly kind: 'u64' | 'i64' | 'f64', readonly text: string) {}

  toNumber(): number {
    return Number(this.text);
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A serde_json::Error: a message and a position (line 0 = not positioned yet). */
export class SerdeError extends Error {
  constructor(
    readonly text: string,
    public line = 0,
    public column = 0,
  ) {
    super(text);
  }

  override toString(): string {
    return this.line === 0 ? this.text : `${this.text} at line ${this.line} column ${this.column}`;
  }
}

const RECURSION_LIMIT = 128;

export class JsonReader {
  index = 0;
  private depth = RECURSION_LIMIT;

  constructor(readonly bytes: Uint8Array) {}

  position(i: number): { line: number; column: number } {
    let line = 1;
    let column = 0;
    for (let k = 0; k < i; k++) {
      if (this.bytes[k] === 0x0a) {
        line++;
        column = 0;
      } else {
        column++;
      }
    }
    return { line, column };
  }

  /** An error caused by a byte already consumed. */
  error(text: string): SerdeError {
    const { line, column } = this.position(this.index);
    return new SerdeError(text, line, column);
  }

  /** An error caused by the byte being looked at. */
  peekError(text: string): SerdeError {
    const { line, column } = this.position(Math.min(this.bytes.length, this.index + 1));
    return new SerdeError(text, line, column);
  }

  /** Gives a position to a visitor's error, at the current index. */
  fix(err: SerdeError): SerdeError {
    if (err.line === 0) {
      const { line, column } = this.position(this.index);
      err.line = line;
      err.column = column;
    }
    return err;
  }

  peek(): number | undefined {
    return this.bytes[this.index];
  }

  next(): number | undefined {
    const b = this.bytes[this.index];
    if (b !== undefined) this.index++;
    return b;
  }

  eat(): void {
    this.index++;
  }

  skipWhitespace(): number | undefined {
    for (;;) {
      const b = this.peek();
      if (b === 0x20 || b === 0x0a || b === 0x09 || b === 0x0d) this.index++;
      else return b;
    }
  }

  enter(): void {
    this.depth--;
    if (this.depth === 0) throw this.peekError('recursion limit exceeded');
  }

  leave(): void {
    this.depth++;
  }

  parseIdent(rest: string): void {
    for (let i = 0; i < rest.length; i++) {
      const b = this.next();
      if (b === undefined) throw this.error('EOF while parsing a value');
      if (b !== rest.charCodeAt(i)) throw this.error('expected ident');
    }
  }

  /** Reads a string whose opening quote was just consumed. */
  parseStr(): string {
    const start = this.index;
    const chunks: Uint8Array[] = [];
    let runStart = start;
    for (;;) {
      const b = this.bytes[this.index];
      if (b === undefined) throw this.error('EOF while parsing a string');
      if (b === 0x22) {
        chunks.push(this.bytes.subarray(runStart, this.index));
        this.index++;
        return decodeUtf8(chunks, this);
      }
      if (b === 0x5c) {
        chunks.push(this.bytes.subarray(runStart, this.index));
        this.index++;
        chunks.push(this.parseEscape());
        runStart = this.index;
        continue;
      }
      if (b < 0x20) {
        this.index++;
        throw this.error('control character (\\u0000-\\u001F) found while parsing a string');
      }
      this.index++;
    }
  }

  private parseEscape(): Uint8Array {
    const c = this.next();
    if (c === undefined) throw this.error('EOF while parsing a string');
    const simple: Record<number, number> = { 0x22: 0x22, 0x5c: 0x5c, 0x2f: 0x2f, 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9 };
    const mapped = simple[c];
    if (mapped !== undefined) return Uint8Array.of(mapped);
    if (c !== 0x75) throw this.error('invalid escape');
    let code = this.hexEscape();
    if (code >= 0xdc00 && code <= 0xdfff) throw this.error('lone leading surrogate in hex escape');
    if (code >= 0xd800 && code <= 0xdbff) {
      if (this.next() !== 0x5c) throw this.error('unexpected end of hex escape');
      if (this.next() !== 0x75) throw this.error('unexpected end of hex escape');
      const low = this.hexEscape();
      if (low < 0xdc00 || low > 0xdfff) throw this.error('lone leading surrogate in hex escape');
      code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
    }
    return new TextEncoder().encode(String.fromCodePoint(code));
  }

  private hexEscape(): number {
    let n = 0;
    for (let i = 0; i < 4; i++) {
      const b = this.next();
      if (b === undefined) throw this.error('EOF while parsing a string');
      const digit = hexDigit(b);
      if (digit === undefined) throw this.error('invalid escape');
      n = n * 16 + digit;
    }
    return n;
  }

  /** Reads a number whose first byte ('-' or a digit) has not been consumed. */
  parseNumber(): JsonNumber {
    const start = this.index;
    let negative = false;
    if (this.peek() === 0x2d) {
      negative = true;
      this.eat();
    }
    const first = this.next();
    if (first === undefined) throw this.error('EOF while parsing a value');
    if (!isDigit(first)) throw this.error('invalid number');
    if (first === 0x30) {
      const after = this.peek();
      if (after !== undefined && isDigit(after)) throw this.peekError('invalid number');
    } else {
      while (isDigit(this.peek())) this.eat();
    }
    let isFloat = false;
    if (this.peek() === 0x2e) {
      isFloat = true;
      this.eat();
      const d = this.next();
      if (d === undefined) throw this.error('EOF while parsing a value');
      if (!isDigit(d)) throw this.error('invalid number');
      while (isDigit(this.peek())) this.eat();
    }
    const e = this.peek();
    if (e === 0x65 || e === 0x45) {
      isFloat = true;
      this.eat();
      const sign = this.peek();
      if (sign === 0x2b || sign === 0x2d) this.eat();
      const d = this.next();
      if (d === undefined) throw this.error('EOF while parsing a value');
      if (!isDigit(d)) throw this.error('invalid number');
      while (isDigit(this.peek())) this.eat();
    }
    const text = new TextDecoder().decode(this.bytes.subarray(start, this.index));
    if (!isFloat) {
      const big = BigInt(text);
      if (!negative && big <= 0xffffffffffffffffn) return new JsonNumber('u64', big.toString());
      if (negative && big >= -0x8000000000000000n) return new JsonNumber(big === 0n ? 'u64' : 'i64', big.toString());
    }
    const value = Number(text);
    if (!Number.isFinite(value)) throw this.error('number out of range');
    return new JsonNumber('f64', formatF64(value));
  }

  /** serde_json::Value, as used for MMDS contents. */
  parseValue(): JsonValue {
    const b = this.skipWhitespace();
    switch (b) {
      case undefined:
        throw this.peekError('EOF while parsing a value');
      case 0x6e:
        this.eat();
        this.parseIdent('ull');
        return null;
      case 0x74:
        this.eat();
        this.parseIdent('rue');
        return true;
      case 0x66:
        this.eat();
        this.parseIdent('alse');
        return false;
      case 0x22:
        this.eat();
        return this.parseStr();
      case 0x5b: {
        this.enter();
        this.eat();
        const items: JsonValue[] = [];
        let first = true;
        let err: SerdeError | undefined;
        try {
          while (this.nextElement(first)) {
            first = false;
            items.push(this.parseValue());
          }
        } catch (e) {
          err = asSerde(e);
        }
        this.leave();
        const endErr = this.tryEnd(() => { this.endSeq(); });
        if (err ?? endErr) throw this.fix(err ?? endErr ?? new SerdeError('unreachable'));
        return items;
      }
      case 0x7b: {
        this.enter();
        this.eat();
        const obj: JsonObject = {};
        let first = true;
        let err: SerdeError | undefined;
        try {
          for (;;) {
            const key = this.nextKey(first);
            if (key === undefined) break;
            first = false;
            this.parseColon();
            obj[key] = this.parseValue();
          }
        } catch (e) {
          err = asSerde(e);
        }
        this.leave();
        const endErr = this.tryEnd(() => { this.endMap(); });
        if (err ?? endErr) throw this.fix(err ?? endErr ?? new SerdeError('unreachable'));
        return obj;
      }
      default:
        if (b === 0x2d || isDigit(b)) return this.parseNumber();
        throw this.peekError('expected value');
    }
  }

  /** Skips any value (serde's IgnoredAny), for fields a lenient struct does not know. */
  ignoreValue(): void {
    this.parseValue();
  }

  /** serde_json's MapAccess::next_key: undefined at the closing brace (not consumed). */
  nextKey(first: boolean): string | undefined {
    let b = this.skipWhitespace();
    if (b === 0x7d) return undefined;
    if (b === 0x2c && !first) {
      this.eat();
      b = this.skipWhitespace();
    } else if (b === undefined) {
      throw this.peekError('EOF while parsing an object');
    } else if (!first) {
      throw this.peekError('expected `,` or `}`');
    }
    if (b === 0x22) {
      this.eat();
      return this.parseStr();
    }
    if (b === 0x7d) throw this.peekError('trailing comma');
    if (b === undefined) throw this.peekError('EOF while parsing a value');
    throw this.peekError('key must be a string');
  }

  /** serde_json's SeqAccess::next_element: false at the closing bracket (not consumed). */
  nextElement(first: boolean): boolean {
    let b = this.skipWhitespace();
    if (b === 0x5d) return false;
    if (b === 0x2c && !first) {
      this.eat();
      b = this.skipWhitespace();
    } else if (b === undefined) {
      throw this.peekError('EOF while parsing a list');
    } else if (!first) {
      throw this.peekError('expected `,` or `]`');
    }
    if (b === 0x5d) throw this.peekError('trailing comma');
    if (b === undefined) throw this.peekError('EOF while parsing a value');
    return true;
  }

  parseColon(): void {
    const b = this.skipWhitespace();
    if (b === 0x3a) {
      this.eat();
      return;
    }
    if (b === undefined) throw this.peekError('EOF while parsing an object');
    throw this.peekError('expected `:`');
  }

  endMap(): void {
    const b = this.skipWhitespace();
    if (b === 0x7d) {
      this.eat();
      return;
    }
    if (b === 0x2c) throw this.peekError('trailing comma');
    if (b === undefined) throw this.peekError('EOF while parsing an object');
    throw this.peekError('trailing characters');
  }

  endSeq(): void {
    const b = this.skipWhitespace();
    if (b === 0x5d) {
      this.eat();
      return;
    }
    if (b === 0x2c) {
      this.eat();
      if (this.skipWhitespace() === 0x5d) throw this.peekError('trailing comma');
      throw this.peekError('trailing characters');
    }
    if (b === undefined) throw this.peekError('EOF while parsing a list');
    throw this.peekError('trailing characters');
  }

  /** After the top-level value: only whitespace may follow. */
  end(): void {
    if (this.skipWhitespace() !== undefined) throw this.peekError('trailing characters');
  }

  tryEnd(fn: () => void): SerdeError | undefined {
    try {
      fn();
      return undefined;
    } catch (e) {
      return asSerde(e);
    }
  }

  /**
   * What serde_json's peek_invalid_type does: consume the offending token and name it.
   * Returns the positioned error.
   */
  invalidType(expected: string): SerdeError {
    const b = this.peek();
    let unexpected: string;
    switch (b) {
      case 0x6e:
        this.eat();
        this.parseIdent('ull');
        unexpected = 'null';
        break;
      case 0x74:
        this.eat();
        this.parseIdent('rue');
        unexpected = 'boolean `true`';
        break;
      case 0x66:
        this.eat();
        this.parseIdent('alse');
        unexpected = 'boolean `false`';
        break;
      case 0x22:
        this.eat();
        unexpected = `string ${rustDebugStr(this.parseStr())}`;
        break;
      case 0x5b:
        unexpected = 'sequence';
        break;
      case 0x7b:
        unexpected = 'map';
        break;
      default:
        if (b !== undefined && (b === 0x2d || isDigit(b))) {
          unexpected = describeNumber(this.parseNumber());
          break;
        }
        return this.peekError('expected value');
    }
    return this.fix(new SerdeError(`invalid type: ${unexpected}, expected ${expected}`));
  }
}

export function asSerde(e: unknown): SerdeError {
  if (e instanceof SerdeError) return e;
  throw e;
}

function decodeUtf8(chunks: Uint8Array[], reader: JsonReader): string {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    joined.set(c, offset);
    offset += c.length;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(joined);
  } catch {
    throw reader.error('invalid unicode code point');
  }
}

function hexDigit(b: number): number | undefined {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  return undefined;
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

/** serde's Unexpected for a number: "integer `33`" or "floating point `1.5`". */
export function describeNumber(n: JsonNumber): string {
  return n.kind === 'f64' ? `floating point \`${n.text}\`` : `integer \`${n.text}\``;
}

/** Rust's `{:?}` of a str: quotes, backslash escapes, \u{..} for other control characters. */
export function rustDebugStr(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\0') out += '\\0';
    else if (code < 0x20 || code === 0x7f) out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}

/** An f64 printed as serde_json prints it (ryu): always with a '.' or an exponent. */
export function formatF64(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const [mantissa = '', expText = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  const kk = exp + 1; // position of the decimal point relative to the digits
  const n = digits.length;
  if (kk >= n && kk <= 16) return `${sign}${digits}${'0'.repeat(kk - n)}.0`;
  if (kk > 0 && kk <= 16) return `${sign}${digits.slice(0, kk)}.${digits.slice(kk)}`;
  if (kk > -5 && kk <= 0) return `${sign}0.${'0'.repeat(-kk)}${digits}`;
  const e = kk - 1;
  if (n === 1) return `${sign}${digits}e${e}`;
  return `${sign}${digits.slice(0, 1)}.${digits.slice(1)}e${e}`;
}

/** serde_json::to_string for values: compact, keys as given. */
export function toJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : formatF64(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => toJson(v)).join(',')}]`;
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) parts.push(`${JSON.stringify(k)}:${toJson(v)}`);
    return `{${parts.join(',')}}`;
  }
  return 'null';
}

/** serde_json::Value's map is a BTreeMap: keys come out sorted by their bytes. */
export function sortedValue(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortedValue);
  if (value !== null && typeof value === 'object' && !(value instanceof JsonNumber)) {
    const out: JsonObject = {};
    for (const key of Object.keys(value).sort(compareBytes)) {
      const v = value[key];
      if (v !== undefined) out[key] = sortedValue(v);
    }
    return out;
  }
  return value;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
