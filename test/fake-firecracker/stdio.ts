// Writes to stdout/stderr the way a native process does: straight to the file descriptor, in
// order, without Node's stream buffering (which would lose bytes at process.exit). A pipe that
// is full makes the write wait, like Firecracker's serial console does; a pipe whose reader is
// gone (EPIPE) drops the bytes, as Firecracker ignores SIGPIPE on its serial output.
import fs from 'node:fs';

/** Console bytes kept while stdout cannot take them; beyond this they are lost. */
const MAX_PENDING_BYTES = 1024 * 1024;

export class Stdio {
  /** Called once when stdout's reader has gone away. */
  onBrokenPipe: (() => void) | undefined;
  private brokenPipeReported = false;
  private readonly pending: [number, Buffer][] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor() {
    // A full pipe must not stop the API (Firecracker writes the console from the vCPU
    // thread): have libuv open pipes and sockets, which puts them in non-blocking mode.
    for (const [fd, stream] of [[1, 'stdout'], [2, 'stderr']] as const) {
      try {
        const st = fs.fstatSync(fd);
        if (st.isFIFO() || st.isSocket()) process[stream].on('error', () => undefined);
      } catch {
        // closed descriptor: nothing to write to anyway
      }
    }
  }

  write(stream: 'stdout' | 'stderr', text: string | Buffer): void {
    const fd = stream === 'stdout' ? 1 : 2;
    const data = typeof text === 'string' ? Buffer.from(text) : text;
    if (this.pending.length > 0) {
      this.queue(fd, data);
      return;
    }
    this.tryWrite(fd, data);
  }

  /** Blocks until everything queued is written (or cannot be). */
  flush(): void {
    const deadline = Date.now() + 2000;
    while (this.pending.length > 0 && Date.now() < deadline) {
      const [fd, data] = this.pending[0] ?? [1, Buffer.alloc(0)];
      const rest = this.writeSome(fd, data);
      if (rest === undefined || rest.length === 0) this.dequeue();
      else this.replaceFirst(fd, rest);
    }
  }

  private tryWrite(fd: number, data: Buffer): void {
    const rest = this.writeSome(fd, data);
    if (rest !== undefined && rest.length > 0) {
      this.queue(fd, rest);
      this.schedule();
    }
  }

  private queue(fd: number, data: Buffer): void {
    if (this.pendingBytes + data.length > MAX_PENDING_BYTES) return;
    this.pending.push([fd, data]);
    this.pendingBytes += data.length;
  }

  private dequeue(): void {
    const first = this.pending.shift();
    if (first !== undefined) this.pendingBytes -= first[1].length;
  }

  /** Writes what the fd takes now; returns what is left, undefined when the fd is unusable. */
  private writeSome(fd: number, data: Buffer): Buffer | undefined {
    let offset = 0;
    while (offset < data.length) {
      try {
        offset += fs.writeSync(fd, data, offset);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'EAGAIN') return data.subarray(offset);
        if (code === 'EPIPE' && fd === 1 && !this.brokenPipeReported) {
          this.brokenPipeReported = true;
          this.onBrokenPipe?.();
        }
        return undefined;
      }
    }
    return data.subarray(offset);
  }

  private replaceFirst(fd: number, rest: Buffer): void {
    const first = this.pending[0];
    if (first !== undefined) this.pendingBytes -= first[1].length - rest.length;
    this.pending[0] = [fd, rest];
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      while (this.pending.length > 0) {
        const [fd, data] = this.pending[0] ?? [1, Buffer.alloc(0)];
        const rest = this.writeSome(fd, data);
        if (rest !== undefined && rest.length > 0) {
          this.replaceFirst(fd, rest);
          this.schedule();
          return;
        }
        this.dequeue();
      }
    }, 2);
  }
}
