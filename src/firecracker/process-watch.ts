// Watching and stopping a Firecracker process that may not be our child: after a driver
// restart (or in another CLI invocation) the VM runs on, re-parented to init, and Node has
// no pidfd to wait on. Every call here names the process by (pid, start time) so a recycled
// pid is never mistaken for the VM, and never signalled.
//
//   watchProcessExit(pid, startTime, { apiSocket, pollMs, ref }) → ProcessExitWatch
//     a Promise<void> that resolves once the process is gone, with cancel(). With an API
//     socket it holds one idle connection to it (the kernel closes it when the process dies)
//     and confirms with /proc; without one, or while the socket refuses, it polls /proc
//     every pollMs (default 1000). Cost per watched domain: one socket fd (or one timer).
//   terminate(pid, startTime, { graceMs }) → Promise<'gone' | 'terminated' | 'killed'>
//     SIGTERM, then SIGKILL after graceMs (default 5000), resolved once the process is gone.

import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { isProcessAlive } from './process-info.js';
import { VirError } from '../errors.js';

export interface ProcessExitWatch extends Promise<void> {
  /** Stops watching and releases the socket or timer; the promise then never settles. */
  cancel(): void;
}

export interface WatchProcessExitOptions {
  /** Firecracker's API socket: one idle connection to it tells of the death at once. */
  apiSocket?: string;
  /** How often to look at /proc when no socket tells (ms). */
  pollMs?: number;
  /** Keep the event loop alive while watching (default false: a watch never holds a CLI open). */
  ref?: boolean;
}

export function watchProcessExit(pid: number, startTime: number, options: WatchProcessExitOptions = {}): ProcessExitWatch {
  const pollMs = options.pollMs ?? 1000;
  const ref = options.ref ?? false;
  let settled = false;
  let socket: net.Socket | undefined;
  let timer: NodeJS.Timeout | undefined;
  let resolveExit: () => void = () => undefined;

  const stop = (): void => {
    settled = true;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    socket?.destroy();
    socket = undefined;
  };

  const isSettled = (): boolean => settled;
  const check = async (): Promise<boolean> => {
    if (settled) return true;
    if (await isProcessAlive(pid, startTime)) return false;
    // Another check (or cancel) may have settled it while /proc was read.
    if (!isSettled()) {
      stop();
      resolveExit();
    }
    return true;
  };

  const schedulePoll = (): void => {
    if (settled) return;
    timer = setTimeout(() => {
      timer = undefined;
      void check().then((gone) => {
        if (!gone) watch();
      });
    }, pollMs);
    if (!ref) timer.unref();
  };

  // Prefer the socket; fall back to polling while it cannot be used.
  const watch = (): void => {
    if (settled) return;
    if (options.apiSocket === undefined) {
      schedulePoll();
      return;
    }
    const connection = net.connect(options.apiSocket);
    socket = connection;
    if (!ref) connection.unref();
    let connectedAt: number | undefined;
    connection.on('connect', () => {
      connectedAt = Date.now();
    });
    // Firecracker never writes unasked; anything read is discarded.
    connection.on('data', () => undefined);
    connection.on('error', () => undefined);
    connection.on('close', () => {
      if (socket === connection) socket = undefined;
      if (settled) return;
      void check().then((gone) => {
        if (gone) return;
        // Still alive. A connection that lasted is re-made at once; a refused one, or one the
        // VM keeps dropping (say, at its connection limit), only after a poll interval.
        if (connectedAt !== undefined && Date.now() - connectedAt >= Math.min(pollMs, 1000)) watch();
        else schedulePoll();
      });
    });
  };

  const promise = new Promise<void>((resolve) => {
    resolveExit = resolve;
  }) as ProcessExitWatch;
  promise.cancel = stop;
  void check().then((gone) => {
    if (!gone) watch();
  });
  return promise;
}

export interface TerminateOptions {
  /** Time between SIGTERM and SIGKILL (ms). */
  graceMs?: number;
  /** How often to look whether it is gone (ms). */
  pollMs?: number;
}

/** What terminate() found or did. */
export type TerminateResult = 'gone' | 'terminated' | 'killed';

/**
 * Stops the process (pid, startTime): SIGTERM, SIGKILL after graceMs, resolved once /proc no
 * longer shows it. Resolves 'gone' without signalling when it had already exited (or the pid
 * now belongs to another process).
 */
export async function terminate(pid: number, startTime: number, options: TerminateOptions = {}): Promise<TerminateResult> {
  const graceMs = options.graceMs ?? 5000;
  const pollMs = options.pollMs ?? 20;
  if (!(await isProcessAlive(pid, startTime))) return 'gone';
  if (!sendSignal(pid, 'SIGTERM')) return 'gone';
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await delay(pollMs);
    if (!(await isProcessAlive(pid, startTime))) return 'terminated';
  }
  // The start time was checked a moment ago: the pid is still the same process.
  if (!(await isProcessAlive(pid, startTime))) return 'terminated';
  if (!sendSignal(pid, 'SIGKILL')) return 'terminated';
  const killDeadline = Date.now() + 10_000;
  while (Date.now() < killDeadline) {
    await delay(pollMs);
    if (!(await isProcessAlive(pid, startTime))) return 'killed';
  }
  // libvirt's words (virProcessKillPainfully) for a process that outlives SIGKILL.
  throw new VirError('VIR_ERR_SYSTEM_ERROR', `Failed to terminate process ${pid} with SIGKILL: still running 10 seconds later (stuck in the kernel?)`);
}

function sendSignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw new VirError('VIR_ERR_SYSTEM_ERROR', `Failed to send ${signal} to process ${pid}: ${(error as Error).message}`, { cause: error });
  }
}
