// XDR (RFC 4506) as rpcgen produces it for libvirt's protocol, with the quirks libvirt relies
// on: chars take a whole 4-byte word, optional pointers are a 0/1 word before the value,
// hypers are 64-bit (bigint here). The reader checks every length against both its maximum
// and the bytes left before it allocates anything, so a hostile length costs nothing.

import { VirError } from '../errors.js';

/** An XDR protocol violation: what the peer sent cannot be decoded. */
export function xdrError(detail: string): VirError {
  return new VirError('VIR_ERR_RPC', detail, { domain: 'VIR_FROM_RPC' });
}

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;
const UINT32_MAX = 0xffff_ffff;

function padding(length: number): number {
  return (4 - (length % 4)) % 4;
}

export class XdrWriter {
  private buffer: Buffer;
  private offset = 0;

  constructor(initialSize = 256) {
    this.buffer = Buffer.alloc(initialSize);
  }

  /** The bytes written so far (a copy-free view). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.offset);
  }

  get length(): number {
    return this.offset;
  }

  private reserve(count: number): void {
    if (this.offset + count <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.offset + count) size *= 2;
    const next = Buffer.alloc(size);
    this.buffer.copy(next, 0, 0, this.offset);
    this.buffer = next;
  }

  int(value: number): this {
    if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
      throw new VirError('VIR_ERR_INTERNAL_ERROR', `cannot encode ${value} as an XDR int`);
    }
    this.reserve(4);
    this.buffer.writeInt32BE(value, this.offset);
    this.offset += 4;
    return this;
  }

  uint(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) {
      throw new VirError('VIR_ERR_INTERNAL_ERROR', `cannot encode ${value} as an XDR unsigned int`);
    }
    this.reserve(4);
    this.buffer.writeUInt32BE(value, this.offset);
    this.offset += 4;
    return this;
  }

  bool(value: boolean): this {
    return this.int(value ? 1 : 0);
  }

  hyper(value: bigint): this {
    this.reserve(8);
    this.buffer.writeBigInt64BE(BigInt.asIntN(64, value), this.offset);
    this.offset += 8;
    return this;
  }

  uhyper(value: bigint): this {
    if (value < 0n || value > 0xffff_ffff_ffff_ffffn) {
      throw new VirError('VIR_ERR_INTERNAL_ERROR', `cannot encode ${value} as an XDR unsigned hyper`);
    }
    this.reserve(8);
    this.buffer.writeBigUInt64BE(value, this.offset);
    this.offset += 8;
    return this;
  }

  double(value: number): this {
    this.reserve(8);
    this.buffer.writeDoubleBE(value, this.offset);
    this.offset += 8;
    return this;
  }

  /** opaque[n]: exactly n bytes, then padding. */
  fixedOpaque(data: Uint8Array, size: number): this {
    if (data.length !== size) {
      throw new VirError('VIR_ERR_INTERNAL_ERROR', `fixed opaque needs ${size} bytes, got ${data.length}`);
    }
    this.reserve(size + padding(size));
    this.buffer.set(data, this.offset);
    this.offset += size;
    this.buffer.fill(0, this.offset, this.offset + padding(size));
    this.offset += padding(size);
    return this;
  }

  /** opaque<max>: length, bytes, padding. */
  opaque(data: Uint8Array, max: number): this {
    if (data.length > max) {
      throw new VirError('VIR_ERR_INTERNAL_ERROR', `opaque of ${data.length} bytes is over its maximum ${max}`);
    }
    this.uint(data.length);
    return this.fixedOpaque(data, data.length);
  }

  /** string<max>: its UTF-8 bytes as a variable opaque (written in place: lists carry thousands). */
  string(value: string, max: number): this {
    const length = Buffer.byteLength(value, 'utf8');
    if (length > max) {
      throw new VirError('VIR_ERR_INTERNAL_ERROR', `string of ${length} bytes is over its maximum ${max}`);
    }
    const pad = padding(length);
    this.reserve(4 + length + pad);
    this.buffer.writeUInt32BE(length, this.offset);
    this.offset += 4;
    this.offset += this.buffer.write(value, this.offset, length, 'utf8');
    this.buffer.fill(0, this.offset, this.offset + pad);
    this.offset += pad;
    return this;
  }

  /** char name[n]: n chars, each widened to a 4-byte word; shorter text is NUL-filled. */
  fixedChars(value: string, size: number): this {
    const data = Buffer.from(value, 'utf8');
    for (let i = 0; i < size; i++) this.int(i < data.length ? signedChar(data[i] ?? 0) : 0);
    return this;
  }

  /** char name<max>: a count, then one 4-byte word per char. */
  chars(value: string, max: number): this {
    const data = Buffer.from(value, 'utf8');
    if (data.length > max) {
      throw new VirError('VIR_ERR_INTERNAL_ERROR', `char array of ${data.length} is over its maximum ${max}`);
    }
    this.uint(data.length);
    for (const byte of data) this.int(signedChar(byte));
    return this;
  }

  /** T *name: a presence word, then the value if present. */
  optional<T>(value: T | null, encode: (writer: XdrWriter, value: T) => void): this {
    if (value === null) return this.int(0);
    this.int(1);
    encode(this, value);
    return this;
  }

  /** T name<max>: a count, then the elements. */
  array<T>(values: readonly T[], max: number, encode: (writer: XdrWriter, value: T) => void): this {
    if (values.length > max) {
      throw new VirError('VIR_ERR_INTERNAL_ERROR', `array of ${values.length} elements is over its maximum ${max}`);
    }
    this.uint(values.length);
    for (const value of values) encode(this, value);
    return this;
  }
}

// C's char is signed on the platforms libvirt runs on: bytes over 127 travel as negative words.
function signedChar(byte: number): number {
  return byte > 127 ? byte - 256 : byte;
}

export class XdrReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  private take(count: number, what: string): number {
    if (count > this.remaining) {
      throw xdrError(`truncated XDR data: ${what} needs ${count} bytes, ${this.remaining} left`);
    }
    const at = this.offset;
    this.offset += count;
    return at;
  }

  int(): number {
    return this.buffer.readInt32BE(this.take(4, 'an int'));
  }

  uint(): number {
    return this.buffer.readUInt32BE(this.take(4, 'an unsigned int'));
  }

  bool(): boolean {
    const value = this.int();
    if (value !== 0 && value !== 1) throw xdrError(`invalid XDR bool ${value}`);
    return value === 1;
  }

  hyper(): bigint {
    return this.buffer.readBigInt64BE(this.take(8, 'a hyper'));
  }

  uhyper(): bigint {
    return this.buffer.readBigUInt64BE(this.take(8, 'an unsigned hyper'));
  }

  double(): number {
    return this.buffer.readDoubleBE(this.take(8, 'a double'));
  }

  fixedOpaque(size: number): Buffer {
    const at = this.take(size + padding(size), `an opaque of ${size} bytes`);
    return Buffer.from(this.buffer.subarray(at, at + size));
  }

  private length(max: number, what: string): number {
    const length = this.uint();
    if (length > max) throw xdrError(`${what} length ${length} is over its maximum ${max}`);
    if (length > this.remaining) {
      throw xdrError(`truncated XDR data: ${what} of length ${length} with ${this.remaining} bytes left`);
    }
    return length;
  }

  opaque(max: number): Buffer {
    return this.fixedOpaque(this.length(max, 'opaque'));
  }

  string(max: number): string {
    return this.fixedOpaque(this.length(max, 'string')).toString('utf8');
  }

  fixedChars(size: number): string {
    if (size * 4 > this.remaining) throw xdrError(`truncated XDR data: char[${size}] with ${this.remaining} bytes left`);
    const bytes: number[] = [];
    for (let i = 0; i < size; i++) bytes.push(this.int() & 0xff);
    const end = bytes.indexOf(0);
    return Buffer.from(end === -1 ? bytes : bytes.slice(0, end)).toString('utf8');
  }

  chars(max: number): string {
    const count = this.uint();
    if (count > max) throw xdrError(`char array length ${count} is over its maximum ${max}`);
    if (count * 4 > this.remaining) throw xdrError(`truncated XDR data: char array of ${count} with ${this.remaining} bytes left`);
    const bytes: number[] = [];
    for (let i = 0; i < count; i++) bytes.push(this.int() & 0xff);
    const end = bytes.indexOf(0);
    return Buffer.from(end === -1 ? bytes : bytes.slice(0, end)).toString('utf8');
  }

  optional<T>(decode: (reader: XdrReader) => T): T | null {
    const present = this.int();
    if (present === 0) return null;
    if (present !== 1) throw xdrError(`invalid XDR optional-pointer flag ${present}`);
    return decode(this);
  }

  /** T name<max>; every element takes at least 4 bytes, which bounds a count before decoding. */
  array<T>(max: number, decode: (reader: XdrReader) => T): T[] {
    const count = this.uint();
    if (count > max) throw xdrError(`array length ${count} is over its maximum ${max}`);
    if (count * 4 > this.remaining) {
      throw xdrError(`truncated XDR data: array of ${count} elements with ${this.remaining} bytes left`);
    }
    const values: T[] = [];
    for (let i = 0; i < count; i++) values.push(decode(this));
    return values;
  }
}

/** A codec for one XDR type. */
export interface Codec<T> {
  readonly encode: (writer: XdrWriter, value: T) => void;
  readonly decode: (reader: XdrReader) => T;
}

/** The empty payload. */
export const voidCodec: Codec<undefined> = {
  encode: () => undefined,
  decode: () => undefined,
};

export function encodeWith<T>(codec: Codec<T>, value: T): Buffer {
  const writer = new XdrWriter();
  codec.encode(writer, value);
  return writer.bytes();
}

export function decodeWith<T>(codec: Codec<T>, data: Buffer): T {
  return codec.decode(new XdrReader(data));
}
