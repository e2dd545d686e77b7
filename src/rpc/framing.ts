// libvirt's packets: a 4-byte length that counts itself, a 24-byte header, the payload.
// PacketReader reassembles packets from the arbitrary chunks a socket delivers; a length
// outside libvirt's limits is a fatal error for that stream only (the caller closes it).

import { VirError } from '../errors.js';

/** The length word. */
export const LENGTH_SIZE = 4;
export const HEADER_SIZE = 24;
/** VIR_NET_MESSAGE_MAX: the most a packet may hold after its length word. */
export const MESSAGE_MAX = 33_554_432;
/** VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX: the largest stream chunk a daemon sends. */
export const STREAM_CHUNK_MAX = 262_120;

/** virNetMessageType */
export const MessageType = {
  CALL: 0,
  REPLY: 1,
  MESSAGE: 2,
  STREAM: 3,
  CALL_WITH_FDS: 4,
  REPLY_WITH_FDS: 5,
  STREAM_HOLE: 6,
} as const;

/** virNetMessageStatus */
export const MessageStatus = { OK: 0, ERROR: 1, CONTINUE: 2 } as const;

export interface Header {
  prog: number;
  vers: number;
  proc: number;
  type: number;
  serial: number;
  status: number;
}

export interface Packet {
  header: Header;
  payload: Buffer;
}

export function encodePacket(header: Header, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const total = LENGTH_SIZE + HEADER_SIZE + payload.length;
  if (total - LENGTH_SIZE > MESSAGE_MAX) {
    throw new VirError('VIR_ERR_RPC', `packet of ${total} bytes is over libvirt's limit of ${MESSAGE_MAX}`, {
      domain: 'VIR_FROM_RPC',
    });
  }
  // Every byte is written below: no need to zero it first.
  const packet = Buffer.allocUnsafe(total);
  packet.writeUInt32BE(total, 0);
  packet.writeUInt32BE(header.prog >>> 0, 4);
  packet.writeUInt32BE(header.vers >>> 0, 8);
  packet.writeInt32BE(header.proc | 0, 12);
  packet.writeUInt32BE(header.type >>> 0, 16);
  packet.writeUInt32BE(header.serial >>> 0, 20);
  packet.writeUInt32BE(header.status >>> 0, 24);
  packet.set(payload, LENGTH_SIZE + HEADER_SIZE);
  return packet;
}

/** Decodes a whole packet (length word included). */
export function decodePacket(packet: Buffer): Packet {
  if (packet.length < LENGTH_SIZE + HEADER_SIZE) {
    throw framingError(`packet of ${packet.length} bytes is shorter than a header`);
  }
  return {
    header: {
      prog: packet.readUInt32BE(4),
      vers: packet.readUInt32BE(8),
      proc: packet.readInt32BE(12),
      type: packet.readUInt32BE(16),
      serial: packet.readUInt32BE(20),
      status: packet.readUInt32BE(24),
    },
    payload: packet.subarray(LENGTH_SIZE + HEADER_SIZE),
  };
}

function framingError(detail: string): VirError {
  return new VirError('VIR_ERR_RPC', detail, { domain: 'VIR_FROM_RPC' });
}

/**
 * Incremental reassembly. push() takes whatever the socket gave and returns the packets it
 * completed; it throws a VirError on a length libvirt would refuse, after which the reader
 * is unusable (the stream is out of sync and must be closed).
 */
export class PacketReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed = false;

  /** Bytes held while waiting for the rest of a packet. */
  get pending(): number {
    return this.buffered;
  }

  push(chunk: Buffer): Packet[] {
    if (this.failed) throw framingError('packet stream is out of sync');
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const packets: Packet[] = [];
    while (this.buffered >= LENGTH_SIZE) {
      const length = this.peekLength();
      if (length < LENGTH_SIZE + HEADER_SIZE || length - LENGTH_SIZE > MESSAGE_MAX) {
        this.failed = true;
        this.chunks = [];
        this.buffered = 0;
        throw framingError(
          length < LENGTH_SIZE + HEADER_SIZE
            ? `packet ${length} bytes received too small, want at least ${LENGTH_SIZE + HEADER_SIZE}`
            : `packet ${length - LENGTH_SIZE} bytes received too large, want at most ${MESSAGE_MAX}`,
        );
      }
      if (this.buffered < length) break;
      packets.push(decodePacket(this.take(length)));
    }
    return packets;
  }

  private peekLength(): number {
    const first = this.chunks[0];
    if (first !== undefined && first.length >= LENGTH_SIZE) return first.readUInt32BE(0);
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined.readUInt32BE(0);
  }

  private take(length: number): Buffer {
    const first = this.chunks[0];
    if (first !== undefined && first.length >= length) {
      const packet = first.subarray(0, length);
      if (first.length === length) this.chunks.shift();
      else this.chunks[0] = first.subarray(length);
      this.buffered -= length;
      return packet;
    }
    const joined = Buffer.concat(this.chunks);
    this.chunks = joined.length > length ? [joined.subarray(length)] : [];
    this.buffered -= length;
    return joined.subarray(0, length);
  }
}
