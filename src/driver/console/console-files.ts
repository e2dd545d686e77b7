// The files that wire a Firecracker process's serial console so that it outlives whoever
// started it and never stalls the guest:
//   - logFile:   Firecracker's stdout and stderr (fds 1 and 2), opened O_APPEND: every byte
//                of serial output lands there whether or not anyone watches, and a regular
//                file never blocks the writer.
//   - inputFifo: Firecracker's stdin (fd 0), a FIFO opened O_RDWR so the VM itself holds a
//                write end and never reads EOF while no one types; any process types by
//                opening it O_WRONLY|O_NONBLOCK (openConsoleInput).
//   - ownerFile: who holds the console now (console-owner.ts).
//
//   prepareConsoleFiles(paths) → { stdio: [fd0, fd1, fd2], logOffset, close() }   before spawn;
//     pass stdio to spawn() and close() the parent's copies right after it.
//   removeConsoleFiles(paths)  → after the VM stopped: removes the FIFO and the owner record
//     (the log stays, as libvirt's domain logs do).

import fs from 'node:fs';
import { mkdir, open, stat, unlink, type FileHandle } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { VirError } from '../../errors.js';

const execFileAsync = promisify(execFile);

/** Where one domain's console lives. */
export interface ConsolePaths {
  /** The domain log: serial output plus Firecracker's own messages. */
  logFile: string;
  /** The FIFO that is Firecracker's stdin. */
  inputFifo: string;
  /** The console owner record (console-owner.ts). */
  ownerFile: string;
}

export interface ConsoleFiles {
  /** fds for the child's stdin, stdout and stderr. */
  readonly stdio: [number, number, number];
  /** The log's size when it was opened: where this run's output starts (waitForApiSocket's logOffset). */
  readonly logOffset: number;
  /** Closes this process's copies (after spawn, or when spawn failed). Idempotent. */
  close(): Promise<void>;
}

function systemError(what: string, file: string, error: unknown): VirError {
  const detail = error instanceof Error && 'stderr' in error && typeof error.stderr === 'string' && error.stderr.trim() !== ''
    ? error.stderr.trim()
    : (error as Error).message;
  return new VirError('VIR_ERR_SYSTEM_ERROR', `Unable to ${what} '${file}': ${detail}`, { cause: error });
}

async function makeFifo(fifo: string): Promise<void> {
  try {
    await unlink(fifo);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw systemError('remove the old console FIFO', fifo, error);
  }
  try {
    // Node has no mkfifo(); coreutils' is on every Linux fcvirt runs on.
    await execFileAsync('mkfifo', ['-m', '600', fifo]);
  } catch (error) {
    throw systemError('create the console FIFO', fifo, error);
  }
}

export async function prepareConsoleFiles(paths: ConsolePaths): Promise<ConsoleFiles> {
  for (const dir of new Set([path.dirname(paths.logFile), path.dirname(paths.inputFifo), path.dirname(paths.ownerFile)])) {
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw systemError('create directory', dir, error);
    }
  }
  let log: FileHandle | undefined;
  let input: FileHandle | undefined;
  let logOffset: number;
  try {
    try {
      log = await open(paths.logFile, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
      logOffset = (await log.stat()).size;
    } catch (error) {
      throw systemError('open the domain log', paths.logFile, error);
    }
    await makeFifo(paths.inputFifo);
    try {
      // O_RDWR on a FIFO does not wait for a peer (Linux), and leaves the child a write end.
      input = await open(paths.inputFifo, fs.constants.O_RDWR);
    } catch (error) {
      throw systemError('open the console FIFO', paths.inputFifo, error);
    }
  } catch (error) {
    await log?.close();
    await unlink(paths.inputFifo).catch(() => undefined);
    throw error;
  }
  const handles = [input, log];
  let closed = false;
  return {
    stdio: [input.fd, log.fd, log.fd],
    logOffset,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(handles.map((handle) => handle.close()));
    },
  };
}

export async function removeConsoleFiles(paths: ConsolePaths): Promise<void> {
  for (const file of [paths.inputFifo, paths.ownerFile]) {
    await unlink(file).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw systemError('remove', file, error);
    });
  }
}

/**
 * Opens the console FIFO for typing, as a stream with backpressure (a full FIFO means the
 * guest is not reading: write() returns false and 'drain' comes when it reads again).
 * Fails when no process holds the FIFO open for reading (the VM is not running).
 */
export async function openConsoleInput(inputFifo: string): Promise<net.Socket> {
  let info: fs.Stats;
  try {
    info = await stat(inputFifo);
  } catch (error) {
    throw new VirError('VIR_ERR_OPERATION_FAILED', `cannot open console input '${inputFifo}': ${(error as Error).message} (is the domain running?)`, { cause: error });
  }
  if (!info.isFIFO()) throw new VirError('VIR_ERR_OPERATION_FAILED', `console input '${inputFifo}' is not a FIFO`);
  let fd: number;
  try {
    // Non-blocking: with no reader, open fails with ENXIO instead of waiting for one.
    fd = fs.openSync(inputFifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENXIO' ? 'no process reads it (the domain is not running)' : (error as Error).message;
    throw new VirError('VIR_ERR_OPERATION_FAILED', `cannot open console input '${inputFifo}': ${reason}`, { cause: error });
  }
  // libuv drives a FIFO fd like a pipe: writes wait for POLLOUT instead of failing with EAGAIN.
  return new net.Socket({ fd, readable: false, writable: true });
}
