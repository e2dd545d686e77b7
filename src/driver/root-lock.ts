// One driver instance acts on a root at a time (libvirt's daemons hold a pidfile lock).
// Node has no flock, so the lock is a chain of generation files in the state dir:
//
//   driver.lock.<N>   {"pid":…, "startTime":…, "kind":"embed"|"daemon", "uri":…, "released":false}
//
// The lock is whatever the highest generation says. It is free when that file is marked
// released, or stale when its holder is gone (its pid no longer runs with the recorded
// process start time). Taking it means creating generation N+1 with link(2), which fails when
// the name exists: of two processes racing for the same stale or free generation exactly one
// wins, and nobody ever overwrites a live holder's file (the loser re-reads and waits). The
// holder marks its own file released (atomic rename) rather than deleting it, so generation
// numbers only grow and a slow contender cannot resurrect a lower generation. The winner
// removes older generations.
//
// An embed driver waits briefly for another embed holder; a daemon holder is reported at
// once, with the URI to use instead.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { VirError } from '../errors.js';
import { writeFileAtomic } from './atomic-file.js';

export type LockKind = 'embed' | 'daemon';

export interface LockHolder {
  pid: number;
  startTime: number;
  kind: LockKind;
  /** For a daemon: the URI clients use to reach it. */
  uri?: string;
  released?: boolean;
}

/** Reads a process's start time (clock ticks since boot); undefined when it does not exist. */
export type StartTimeReader = (pid: number) => Promise<number | undefined>;

export interface AcquireOptions {
  kind: LockKind;
  uri?: string;
  /** How long to wait for another embed holder. */
  waitMs: number;
  /** What the root is called in messages. */
  rootName: string;
  startTimeOf: StartTimeReader;
  /** Poll interval while waiting. */
  pollMs?: number;
}

const LOCK_PREFIX = 'driver.lock.';

export class RootLock {
  private released = false;

  private constructor(readonly file: string, private readonly holder: LockHolder) {}

  static async acquire(directory: string, options: AcquireOptions): Promise<RootLock> {
    await fs.mkdir(directory, { recursive: true, mode: 0o755 });
    const startTime = await options.startTimeOf(process.pid);
    if (startTime === undefined) {
      throw new VirError('VIR_ERR_INTERNAL_ERROR', `cannot read the start time of this process (pid ${process.pid}) from /proc`);
    }
    const me: LockHolder = { pid: process.pid, startTime, kind: options.kind, ...(options.uri === undefined ? {} : { uri: options.uri }) };
    const deadline = Date.now() + options.waitMs;
    const pollMs = options.pollMs ?? 25;
    for (;;) {
      const outcome = await RootLock.tryAcquire(directory, me, options.startTimeOf);
      if (outcome instanceof RootLock) return outcome;
      if (outcome === 'raced') continue;
      const holder = outcome;
      if (holder.kind === 'daemon') {
        const where = holder.uri === undefined ? '' : `; connect to ${holder.uri} instead`;
        throw new VirError(
          'VIR_ERR_OPERATION_INVALID',
          `the driver root ${options.rootName} is served by the daemon virtfcd (pid ${holder.pid})${where}`,
        );
      }
      if (Date.now() >= deadline) {
        throw new VirError(
          'VIR_ERR_OPERATION_TIMEOUT',
          `another fcvirt process (pid ${holder.pid}) is using the driver root ${options.rootName}; it did not finish within ${Math.round(options.waitMs / 100) / 10} s, try again`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /** Marks this generation released; the next driver takes the following one. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      await writeFileAtomic(this.file, `${JSON.stringify({ ...this.holder, released: true })}\n`, { mode: 0o644 });
    } catch (error) {
      // The whole state directory went away (a removed embed root): nothing is left to release.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  /** A RootLock, the live holder that keeps us out, or 'raced' when the state changed under us. */
  private static async tryAcquire(directory: string, me: LockHolder, startTimeOf: StartTimeReader): Promise<RootLock | LockHolder | 'raced'> {
    const generations = await listGenerations(directory);
    const top = generations.at(-1) ?? 0;
    if (top > 0) {
      let text: string;
      try {
        text = await fs.readFile(path.join(directory, `${LOCK_PREFIX}${top}`), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'raced';
        throw error;
      }
      const holder = parseHolder(text);
      if (holder !== undefined && holder.released !== true && await isAlive(holder, startTimeOf)) return holder;
    }
    const next = path.join(directory, `${LOCK_PREFIX}${top + 1}`);
    const temporary = path.join(directory, `.${LOCK_PREFIX}${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    await fs.writeFile(temporary, `${JSON.stringify(me)}\n`, { mode: 0o644 });
    try {
      await fs.link(temporary, next);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'raced';
      throw error;
    } finally {
      await fs.rm(temporary, { force: true });
    }
    // A contender that stalled between listing and linking can create a generation that others
    // have already passed (and removed): it only holds the lock if its file is still the top.
    if ((await listGenerations(directory)).at(-1) !== top + 1) {
      await fs.rm(next, { force: true });
      return 'raced';
    }
    await Promise.all(generations.map((generation) => fs.rm(path.join(directory, `${LOCK_PREFIX}${generation}`), { force: true })));
    return new RootLock(next, me);
  }
}

async function listGenerations(directory: string): Promise<number[]> {
  const entries = await fs.readdir(directory);
  return entries
    .filter((entry) => entry.startsWith(LOCK_PREFIX) && /^\d+$/.test(entry.slice(LOCK_PREFIX.length)))
    .map((entry) => Number(entry.slice(LOCK_PREFIX.length)))
    .sort((a, b) => a - b);
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || typeof value.startTime !== 'number') return undefined;
    if (value.kind !== 'embed' && value.kind !== 'daemon') return undefined;
    return value as LockHolder;
  } catch {
    return undefined;
  }
}

async function isAlive(holder: LockHolder, startTimeOf: StartTimeReader): Promise<boolean> {
  if (holder.pid === process.pid) {
    // Our own pid: a lock this process took and did not release (another driver object on
    // the same root in this process is refused by the driver registry before we get here).
    return holder.startTime === await startTimeOf(process.pid);
  }
  const startTime = await startTimeOf(holder.pid);
  return startTime !== undefined && startTime === holder.startTime;
}

/** The current holder of a root's lock, if it is held (for messages and the daemon's checks). */
export async function currentHolder(directory: string, startTimeOf: StartTimeReader): Promise<LockHolder | undefined> {
  let generations: number[];
  try {
    generations = await listGenerations(directory);
  } catch {
    return undefined;
  }
  const top = generations.at(-1);
  if (top === undefined) return undefined;
  try {
    const holder = parseHolder(await fs.readFile(path.join(directory, `${LOCK_PREFIX}${top}`), 'utf8'));
    if (holder === undefined || holder.released === true) return undefined;
    return await isAlive(holder, startTimeOf) ? holder : undefined;
  } catch {
    return undefined;
  }
}
