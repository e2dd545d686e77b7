// Follows a growing log file like `tail -f`: a Readable of the bytes appended after a given
// offset (by default the end of the file at open time). Growth is noticed with fs.watch and
// read with positional reads, so bursts of any size are delivered exactly once, in order.
//
// It follows the file it opened, not the name: Firecracker keeps writing into the inode its
// fd 1 points to, so a log renamed away still carries the guest's output and is still
// followed. A log truncated in place (logrotate's copytruncate) is read again from its start.
// Backpressure: nothing is read while the consumer does not read; the file is the buffer,
// so a slow reader costs no memory. Cost while open: one fd and one inotify watch; read
// buffers are allocated per read and sized to what is there (at most 64 KiB).

import fs from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { VirError } from '../../errors.js';

const MAX_READ = 64 * 1024;

export interface LogFollowerOptions {
  /** Byte offset to start from; default: the size of the file at open time. */
  from?: number;
}

export class LogFollower extends Readable {
  private position: number;
  private pumping = false;
  private again = false;
  private wanted = false;
  private ending = false;
  private watcher: fs.FSWatcher | undefined;

  private constructor(
    private readonly file: FileHandle,
    readonly path: string,
    from: number,
  ) {
    super({ highWaterMark: MAX_READ });
    this.position = from;
  }

  /** Opens `path` and starts watching it; rejects with VirError when it cannot be read. */
  static async open(path: string, options: LogFollowerOptions = {}): Promise<LogFollower> {
    let file: FileHandle;
    try {
      file = await open(path, 'r');
    } catch (error) {
      throw new VirError('VIR_ERR_SYSTEM_ERROR', `Unable to open log file '${path}': ${(error as Error).message}`, { cause: error });
    }
    try {
      const from = options.from ?? (await file.stat()).size;
      const follower = new LogFollower(file, path, from);
      follower.watcher = fs.watch(path, () => {
        follower.kick();
      });
      follower.watcher.on('error', (error) => {
        follower.destroy(error);
      });
      return follower;
    } catch (error) {
      await file.close();
      throw new VirError('VIR_ERR_SYSTEM_ERROR', `Unable to watch log file '${path}': ${(error as Error).message}`, { cause: error });
    }
  }

  /** The offset of the next byte to deliver. */
  get offset(): number {
    return this.position;
  }

  /**
   * No more will be written (the writer exited): deliver what is in the file now, then end.
   */
  finish(): void {
    if (this.ending) return;
    this.ending = true;
    this.watcher?.close();
    this.watcher = undefined;
    this.kick();
  }

  override _read(): void {
    this.wanted = true;
    this.kick();
  }

  private kick(): void {
    if (this.destroyed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    this.pump()
      .catch((error: unknown) => {
        this.destroy(new VirError('VIR_ERR_SYSTEM_ERROR', `Unable to read log file '${this.path}': ${(error as Error).message}`, { cause: error }));
      })
      .finally(() => {
        this.pumping = false;
        if (this.again) this.kick();
      });
  }

  // One pump at a time (kick() serialises): reads from `position` until the end of the file or
  // until the consumer has enough.
  private async pump(): Promise<void> {
    do {
      this.again = false;
      while (this.wanted && !this.destroyed) {
        const { size } = await this.file.stat();
        // Truncated below what was delivered: the writer starts over at the beginning.
        if (size < this.position) this.position = 0;
        if (size === this.position) break;
        const length = Math.min(size - this.position, MAX_READ);
        const buffer = Buffer.allocUnsafe(length);
        const { bytesRead } = await this.file.read(buffer, 0, length, this.position);
        if (bytesRead === 0 || this.isDestroyed()) break;
        this.position += bytesRead;
        this.wanted = this.push(bytesRead === length ? buffer : buffer.subarray(0, bytesRead));
      }
    } while (this.againRequested() && this.wanted && !this.isDestroyed());
    if (this.ending && this.wanted && !this.isDestroyed() && !this.againRequested()) {
      const { size } = await this.file.stat();
      if (size <= this.position) this.push(null);
      else this.again = true;
    }
  }

  // Read through methods: these change while a pump awaits, which the checker cannot see.
  private isDestroyed(): boolean {
    return this.destroyed;
  }

  private againRequested(): boolean {
    return this.again;
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.file.close().then(
      () => { callback(error); },
      () => { callback(error); },
    );
  }
}
