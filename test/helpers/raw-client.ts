// A client that speaks raw packets, for protocol-level tests: send any bytes, collect what
// comes back, see when the server closes.

import net from 'node:net';
import type { Duplex } from 'node:stream';
import { type Header, type Packet, MessageStatus, MessageType, PacketReader, encodePacket } from '../../src/rpc/framing.js';
import { REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION } from '../../src/rpc/protocol/constants.js';
import { waitFor } from './wait.js';

export class RawClient {
  readonly packets: Packet[] = [];
  closed = false;
  private readonly reader = new PacketReader();
  private serial = 0;

  constructor(readonly socket: Duplex) {
    socket.on('data', (chunk: Buffer) => {
      this.packets.push(...this.reader.push(chunk));
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {
      this.closed = true;
    });
  }

  static connect(socketPath: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath, () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
      socket.once('error', reject);
    });
  }

  write(data: Buffer): void {
    this.socket.write(data);
  }

  /** Sends a CALL of the remote program; returns its serial. */
  call(proc: number, payload: Buffer = Buffer.alloc(0), header: Partial<Header> = {}): number {
    const serial = header.serial ?? this.serial++;
    this.write(
      encodePacket(
        {
          prog: REMOTE_PROGRAM,
          vers: REMOTE_PROTOCOL_VERSION,
          proc,
          type: MessageType.CALL,
          serial,
          status: MessageStatus.OK,
          ...header,
        },
        payload,
      ),
    );
    return serial;
  }

  /** Waits for the reply with this serial (and removes it from the queue). */
  async reply(serial: number, proc?: number): Promise<Packet> {
    const packet = await waitFor(
      () =>
        this.packets.find(
          (p) => p.header.type === MessageType.REPLY && p.header.serial === serial && (proc === undefined || p.header.proc === proc),
        ) ?? (this.closed ? new Error('closed') : undefined),
      `the reply to serial ${serial}`,
    );
    if (packet instanceof Error) throw new Error(`the server closed the connection before replying to serial ${serial}`);
    this.packets.splice(this.packets.indexOf(packet), 1);
    return packet;
  }

  waitClosed(): Promise<boolean> {
    return waitFor(() => this.closed, 'the server to close the connection');
  }

  close(): void {
    this.socket.destroy();
  }
}
