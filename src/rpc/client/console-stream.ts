// The client end of a remote stream as a node Duplex: written bytes go out as STREAM
// CONTINUE packets, received ones are pushed (the socket pauses while the reader lags),
// end() is virStreamFinish (waits for the server's OK), destroy() is virStreamAbort.

import { Duplex } from 'node:stream';
import type { VirError } from '../../errors.js';
import { MessageStatus, STREAM_CHUNK_MAX } from '../framing.js';

export interface ClientStreamLink {
  /** Sends one STREAM packet; calls back once it is handed to the socket. */
  send(status: number, payload: Buffer, callback: (error?: Error | null) => void): void;
  pauseInput(): void;
  resumeInput(): void;
  /** The stream is over: forget its serial. */
  finished(): void;
}

export class ClientConsoleStream extends Duplex {
  private finishing: ((error?: Error | null) => void) | null = null;
  private over = false;
  private inputPaused = false;

  constructor(private readonly link: ClientStreamLink) {
    super({ allowHalfOpen: false });
  }

  /** A STREAM packet from the server for this stream. */
  receive(status: number, payload: Buffer): void {
    if (this.over) return;
    if (status === MessageStatus.CONTINUE) {
      if (payload.length === 0) {
        this.push(null);
        return;
      }
      if (!this.push(payload) && !this.inputPaused) {
        this.inputPaused = true;
        this.link.pauseInput();
      }
      return;
    }
    if (status === MessageStatus.OK) {
      // The confirmation of our finish or abort.
      const finishing = this.finishing;
      this.finishing = null;
      this.end_();
      if (finishing !== null) finishing();
      return;
    }
    this.end_();
  }

  /** A stream error from the server (STREAM with status ERROR). */
  fail(error: VirError): void {
    if (this.over) return;
    this.end_();
    const finishing = this.finishing;
    this.finishing = null;
    if (finishing !== null) finishing(error);
    else this.destroy(error);
  }

  override _read(): void {
    if (this.inputPaused) {
      this.inputPaused = false;
      this.link.resumeInput();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.over) {
      callback(new Error('the console stream is closed'));
      return;
    }
    let at = 0;
    const next = (error?: Error | null): void => {
      if (error !== undefined && error !== null) {
        callback(error);
        return;
      }
      if (at >= chunk.length) {
        callback();
        return;
      }
      const piece = chunk.subarray(at, at + STREAM_CHUNK_MAX);
      at += piece.length;
      this.link.send(MessageStatus.CONTINUE, piece, next);
    };
    next();
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.over) {
      callback();
      return;
    }
    this.finishing = (error) => {
      callback(error);
    };
    this.link.send(MessageStatus.OK, Buffer.alloc(0), (error) => {
      if (error !== undefined && error !== null) {
        this.finishing = null;
        callback(error);
      }
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.over) {
      // An abort: the server confirms it, but nothing waits for that.
      this.link.send(MessageStatus.ERROR, Buffer.alloc(0), () => undefined);
      this.end_();
    }
    callback(error);
  }

  /** The connection closed under the stream. */
  connectionLost(error: VirError): void {
    if (this.over) return;
    this.end_();
    this.destroy(error);
  }

  private end_(): void {
    if (this.over) return;
    this.over = true;
    if (this.inputPaused) {
      this.inputPaused = false;
      this.link.resumeInput();
    }
    this.link.finished();
    this.push(null);
  }
}
