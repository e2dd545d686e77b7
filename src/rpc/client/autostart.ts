// Starting a session daemon on demand, as libvirt's client does for its session daemons
// (virNetSocketNewConnectUNIX): connect; if nothing is there (ENOENT or ECONNREFUSED), take the
// spawn lock beside the socket, try once more, start the daemon detached, and retry the connect
// while it is still ENOENT/ECONNREFUSED, until a deadline.
//
// libvirt's lock is an fcntl lock on $XDG_RUNTIME_DIR/libvirt/<daemon>.lock, which Node cannot
// take. This one is the same file created exclusively and holding its owner's pid: it keeps two
// fcvirt clients from spawning twice, and meets a stock client's lock in the same place (a stale
// file from a crashed client is taken over once its owner is gone). Should two daemons still be
// spawned, the second finds the first one's live socket and root lock and exits.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { VirError } from '../../errors.js';
import { connectUnixSocket, socketConnectError } from './transport.js';

export interface DaemonCommand {
  /** The program to run. */
  file: string;
  args: string[];
  /** Its name, for the lock file and messages (virtfcd). */
  name: string;
}

export interface AutostartOptions {
  command: DaemonCommand;
  /** Environment of the daemon (and where its log goes: $XDG_CACHE_HOME/libvirt/NAME.log). */
  env: NodeJS.ProcessEnv;
  /** How long to wait for the daemon's socket (libvirt: 500 × 10 ms). */
  timeoutMs?: number;
  /** Retry interval (libvirt: 10 ms). */
  pollMs?: number;
}

const RETRYABLE = new Set(['ENOENT', 'ECONNREFUSED']);
/** A lock file without a live owner, older than this, is left over from a crashed client. */
const STALE_LOCK_MS = 30_000;

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Where a spawned session daemon's output goes (libvirt's session daemons log to ~/.cache/libvirt). */
export function daemonLogPath(env: NodeJS.ProcessEnv, name: string, home: string = os.homedir()): string {
  const cache = env.XDG_CACHE_HOME !== undefined && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(home, '.cache');
  return path.join(cache, 'libvirt', `${name}.log`);
}

/** Connects to `socketPath`, starting the daemon first when nothing answers there. */
export async function connectOrStart(socketPath: string, options: AutostartOptions): Promise<net.Socket> {
  try {
    return await connectUnixSocket(socketPath);
  } catch (error) {
    if (!RETRYABLE.has(errnoOf(error) ?? '')) throw socketConnectError(socketPath, error);
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  const directory = path.dirname(socketPath);
  await fsp.mkdir(directory, { recursive: true, mode: 0o700 });
  const lock = await SpawnLock.acquire(path.join(directory, `${options.command.name}.lock`), deadline);
  try {
    try {
      // Whoever held the lock before us may have started it.
      return await connectUnixSocket(socketPath);
    } catch (error) {
      if (!RETRYABLE.has(errnoOf(error) ?? '')) throw socketConnectError(socketPath, error);
    }
    const daemon = await startDetached(options);
    let lastError: unknown;
    while (Date.now() < deadline) {
      try {
        const socket = await connectUnixSocket(socketPath);
        daemon.forget();
        return socket;
      } catch (error) {
        lastError = error;
        if (!RETRYABLE.has(errnoOf(error) ?? '')) break;
      }
      if (daemon.exit !== undefined) throw await daemon.failure(socketPath);
      await delay(options.pollMs ?? 10);
    }
    daemon.forget();
    if (daemon.exit !== undefined) throw await daemon.failure(socketPath);
    const error = socketConnectError(socketPath, lastError);
    throw new VirError(
      'VIR_ERR_SYSTEM_ERROR',
      `${error.message} (${options.command.name} was started but did not answer within ${timeoutMs / 1000} s; see ${daemon.logPath})`,
      { verbatim: true, domain: 'VIR_FROM_RPC', cause: lastError },
    );
  } finally {
    await lock.release();
  }
}

interface StartedDaemon {
  logPath: string;
  /** How it ended, once it has (before its socket appeared, this is a failure). */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Stops watching it: from now on it lives on its own. */
  forget(): void;
  failure(socketPath: string): Promise<VirError>;
}

async function startDetached(options: AutostartOptions): Promise<StartedDaemon> {
  const { command, env } = options;
  const logPath = daemonLogPath(env, command.name);
  await fsp.mkdir(path.dirname(logPath), { recursive: true, mode: 0o700 });
  const logStart = await fsp.stat(logPath).then((stat) => stat.size, () => 0);
  const log = fs.openSync(logPath, 'a', 0o600);
  let child;
  try {
    child = spawn(command.file, command.args, { detached: true, stdio: ['ignore', log, log], env, cwd: '/' });
  } finally {
    fs.closeSync(log);
  }
  const started: StartedDaemon = {
    logPath,
    exit: undefined,
    forget() {
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
    },
    async failure(socketPath) {
      const output = await readFrom(logPath, logStart);
      const lines = output.split('\n').map((line) => line.trim()).filter((line) => line !== '');
      const how = started.exit?.signal != null ? `was killed by ${started.exit.signal}` : `exited with status ${started.exit?.code ?? '?'}`;
      const said = lines.length > 0 ? `: ${lines.slice(-3).join(' / ')}` : '';
      return new VirError(
        'VIR_ERR_SYSTEM_ERROR',
        `Failed to connect socket to '${socketPath}': ${command.name} ${how} before it listened${said}`,
        { verbatim: true, domain: 'VIR_FROM_RPC' },
      );
    },
  };
  child.on('exit', (code, signal) => {
    started.exit = { code, signal };
  });
  child.on('error', (error) => {
    appendNote(logPath, `cannot run ${command.file}: ${error.message}`);
    started.exit = { code: 127, signal: null };
  });
  child.unref();
  return started;
}

async function readFrom(file: string, offset: number): Promise<string> {
  try {
    const handle = await fsp.open(file, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.max(0, Math.min(size - offset, 64 * 1024));
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      return buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
}

function appendNote(file: string, note: string): void {
  try {
    fs.appendFileSync(file, `${note}\n`);
  } catch {
    // The spawn failure is reported to the caller either way.
  }
}

/** The spawn lock: the file created exclusively, holding "pid token". */
class SpawnLock {
  private constructor(private readonly file: string, private readonly token: string) {}

  static async acquire(file: string, deadline: number): Promise<SpawnLock> {
    const token = `${process.pid} ${randomBytes(8).toString('hex')}`;
    for (;;) {
      try {
        await fsp.writeFile(file, `${token}\n`, { flag: 'wx', mode: 0o600 });
        return new SpawnLock(file, token);
      } catch (error) {
        if (errnoOf(error) !== 'EEXIST') throw error;
      }
      if (await SpawnLock.isStale(file)) {
        await fsp.rm(file, { force: true });
        continue;
      }
      if (Date.now() >= deadline) {
        throw new VirError('VIR_ERR_OPERATION_TIMEOUT', `another client holds ${file} and has not finished starting the daemon; try again`);
      }
      await delay(10);
    }
  }

  private static async isStale(file: string): Promise<boolean> {
    let text: string;
    let age: number;
    try {
      text = await fsp.readFile(file, 'utf8');
      age = Date.now() - (await fsp.stat(file)).mtimeMs;
    } catch {
      return false;
    }
    const pid = Number(text.split(' ')[0]);
    if (Number.isInteger(pid) && pid > 0) return !processExists(pid);
    // Empty: a stock libvirt client's file (it holds an fcntl lock on it, then removes it).
    return age > STALE_LOCK_MS;
  }

  async release(): Promise<void> {
    try {
      if ((await fsp.readFile(this.file, 'utf8')).trim() === this.token) await fsp.rm(this.file, { force: true });
    } catch {
      // Already gone: nothing to release.
    }
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoOf(error) === 'EPERM';
  }
}
