// A real pty for a running domain, offered while a daemon lives: what a guest writes (the
// log, followed from its end) is written to the pty master, and what is typed on the pty
// goes into the console FIFO. So `screen /dev/pts/N` works, and the live XML can show
// <source path='/dev/pts/N'/>. The pty dies with the daemon (or stop()); the VM does not
// care: its console is the log and the FIFO, never the pty.
//
//   startPtyBridge(paths, processExited) → PtyBridge { path, stop() }    stops by itself
//     when processExited settles.
//
// The pty is not a console session: it takes no owner record, and `virsh console` and a
// terminal on the pty may be used at once (both see all output; typed bytes interleave).
// Output written while nobody has the pty open waits in the pty's buffer (about 13 KiB in
// raw mode) and then in the log: the bridge stops reading the log while the pty is full
// and looks again with a backoff of up to a second.
//
// openpty() comes from node-pty's native binding (`native.open`; its public open() reads
// the slave itself, which would steal output from the terminal). The slave is kept open by
// the bridge (so the master never reads EIO between terminals) in raw mode, as QEMU sets its
// pty chardevs. Cost per domain: master and slave fds, the log fd and its inotify watch,
// the FIFO fd once something was typed, two tty handles; no process.

import fs from 'node:fs';
import tty from 'node:tty';
import { createRequire } from 'node:module';
import type net from 'node:net';
import { VirError } from '../../errors.js';
import { LogFollower } from './log-follower.js';
import { openConsoleInput, type ConsolePaths } from './console-files.js';

export interface PtyBridge {
  /** /dev/pts/N */
  readonly path: string;
  /** Resolves once the bridge has stopped (after stop() or the VM's exit). */
  readonly stopped: Promise<void>;
  /** Closes the pty; the VM and its console files are untouched. Idempotent. */
  stop(): Promise<void>;
}

interface OpenPty {
  master: number;
  slave: number;
  pty: string;
}

type OpenPtyFunction = (cols: number, rows: number) => OpenPty;

let openPtyFunction: OpenPtyFunction | undefined;

function loadOpenPty(): OpenPtyFunction {
  if (openPtyFunction !== undefined) return openPtyFunction;
  let open: unknown;
  try {
    const module = createRequire(import.meta.url)('node-pty') as { native?: { open?: unknown } };
    open = module.native?.open;
  } catch (error) {
    throw new VirError('VIR_ERR_NO_SUPPORT', `pty consoles need the node-pty package, which cannot be loaded: ${(error as Error).message}`, { cause: error });
  }
  if (typeof open !== 'function') {
    throw new VirError('VIR_ERR_NO_SUPPORT', 'pty consoles need openpty() from node-pty (native.open), which this node-pty version lacks');
  }
  openPtyFunction = open as OpenPtyFunction;
  return openPtyFunction;
}

const RETRY_MIN_MS = 10;
const RETRY_MAX_MS = 1000;
// After the VM exits, how long its last output may wait for a reader of the pty.
const EXIT_FLUSH_MS = 2000;

class Bridge implements PtyBridge {
  readonly stopped: Promise<void>;
  private resolveStopped: () => void = () => undefined;
  private done = false;
  private input: net.Socket | undefined;
  private opening: Promise<net.Socket | undefined> | undefined;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    readonly path: string,
    private readonly masterFd: number,
    private readonly master: tty.ReadStream,
    private readonly slave: tty.ReadStream,
    private readonly follower: LogFollower,
    private readonly inputFifo: string,
  ) {
    this.stopped = new Promise((resolve) => {
      this.resolveStopped = resolve;
    });
    follower.on('data', (chunk: Buffer) => {
      follower.pause();
      this.writeMaster(chunk, 0, RETRY_MIN_MS);
    });
    follower.on('error', () => void this.stop());
    follower.on('end', () => void this.stop());
    master.on('data', (chunk: Buffer) => {
      this.type(chunk);
    });
    // EIO cannot come while the bridge holds the slave; any error ends the bridge.
    master.on('error', () => void this.stop());
    slave.on('error', () => undefined);
  }

  // Output towards the terminal. A full pty (nobody reading it) answers EAGAIN: wait, with a
  // backoff, while the log keeps the rest.
  private writeMaster(chunk: Buffer, offset: number, backoff: number): void {
    if (this.done) return;
    fs.write(this.masterFd, chunk, offset, chunk.length - offset, null, (error, written) => {
      if (this.done) return;
      if (error !== null) {
        if (error.code !== 'EAGAIN') {
          void this.stop();
          return;
        }
        this.retry = setTimeout(() => {
          this.retry = undefined;
          this.writeMaster(chunk, offset, Math.min(backoff * 2, RETRY_MAX_MS));
        }, backoff);
        return;
      }
      if (offset + written < chunk.length) this.writeMaster(chunk, offset + written, RETRY_MIN_MS);
      else this.follower.resume();
    });
  }

  // Input from the terminal, into the FIFO (opened on first use) with backpressure.
  private type(chunk: Buffer): void {
    if (this.input !== undefined) {
      if (!this.input.write(chunk)) this.master.pause();
      return;
    }
    this.master.pause();
    this.opening ??= openConsoleInput(this.inputFifo).then(
      (socket) => {
        if (this.done) {
          socket.destroy();
          return undefined;
        }
        socket.on('drain', () => this.master.resume());
        socket.on('error', () => undefined);
        this.input = socket;
        return socket;
      },
      () => undefined,
    );
    void this.opening.then((socket) => {
      this.opening = undefined;
      if (socket === undefined || this.done) return;
      if (socket.write(chunk)) this.master.resume();
    });
  }

  async stop(): Promise<void> {
    if (this.done) return this.stopped;
    this.done = true;
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.follower.destroy();
    this.input?.destroy();
    await Promise.all([closed(this.master), closed(this.slave)]);
    this.resolveStopped();
    return this.stopped;
  }
}

function closed(stream: tty.ReadStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.closed) {
      resolve();
      return;
    }
    stream.once('close', () => {
      resolve();
    });
    stream.destroy();
  });
}

/**
 * Opens a pty bridged to the domain's console files. Rejects with VIR_ERR_NO_SUPPORT when
 * node-pty is not available, and VirError when the log cannot be followed.
 */
export async function startPtyBridge(paths: ConsolePaths, processExited: Promise<unknown>): Promise<PtyBridge> {
  const openPty = loadOpenPty();
  const follower = await LogFollower.open(paths.logFile);
  let pty: OpenPty;
  try {
    pty = openPty(80, 24);
  } catch (error) {
    follower.destroy();
    throw new VirError('VIR_ERR_OPERATION_FAILED', `Unable to open a pty for the console: ${(error as Error).message}`, { cause: error });
  }
  // Wrapping the slave re-opens it close-on-exec (libuv); raw mode: no echo, no line editing.
  const slave = new tty.ReadStream(pty.slave);
  slave.setRawMode(true);
  const master = new tty.ReadStream(pty.master);
  const bridge = new Bridge(pty.pty, pty.master, master, slave, follower, paths.inputFifo);
  const onExit = (): void => {
    // Deliver what the VM wrote last before the pty goes, unless nobody takes it.
    follower.finish();
    setTimeout(() => void bridge.stop(), EXIT_FLUSH_MS).unref();
  };
  void processExited.then(onExit, onExit);
  return bridge;
}
