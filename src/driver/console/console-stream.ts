// openConsoleStream: the guest's serial console as a Duplex, for any process (the daemon, a
// restarted daemon, a one-shot CLI). Reading follows the domain log from its end at open time
// (LogFollower); writing goes into the console FIFO with backpressure. At most one session
// per domain (console-owner.ts): a live holder refuses a second one unless `force`, and a
// forced takeover ends the previous session's stream wherever it runs.
//
// The stream ends ('end', then it is destroyed) when:
//   - processExited settles, a write finds no reader on the FIFO, or the driver removes the
//     owner record after the VM stopped: the VM is gone; everything it wrote is delivered first;
//   - signal aborts: the caller gives up;
//   - another session forces the console away (endReason 'forced');
// and destroy() by the caller closes it (endReason 'closed'). Cost while open: two fds for
// the log and the FIFO, one for the owner-record watch, and one inotify watch per file.

import { Duplex } from 'node:stream';
import type net from 'node:net';
import { LogFollower } from './log-follower.js';
import { acquireConsole, type ConsoleOwnership } from './console-owner.js';
import { openConsoleInput, type ConsolePaths } from './console-files.js';

export interface OpenConsoleOptions {
  /** Take the console from another live session (VIR_DOMAIN_CONSOLE_FORCE). */
  force?: boolean;
  /** Settles when the VM process has exited (e.g. watchProcessExit() or the child's exit). */
  processExited?: Promise<unknown>;
  /** Ends the stream when aborted. */
  signal?: AbortSignal;
  /** Where to start reading the log; default: its end at open time. */
  from?: number;
}

/** Why a console stream ended. */
export type ConsoleEndReason = 'exited' | 'forced' | 'aborted' | 'closed';

export class ConsoleStream extends Duplex {
  private reason: ConsoleEndReason | undefined;

  constructor(
    private readonly follower: LogFollower,
    private readonly input: net.Socket,
    private readonly ownership: ConsoleOwnership,
  ) {
    super({ allowHalfOpen: true, readableHighWaterMark: 64 * 1024, writableHighWaterMark: 16 * 1024 });
    follower.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) follower.pause();
    });
    follower.on('end', () => {
      this.push(null);
    });
    follower.on('error', (error) => {
      this.destroy(error);
    });
    // EPIPE: no process reads the FIFO any more, so the VM is gone (it holds the read end
    // until it exits) — the same as processExited, for callers that could not give one.
    input.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') this.stop('exited');
    });
    this.once('end', () => {
      // Nothing more to read means nothing more to type to.
      this.destroy();
    });
    // Removed: the driver cleaned up after the VM stopped; replaced: a forced takeover.
    ownership.onLost((how) => {
      this.stop(how === 'removed' ? 'exited' : 'forced');
    });
  }

  /** Why the stream ended; undefined while it runs. */
  get endReason(): ConsoleEndReason | undefined {
    return this.reason;
  }

  /**
   * Ends the stream for `reason`. 'exited' delivers everything the VM wrote first; the others
   * end it at once.
   */
  stop(reason: Exclude<ConsoleEndReason, 'closed'>): void {
    if (this.reason !== undefined || this.destroyed) return;
    this.reason = reason;
    this.input.destroy();
    if (reason === 'exited') {
      this.follower.finish();
    } else {
      this.follower.destroy();
      this.push(null);
      // 'end' only comes once the consumer reads; a paused consumer still sees it later.
      if (this.readableFlowing !== true && this.readableLength === 0) this.read(0);
    }
  }

  override _read(): void {
    this.follower.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.input.destroyed) {
      callback();
      return;
    }
    // The callback comes once the bytes are in the FIFO: the Duplex's own buffer is the only
    // one, and it stays at writableHighWaterMark while the guest does not read.
    this.input.write(chunk, (error) => {
      if (error === null || error === undefined || this.reason !== undefined) {
        callback();
      } else if ((error as NodeJS.ErrnoException).code === 'EPIPE') {
        this.stop('exited');
        callback();
      } else {
        callback(error);
      }
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.input.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.reason ??= 'closed';
    this.follower.destroy();
    this.input.destroy();
    this.ownership.release().then(
      () => { callback(error); },
      () => { callback(error); },
    );
  }
}

/**
 * Opens the console of the domain whose files are `paths`. Rejects with VirError:
 * VIR_ERR_OPERATION_FAILED "Active console session exists for this domain" when another live
 * session holds it and `force` is not set, or when the VM is not running (nobody reads the
 * FIFO).
 */
export async function openConsoleStream(paths: ConsolePaths, options: OpenConsoleOptions = {}): Promise<ConsoleStream> {
  const ownership = await acquireConsole(paths.ownerFile, { force: options.force ?? false });
  let follower: LogFollower | undefined;
  let input: net.Socket | undefined;
  try {
    follower = await LogFollower.open(paths.logFile, options.from === undefined ? {} : { from: options.from });
    input = await openConsoleInput(paths.inputFifo);
  } catch (error) {
    follower?.destroy();
    await ownership.release();
    throw error;
  }
  const stream = new ConsoleStream(follower, input, ownership);
  const onExit = (): void => {
    stream.stop('exited');
  };
  void options.processExited?.then(onExit, onExit);
  if (options.signal !== undefined) {
    const signal = options.signal;
    const onAbort = (): void => {
      stream.stop('aborted');
    };
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      stream.once('close', () => {
        signal.removeEventListener('abort', onAbort);
      });
    }
  }
  return stream;
}
