// Starting Firecracker: find the binary, learn its version, spawn it so that it outlives the
// driver, and wait until its API answers.
//
//   findFirecrackerBinary(emulator?)     → absolute path; `<emulator>` as given, otherwise
//                                          `firecracker` from PATH. VirError before anything
//                                          is created when there is none.
//   probeFirecrackerVersion(binary)      → FirecrackerVersion from `BINARY --version` (the
//                                          plan layer's parser: unsupported versions are
//                                          refused), cached per binary (path + inode + mtime
//                                          + size).
//   firecrackerInstanceId(name, uuid)    → a valid, stable, unique `--id` for the domain.
//   spawnFirecracker(options)            → FirecrackerProcess: its own session, unref'd,
//                                          `--api-sock S --id ID [--level Warning]` (see
//                                          firecrackerArgs); `exited` settles when it exits
//                                          while this process lives.
//   waitForApiSocket(path, options)      → resolves once a connect() succeeds (the API client's
//                                          wait); fails at once, quoting the tail of this run's
//                                          log, if the process exits first.
// Cost per running domain while the driver lives: the ChildProcess object and its exit
// listener (no fd: stdio are the console files, whose parent copies are closed after spawn).

import { spawn, execFile } from 'node:child_process';
import { access, constants, open, stat, unlink } from 'node:fs/promises';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { VirError } from '../errors.js';
import { readProcessStartTime } from './process-info.js';
import { inheritableFds } from './inherited-fds.js';
import { parseVersionOutput, versionAtLeast, type FirecrackerVersion } from './version.js';
import { describeExit, waitForApiSocket as waitForConnectable, type ProcessExit } from './api-client.js';
import { socketAnswers } from '../socket-answers.js';

export type { ProcessExit } from './api-client.js';

// ---------------------------------------------------------------------------------------
// The binary and its version

/** Finds the Firecracker binary: `emulator` when given (the domain's <emulator>), else PATH. */
export async function findFirecrackerBinary(emulator?: string, searchPath = process.env.PATH ?? ''): Promise<string> {
  if (emulator !== undefined) {
    if (!path.isAbsolute(emulator)) {
      throw new VirError('VIR_ERR_CONFIG_UNSUPPORTED', `<emulator> '${emulator}' must be an absolute path`);
    }
    let info;
    try {
      info = await stat(emulator);
    } catch (error) {
      throw new VirError('VIR_ERR_SYSTEM_ERROR', `Cannot check firecracker binary ${emulator}: ${describeErrno(error)}`, { cause: error });
    }
    if (!info.isFile() || !(await isExecutable(emulator))) {
      throw new VirError('VIR_ERR_SYSTEM_ERROR', `firecracker binary ${emulator} is not executable`);
    }
    return emulator;
  }
  for (const dir of searchPath.split(':')) {
    if (dir === '') continue;
    const candidate = path.resolve(dir, 'firecracker');
    try {
      if ((await stat(candidate)).isFile() && (await isExecutable(candidate))) return candidate;
    } catch {
      // Not in this directory.
    }
  }
  // libvirt's words for a binary missing from PATH (virCommand), then what to do.
  throw new VirError('VIR_ERR_SYSTEM_ERROR', "Cannot find 'firecracker' in path: No such file or directory (install Firecracker or name its binary in the domain's <emulator>)");
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function describeErrno(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  return (error as Error).message;
}

const versionCache = new Map<string, { identity: string; version: FirecrackerVersion }>();

/** Runs `BINARY --version` once per binary (re-run when the file changes). */
export async function probeFirecrackerVersion(binary: string): Promise<FirecrackerVersion> {
  let identity: string;
  try {
    const info = await stat(binary);
    identity = `${info.dev}:${info.ino}:${info.mtimeMs}:${info.size}`;
  } catch (error) {
    throw new VirError('VIR_ERR_SYSTEM_ERROR', `Cannot check firecracker binary ${binary}: ${describeErrno(error)}`, { cause: error });
  }
  const cached = versionCache.get(binary);
  if (cached?.identity === identity) return cached.version;
  const { stdout, stderr, failure } = await new Promise<{ stdout: string; stderr: string; failure: Error | null }>((resolve) => {
    execFile(binary, ['--version'], { encoding: 'utf8', timeout: 10_000, maxBuffer: 1024 * 1024 }, (error, out, err) => {
      resolve({ stdout: out, stderr: err, failure: error });
    });
  });
  let version: FirecrackerVersion;
  try {
    // Refuses versions fcvirt does not drive (VIR_ERR_CONFIG_UNSUPPORTED) as well.
    version = parseVersionOutput(stdout);
  } catch (error) {
    if (error instanceof VirError && error.codeName === 'VIR_ERR_CONFIG_UNSUPPORTED') throw error;
    const said = (stderr.trim() || stdout.trim()).split('\n').slice(0, 3).join(' ').slice(0, 300);
    const how = failure === null ? '' : ` (${failure.message.split('\n')[0] ?? ''})`;
    throw new VirError('VIR_ERR_INTERNAL_ERROR', `Cannot get the version of firecracker binary ${binary}${how}: ${said === '' ? 'no output' : `'${said}'`}`, { cause: error });
  }
  versionCache.set(binary, { identity, version });
  return version;
}

// ---------------------------------------------------------------------------------------
// Identity and spawn

const ID_MAX = 64;

/**
 * Firecracker's `--id`: only letters, digits and '-', 1–64 characters (anything else makes it
 * panic at start). The domain name mapped into that alphabet and cut to fit, then '-' and the
 * first 8 hex digits of the uuid, so two names that map alike ("a_b", "a.b") still differ.
 */
export function firecrackerInstanceId(name: string, uuid: string): string {
  const suffix = uuid.replace(/[^0-9A-Fa-f]/g, '').slice(0, 8).toLowerCase();
  const mapped = name.replace(/[^A-Za-z0-9-]/g, '-').slice(0, ID_MAX - suffix.length - 1);
  if (suffix === '') return mapped === '' ? 'fcvirt' : mapped;
  return mapped === '' ? suffix : `${mapped}-${suffix}`;
}

export interface SpawnFirecrackerOptions {
  binary: string;
  /** Its version (probeFirecrackerVersion): the command line differs between versions. */
  version: FirecrackerVersion;
  /** The API socket path (`--api-sock`); a stale socket file there is removed first. */
  apiSocket: string;
  /** `--id`; see firecrackerInstanceId(). */
  id: string;
  /** fds for stdin, stdout, stderr (prepareConsoleFiles().stdio). */
  stdio: [number, number, number];
  /** More arguments after ours (e.g. `--boot-timer`). */
  extraArgs?: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface FirecrackerProcess {
  pid: number;
  /** /proc start time: with pid, the process's identity (see process-info.ts). */
  startTime: number;
  /** The command line it was started with, binary first. */
  argv: string[];
  /** Settles when it exits, while this process lives (a detached child is still our child). */
  exited: Promise<ProcessExit>;
}

// sun_path holds 108 bytes including the terminating NUL.
const SUN_PATH_MAX = 107;

async function clearApiSocket(apiSocket: string): Promise<void> {
  if (Buffer.byteLength(apiSocket) > SUN_PATH_MAX) {
    throw new VirError('VIR_ERR_CONFIG_UNSUPPORTED', `UNIX socket path '${apiSocket}' too long (at most ${SUN_PATH_MAX} bytes)`);
  }
  if (await socketAnswers(apiSocket)) {
    throw new VirError('VIR_ERR_OPERATION_INVALID', `API socket '${apiSocket}' is in use by another process`);
  }
  await unlink(apiSocket).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new VirError('VIR_ERR_SYSTEM_ERROR', `Unable to remove stale API socket '${apiSocket}': ${describeErrno(error)}`, { cause: error });
    }
  });
}

/** The first version whose `--level` does not require `--log-path` (main.rs, v1.5.0). */
const LEVEL_WITHOUT_LOG_PATH: FirecrackerVersion = { major: 1, minor: 5, patch: 0 };

/**
 * The command line: `--api-sock S --id ID`, and `--level Warning` where that is not already
 * the default. Before v1.5.0 Firecracker's level defaults to Warning and `--level` is refused
 * without `--log-path` (exit 153); from v1.5.0 the default is Info — on stdout, the serial
 * console, from v1.16 — so Warning is asked for. No `--log-path`: Firecracker opens it without
 * O_APPEND and would overwrite the domain log; its messages go to stderr/stdout, the log.
 */
export function firecrackerArgs(options: Pick<SpawnFirecrackerOptions, 'apiSocket' | 'id' | 'version' | 'extraArgs'>): string[] {
  const levelFlag = versionAtLeast(options.version, LEVEL_WITHOUT_LOG_PATH);
  return ['--api-sock', options.apiSocket, '--id', options.id, ...(levelFlag ? ['--level', 'Warning'] : []), ...(options.extraArgs ?? [])];
}

/**
 * The child's stdio: the three given fds, and /dev/null over every fd this process would
 * otherwise leak into it (see inherited-fds.ts).
 */
function childStdio(fds: [number, number, number]): { stdio: (number | 'ignore')[]; close: () => void } {
  const leaky = inheritableFds().filter((fd) => !fds.includes(fd));
  const last = leaky.at(-1);
  if (last === undefined) return { stdio: [...fds], close: () => undefined };
  const devNull = openSync('/dev/null', 'r+');
  const stdio: (number | 'ignore')[] = [...fds];
  for (let fd = 3; fd <= last; fd += 1) stdio.push(leaky.includes(fd) ? devNull : 'ignore');
  return { stdio, close: () => { closeSync(devNull); } };
}

export async function spawnFirecracker(options: SpawnFirecrackerOptions): Promise<FirecrackerProcess> {
  await clearApiSocket(options.apiSocket);
  const args = firecrackerArgs(options);
  const { stdio, close } = childStdio(options.stdio);
  let child;
  try {
    child = spawn(options.binary, args, {
      // Its own session: a signal to the driver's process group (^C, a service stop) spares it.
      detached: true,
      stdio,
      env: options.env ?? process.env,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
  } finally {
    close();
  }
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => {
      resolve();
    });
    child.once('error', (error) => {
      reject(new VirError('VIR_ERR_SYSTEM_ERROR', `Cannot run firecracker binary ${options.binary}: ${describeErrno(error)}`, { cause: error }));
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new VirError('VIR_ERR_INTERNAL_ERROR', `firecracker binary ${options.binary} started without a pid`);
  // The event loop does not wait for the VM; 'exit' still comes while something else keeps it.
  child.unref();
  const startTime = await readProcessStartTime(pid);
  if (startTime === undefined) {
    const exit = await exited;
    throw new VirError('VIR_ERR_OPERATION_FAILED', `firecracker exited at once (${describeExit(exit)})`);
  }
  return { pid, startTime, argv: [options.binary, ...args], exited };
}

// ---------------------------------------------------------------------------------------
// Readiness

export interface WaitForApiSocketOptions {
  /** Give up after this long (ms). */
  deadlineMs?: number;
  /** Settles when the process exits (FirecrackerProcess.exited): waiting then fails at once. */
  exited?: Promise<ProcessExit>;
  /** The domain log, whose tail is quoted when the process died. */
  logFile?: string;
  /** Where this run's output starts in the log (ConsoleFiles.logOffset). */
  logOffset?: number;
}

/** The last lines a process wrote to its log since `offset`, for an error message. */
export async function readLogTail(logFile: string, offset = 0, maxBytes = 2048): Promise<string> {
  try {
    const file = await open(logFile, 'r');
    try {
      const { size } = await file.stat();
      const start = Math.max(offset, size - maxBytes);
      if (start >= size) return '';
      const buffer = Buffer.alloc(size - start);
      const { bytesRead } = await file.read(buffer, 0, buffer.length, start);
      const lines = buffer.subarray(0, bytesRead).toString('utf8').split('\n').map((line) => line.trimEnd()).filter((line) => line !== '');
      return lines.slice(-10).join('\n');
    } finally {
      await file.close();
    }
  } catch {
    return '';
  }
}

/**
 * Resolves once the API socket accepts a connection (the file may exist before Firecracker
 * listens): the API client's wait, plus what the driver needs in the error when the process
 * died first — the last lines it wrote to the domain log (a panic, a refused argument).
 */
export async function waitForApiSocket(socketPath: string, options: WaitForApiSocketOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.deadlineMs ?? 10_000);
  const state = { exited: false };
  void options.exited?.then(() => {
    state.exited = true;
  });
  try {
    await waitForConnectable(socketPath, { deadline, ...(options.exited === undefined ? {} : { processExited: options.exited }) });
  } catch (error) {
    // Set by the time the wait fails on the exit: this handler was attached first.
    if (!(error instanceof VirError) || !state.exited || options.logFile === undefined) throw error;
    const tail = await readLogTail(options.logFile, options.logOffset);
    if (tail === '') throw error;
    throw new VirError(error.code, `${error.detail}: ${tail}`, { cause: error });
  }
}
