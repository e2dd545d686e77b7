// One open stream (DOMAIN_OPEN_CONSOLE) of one client: guest bytes go out as STREAM CONTINUE
// packets of at most STREAM_CHUNK_MAX, the client's bytes go into the guest. Backpressure
// both ways: the guest side is paused while the client's socket is full, and the client's
// socket is paused while the guest side is full, so a slow peer never grows memory.
// libvirt's rules (virnetclientstream.c): EOF is an empty CONTINUE; a client finish (OK)
// or abort (ERROR) is confirmed with OK; the server never sends an unsolicited OK.

import type { Duplex } from 'node:stream';
import { VirError, isVirError } from '../../errors.js';
import { MessageStatus, STREAM_CHUNK_MAX } from '../framing.js';

export interface StreamSink {
  /** Sends one STREAM packet for this stream; returns false when the socket is full. */
  send(status: number, payload: Buffer): boolean;
  sendError(error: VirError): void;
  /** Called when the client socket drains. */
  onDrain(listener: () => void): () => void;
  /** Stop / start reading the client's socket. */
  pauseInput(): void;
  resumeInput(): void;
  /** The stream is over: forget it. */
  finished(): void;
}

export class ServerConsoleStream {
  private guestEnded = false;
  private done = false;
  private inputPaused = false;
  private readonly stopDrain: () => void;

  constructor(
    private readonly guest: Duplex,
    private readonly sink: StreamSink,
  ) {
    this.stopDrain = sink.onDrain(() => {
      if (!this.done && this.guest.isPaused()) this.guest.resume();
    });
    guest.on('data', (chunk: Buffer | string) => {
      this.fromGuest(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    });
    guest.on('end', () => {
      if (this.done || this.guestEnded) return;
      this.guestEnded = true;
      // An empty CONTINUE tells the client the guest side reached EOF; it then finishes.
      this.sink.send(MessageStatus.CONTINUE, Buffer.alloc(0));
    });
    guest.on('error', (error: unknown) => {
      if (this.done) return;
      const virError = isVirError(error)
        ? error
        : new VirError('VIR_ERR_OPERATION_FAILED', `console stream failed: ${String(error)}`, {
            domain: 'VIR_FROM_STREAMS',
          });
      this.sink.sendError(virError);
      this.close();
    });
    guest.on('close', () => {
      if (!this.done && !this.guestEnded) {
        this.guestEnded = true;
        this.sink.send(MessageStatus.CONTINUE, Buffer.alloc(0));
      }
    });
  }

  private fromGuest(chunk: Buffer): void {
    if (this.done) return;
    let full = false;
    for (let at = 0; at < chunk.length; at += STREAM_CHUNK_MAX) {
      if (!this.sink.send(MessageStatus.CONTINUE, chunk.subarray(at, at + STREAM_CHUNK_MAX))) full = true;
    }
    if (full) this.guest.pause();
  }

  /** A STREAM packet from the client for this stream. */
  fromClient(status: number, payload: Buffer): void {
    if (this.done) return;
    if (status === MessageStatus.CONTINUE) {
      if (payload.length === 0) {
        this.guest.end();
        return;
      }
      if (!this.guest.write(payload) && !this.inputPaused) {
        this.inputPaused = true;
        this.sink.pauseInput();
        this.guest.once('drain', () => {
          this.resumeClient();
        });
      }
      return;
    }
    // OK is the client's finish, ERROR its abort: either way confirm with OK and stop.
    this.sink.send(MessageStatus.OK, Buffer.alloc(0));
    if (status === MessageStatus.OK) this.guest.end();
    this.close();
  }

  /** Ends the stream without telling the client (its connection is going away). */
  close(): void {
    if (this.done) return;
    this.done = true;
    this.stopDrain();
    this.guest.removeAllListeners('data');
    this.guest.destroy();
    this.resumeClient();
    this.sink.finished();
  }

  private resumeClient(): void {
    if (!this.inputPaused) return;
    this.inputPaused = false;
    this.sink.resumeInput();
  }
}
