// The shared structures of remote_protocol.x: strings, uuids, remote_nonnull_domain and
// remote_error (which is virNetMessageError, the payload of every error reply).

import { VirError } from '../../errors.js';
import type { DomainRef } from '../../api/connection.js';
import { type Codec, type XdrReader, type XdrWriter, xdrError } from '../xdr.js';
import { REMOTE_STRING_MAX, REMOTE_UUID_SIZE } from './constants.js';

export const nonnullString: Codec<string> = {
  encode: (writer, value) => writer.string(value, REMOTE_STRING_MAX),
  decode: (reader) => reader.string(REMOTE_STRING_MAX),
};

/** remote_string: an optional remote_nonnull_string. */
export const optionalString: Codec<string | null> = {
  encode: (writer, value) => writer.optional(value, nonnullString.encode),
  decode: (reader) => reader.optional(nonnullString.decode),
};

export const intCodec: Codec<number> = {
  encode: (writer, value) => writer.int(value),
  decode: (reader) => reader.int(),
};

export const uintCodec: Codec<number> = {
  encode: (writer, value) => writer.uint(value),
  decode: (reader) => reader.uint(),
};

/** An unsigned hyper carried as a JS number (memory sizes, versions: far below 2^53). */
export const uhyperNumber: Codec<number> = {
  encode: (writer, value) => writer.uhyper(BigInt(value)),
  decode: (reader) => Number(reader.uhyper()),
};

/** remote_uuid: 16 raw bytes on the wire, dashed lowercase text here. */
export const uuidCodec: Codec<string> = {
  encode: (writer, value) => writer.fixedOpaque(uuidToBytes(value), REMOTE_UUID_SIZE),
  decode: (reader) => uuidFromBytes(reader.fixedOpaque(REMOTE_UUID_SIZE)),
};

// Listings send the same uuids over and over: remember recent conversions (bounded).
const uuidBytes = new Map<string, Buffer>();
const UUID_CACHE_MAX = 16_384;

/** The 16 bytes of a uuid; shared from the cache, so never to be modified. */
function uuidToBytes(uuid: string): Buffer {
  const known = uuidBytes.get(uuid);
  if (known !== undefined) return known;
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) {
    throw new VirError('VIR_ERR_INVALID_ARG', `'${uuid}' is not a UUID`);
  }
  const bytes = Buffer.from(hex, 'hex');
  if (uuidBytes.size >= UUID_CACHE_MAX) uuidBytes.clear();
  uuidBytes.set(uuid, bytes);
  return bytes;
}

export function uuidFromBytes(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** remote_nonnull_domain */
export const domainCodec: Codec<DomainRef> = {
  encode(writer, value) {
    nonnullString.encode(writer, value.name);
    uuidCodec.encode(writer, value.uuid);
    writer.int(value.id);
  },
  decode(reader) {
    const name = nonnullString.decode(reader);
    const uuid = uuidCodec.decode(reader);
    const id = reader.int();
    return { name, uuid, id };
  },
};

/** remote_domain: an optional remote_nonnull_domain. */
export const optionalDomain: Codec<DomainRef | null> = {
  encode: (writer, value) => writer.optional(value, domainCodec.encode),
  decode: (reader) => reader.optional(domainCodec.decode),
};

/** remote_nonnull_network, only ever skipped over inside remote_error. */
function skipNetwork(reader: XdrReader): null {
  nonnullString.decode(reader);
  reader.fixedOpaque(REMOTE_UUID_SIZE);
  return null;
}

export interface WireError {
  code: number;
  domain: number;
  message: string | null;
  level: number;
  str1: string | null;
  str2: string | null;
  str3: string | null;
  int1: number;
  int2: number;
}

/** remote_error / virNetMessageError */
export const errorCodec: Codec<WireError> = {
  encode(writer: XdrWriter, value) {
    writer.int(value.code).int(value.domain);
    optionalString.encode(writer, value.message);
    writer.int(value.level);
    optionalDomain.encode(writer, null);
    optionalString.encode(writer, value.str1);
    optionalString.encode(writer, value.str2);
    optionalString.encode(writer, value.str3);
    writer.int(value.int1).int(value.int2);
    writer.optional(null, () => undefined);
  },
  decode(reader) {
    const code = reader.int();
    const domain = reader.int();
    const message = optionalString.decode(reader);
    const level = reader.int();
    optionalDomain.decode(reader);
    const str1 = optionalString.decode(reader);
    const str2 = optionalString.decode(reader);
    const str3 = optionalString.decode(reader);
    const int1 = reader.int();
    const int2 = reader.int();
    reader.optional(skipNetwork);
    return { code, domain, message, level, str1, str2, str3, int1, int2 };
  },
};

/**
 * The remote_error for a VirError, as libvirt's daemon fills it: str1 repeats the message
 * (virRaiseError puts the formatted message there too).
 */
export function toWireError(error: VirError): WireError {
  return {
    code: error.code,
    domain: error.domain,
    message: error.message,
    level: error.level,
    str1: error.message,
    str2: null,
    str3: null,
    int1: -1,
    int2: -1,
  };
}

/** The VirError a client rebuilds from a remote_error. */
export function fromWireError(wire: WireError): VirError {
  return VirError.fromWire(wire.code, wire.domain, wire.message ?? 'unknown error');
}

export function protocolViolation(detail: string): VirError {
  return xdrError(detail);
}
