// Starting, stopping and re-attaching Firecracker processes (libvirt's ch_process.c).
//
// Start, in order, each step undone when a later one fails (no stray process, socket, tap,
// FIFO or status file):
//   binary + version (before anything is created) → dry-run plan (refusals for this version)
//   → runtime dir → status file "paused (starting up)" (the journal: a driver killed from here
//   on finds the attempt at its next start) → console files → taps → spawn (own session,
//   stdin = console FIFO, stdout/stderr = domain log) → wait for the API socket (fails at once,
//   quoting Firecracker's stderr, when the process dies first) → apply the plan, InstanceStart
//   last (Firecracker's fault_message verbatim with the request that failed) → status file
//   "running (booted)".
// Stop: SIGTERM, SIGKILL after a grace period; then taps, console files, runtime dir and
// status file are removed. Re-attach: same pid, same start time, and the API answers.

import fs from 'node:fs/promises';
import { DomainState, PausedReason, RunningReason } from '../api/constants.js';
import { formatDomainXML } from '../conf/index.js';
import type { DomainDef } from '../conf/domain-def.js';
import { VirError } from '../errors.js';
import { FirecrackerApiClient } from '../firecracker/api-client.js';
import { firecrackerInstanceId, readLogTail, spawnFirecracker, waitForApiSocket } from '../firecracker/launcher.js';
import { buildPlan, withPlanDefaults } from '../firecracker/plan/index.js';
import { isProcessAlive, readProcessStartTime } from '../firecracker/process-info.js';
import { terminate, watchProcessExit } from '../firecracker/process-watch.js';
import type { FirecrackerVersion } from '../firecracker/version.js';
import { formatVersion } from '../firecracker/version.js';
import { writeFileAtomic } from './atomic-file.js';
import { prepareConsoleFiles, removeConsoleFiles, type ConsolePaths } from './console/console-files.js';
import type { DomainRuntime } from './domain-object.js';
import type { ExitStatus } from './guest-exit.js';
import { prepareInterfaces, releaseInterfaces } from './net/interfaces.js';
import { checkSocketPath, domainPaths, planPaths as planPathsFor, type DriverLayout } from './paths.js';
import { formatStatus } from './status-file.js';

export interface ResolvedBinary {
  path: string;
  version: FirecrackerVersion;
}

export interface ProcessTimeouts {
  /** How long Firecracker may take to listen on its API socket. */
  apiSocketMs: number;
  /** How long one API request may take. */
  apiRequestMs: number;
  /** SIGTERM → SIGKILL. */
  terminateGraceMs: number;
}

export interface ProcessContext {
  layout: DriverLayout;
  timeouts: ProcessTimeouts;
  /** Reports a problem that does not fail the operation (cleanup that went wrong). */
  warn: (message: string) => void;
}

/** Tells when a Firecracker process ends. */
export interface ProcessMonitor {
  /** Its exit status when it is this process's child; undefined when it cannot be known. */
  readonly exited: Promise<ExitStatus | undefined>;
  cancel(): void;
}

export interface StartedProcess {
  runtime: DomainRuntime;
  monitor: ProcessMonitor;
}

export function consolePathsOf(runtime: DomainRuntime): ConsolePaths {
  return { logFile: runtime.consoleLog, inputFifo: runtime.consoleInput, ownerFile: runtime.consoleOwner };
}

/** Writes the status file of a domain (atomically; durably unless it is an intermediate journal entry). */
export async function writeStatusFile(statusFile: string, state: number, reason: number, def: DomainDef, runtime: DomainRuntime, durable = true): Promise<void> {
  const domainXml = formatDomainXML(def, { live: true });
  await writeFileAtomic(statusFile, formatStatus({ state, reason, domainId: def.id ?? -1, runtime, domainXml }), { durable });
}

/**
 * Starts `liveDef` (already prepared: id, aliases, CID) with `binary`. `liveDef` is updated in
 * place with what is decided here (tap names of bridge interfaces).
 */
export async function startProcess(
  context: ProcessContext,
  liveDef: DomainDef,
  binary: ResolvedBinary,
  options: { paused: boolean; autodestroy?: string | undefined },
): Promise<StartedProcess> {
  const { layout, timeouts } = context;
  const paths = domainPaths(layout, liveDef.name, liveDef.uuid);
  checkSocketPath(paths.apiSocket, 'Firecracker API socket');
  if (liveDef.vsock !== undefined) checkSocketPath(paths.vsockSocket, 'vsock socket', '_4294967295'.length);
  const planPaths = planPathsFor(layout, liveDef);
  // Everything this Firecracker version refuses is refused now, before anything exists.
  buildPlan(withPlanDefaults(liveDef), binary.version, planPaths);

  const undo: (() => Promise<unknown>)[] = [];
  const runtime: DomainRuntime = {
    pid: 0,
    startTime: 0,
    binary: binary.path,
    version: formatVersion(binary.version),
    runtimeDir: paths.runtimeDir,
    apiSocket: paths.apiSocket,
    consoleLog: paths.logFile,
    consoleInput: paths.consoleInput,
    consoleOwner: paths.consoleOwner,
    tapsCreated: [],
    shutdownRequested: false,
    logOffset: 0,
    ...(options.autodestroy === undefined ? {} : { autodestroy: options.autodestroy }),
  };
  // The entries before the last one only need to survive the driver being killed, which an
  // atomic rename gives; the last one is flushed to disk.
  const journal = (state: number, reason: number, durable = false): Promise<void> => writeStatusFile(paths.statusFile, state, reason, liveDef, runtime, durable);
  try {
    await fs.mkdir(layout.stateDir, { recursive: true, mode: 0o755 });
    await fs.mkdir(layout.logDir, { recursive: true, mode: 0o755 });
    await fs.rm(paths.runtimeDir, { recursive: true, force: true });
    await fs.mkdir(paths.runtimeDir, { mode: 0o700 });
    undo.push(() => fs.rm(paths.runtimeDir, { recursive: true, force: true }));

    await journal(DomainState.PAUSED, PausedReason.STARTING_UP);
    undo.push(() => fs.rm(paths.statusFile, { force: true }));

    const consolePaths = consolePathsOf(runtime);
    const consoleFiles = await prepareConsoleFiles(consolePaths);
    undo.push(() => removeConsoleFiles(consolePaths));
    undo.push(() => consoleFiles.close());

    const network = await prepareInterfaces(liveDef.interfaces);
    liveDef.interfaces = network.interfaces;
    runtime.tapsCreated = network.created;
    undo.push(() => releaseInterfaces(network.created));
    if (network.created.length > 0) await journal(DomainState.PAUSED, PausedReason.STARTING_UP);

    const plan = buildPlan(liveDef, binary.version, planPaths);
    runtime.logOffset = (await fs.stat(paths.logFile)).size;

    const child = await spawnFirecracker({
      binary: binary.path,
      version: binary.version,
      apiSocket: paths.apiSocket,
      id: firecrackerInstanceId(liveDef.name, liveDef.uuid),
      stdio: consoleFiles.stdio,
      cwd: paths.runtimeDir,
    });
    await consoleFiles.close();
    runtime.pid = child.pid;
    runtime.startTime = child.startTime;
    const monitor = childMonitor(child.exited);
    undo.push(() => terminate(child.pid, child.startTime, { graceMs: 0 }));
    await journal(DomainState.PAUSED, PausedReason.STARTING_UP);

    // What waits for the exit only while configuring must not stay attached to the exit
    // promise for the VM's whole life (it would keep the API client alive: memory per domain).
    const exitWhileStarting = detachable(child.exited);
    try {
      await waitForApiSocket(paths.apiSocket, { deadlineMs: timeouts.apiSocketMs, exited: exitWhileStarting.promise, logFile: paths.logFile, logOffset: runtime.logOffset });
      const client = new FirecrackerApiClient(paths.apiSocket, { timeoutMs: timeouts.apiRequestMs, processExited: exitWhileStarting.promise });
      try {
        await client.apply(plan);
        if (options.paused) await client.pause();
      } catch (error) {
        throw await withLastOutput(error, exitWhileStarting.promise, paths.logFile, runtime.logOffset);
      } finally {
        client.close();
      }
    } finally {
      exitWhileStarting.detach();
    }
    if (options.paused) await journal(DomainState.PAUSED, PausedReason.USER, true);
    else await journal(DomainState.RUNNING, RunningReason.BOOTED, true);
    return { runtime, monitor };
  } catch (error) {
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch (cleanupError) {
        context.warn(`cleanup after a failed start of domain '${liveDef.name}': ${(cleanupError as Error).message}`);
      }
    }
    throw error;
  }
}

/**
 * The monitor of a child outlives startProcess: made here, so that its closure does not keep
 * startProcess's whole scope (file handles, the plan, undo steps) alive for the VM's life.
 */
function childMonitor(exited: Promise<ExitStatus>): ProcessMonitor {
  return { exited, cancel: () => undefined };
}

/** A promise that follows `source` until detach(); afterwards it never settles and holds nothing. */
function detachable<T>(source: Promise<T>): { promise: Promise<T>; detach: () => void } {
  const relay: { resolve: ((value: T) => void) | undefined } = { resolve: undefined };
  const promise = new Promise<T>((resolve) => { relay.resolve = resolve; });
  void source.then((value) => { relay.resolve?.(value); });
  return { promise, detach: () => { relay.resolve = undefined; } };
}

/**
 * When the process died under a request, the error gets what it last wrote (its stderr is in
 * the domain log), as libvirt quotes a dead QEMU's log.
 */
async function withLastOutput(error: unknown, exited: Promise<unknown>, logFile: string, logOffset: number): Promise<unknown> {
  const gone = await Promise.race([exited.then(() => true), new Promise<false>((resolve) => { setTimeout(() => { resolve(false); }, 100); })]);
  if (!gone || !(error instanceof VirError)) return error;
  const tail = await readLogTail(logFile, logOffset);
  if (tail === '') return error;
  return new VirError(error.code, `${error.detail}; its last output: ${tail.split('\n').join(' / ')}`, { cause: error });
}

/** Watches a process that is not our child (re-attached): its exit status is unknown. */
export function monitorForeign(runtime: DomainRuntime): ProcessMonitor {
  const watch = watchProcessExit(runtime.pid, runtime.startTime, { apiSocket: runtime.apiSocket });
  return { exited: watch.then(() => undefined), cancel: () => { watch.cancel(); } };
}

/** Stops the process: SIGTERM, then SIGKILL after graceMs; resolves once it is gone. */
export async function stopProcess(runtime: DomainRuntime, graceMs: number): Promise<void> {
  if (runtime.pid <= 0 || runtime.startTime <= 0) return;
  await terminate(runtime.pid, runtime.startTime, { graceMs });
}

/** Removes what a run left on the host: taps it created, console files, runtime dir, status file. */
export async function cleanupRun(context: ProcessContext, runtime: DomainRuntime, statusFile: string): Promise<void> {
  const steps: [string, () => Promise<unknown>][] = [
    ['remove taps', () => releaseInterfaces(runtime.tapsCreated)],
    ['remove console files', () => removeConsoleFiles(consolePathsOf(runtime))],
    ['remove the runtime directory', () => fs.rm(runtime.runtimeDir, { recursive: true, force: true })],
    ['remove the status file', () => fs.rm(statusFile, { force: true })],
  ];
  for (const [what, step] of steps) {
    try {
      await step();
    } catch (error) {
      context.warn(`cannot ${what} of a stopped domain: ${(error as Error).message}`);
    }
  }
}

/** True when the recorded process still runs (same pid and start time) and its API answers. */
export async function probeProcess(runtime: DomainRuntime, timeoutMs: number): Promise<'alive' | 'hung' | 'gone'> {
  if (runtime.pid <= 0 || !(await isProcessAlive(runtime.pid, runtime.startTime))) return 'gone';
  const client = new FirecrackerApiClient(runtime.apiSocket, { timeoutMs });
  try {
    await client.getInstanceInfo();
    return 'alive';
  } catch {
    // A process being torn down (killed a moment ago) no longer answers but is not gone yet:
    // give it a moment before calling it hung.
    const deadline = Date.now() + EXITING_GRACE_MS;
    while (await isProcessAlive(runtime.pid, runtime.startTime)) {
      if (Date.now() > deadline) return 'hung';
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return 'gone';
  } finally {
    client.close();
  }
}

/** How long a process whose API does not answer may take to finish exiting. */
const EXITING_GRACE_MS = 1_000;

/**
 * Finds the Firecracker a driver spawned but did not record (killed between spawn and the
 * journal update): the process whose command line names this API socket.
 */
export async function findProcessBySocket(apiSocket: string): Promise<{ pid: number; startTime: number } | undefined> {
  let entries: string[];
  try {
    entries = await fs.readdir('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = await fs.readFile(`/proc/${entry}/cmdline`, 'latin1');
    } catch {
      continue;
    }
    const args = cmdline.split('\0');
    const index = args.indexOf('--api-sock');
    if (index >= 0 && args[index + 1] === apiSocket) {
      const pid = Number(entry);
      const startTime = await readProcessStartTime(pid);
      if (startTime !== undefined) return { pid, startTime };
    }
  }
  return undefined;
}

/** Sends one API action to a running process, with the driver's request timeout. */
export async function withApi<T>(runtime: DomainRuntime, timeoutMs: number, action: (client: FirecrackerApiClient) => Promise<T>): Promise<T> {
  const client = new FirecrackerApiClient(runtime.apiSocket, { timeoutMs });
  try {
    return await action(client);
  } finally {
    client.close();
  }
}

/** The error for an operation on a process the driver lost. */
export function processGone(name: string): VirError {
  return new VirError('VIR_ERR_OPERATION_FAILED', `the Firecracker process of domain '${name}' is gone`);
}
