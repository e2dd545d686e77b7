// Who holds a domain's console, across processes: the daemon, a restarted daemon and every
// one-shot CLI invocation see the same owner record, a small JSON file in the runtime
// directory naming the holder by pid + process start time (a recycled pid is not an owner)
// and a per-session token (one daemon may hold one session and hand it to the next client).
//
//   acquireConsole(ownerFile, { force }) → ConsoleOwnership
//     a live owner → VIR_ERR_OPERATION_FAILED "Active console session exists for this domain"
//     (libvirt's words) unless force; a dead or unreadable owner record is stale and replaced.
//   ownership.onLost(callback)  → called once, with 'replaced' when another session replaces the
//     record (forced takeover) or 'removed' when it disappears (the VM's files are cleaned up);
//     costs one fs.watch on the record's directory while held.
//   ownership.release()         → removes the record if it is still ours.
//
// The record is written to a temporary file first and then linked (no owner yet) or renamed
// (replacing a stale or forced one) into place, so a reader never sees half a record.

import fs from 'node:fs';
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { VirError } from '../../errors.js';
import { isProcessAlive, readProcessStartTime } from '../../firecracker/process-info.js';

/** The content of an owner record. */
export interface ConsoleOwnerRecord {
  pid: number;
  /** The holder's start time, clock ticks since boot (/proc/PID/stat field 22). */
  startTime: number;
  /** One per console session. */
  token: string;
}

export interface AcquireConsoleOptions {
  /** Take the console even when another live session holds it (VIR_DOMAIN_CONSOLE_FORCE). */
  force?: boolean;
}

/** How a session lost the console: another session took it, or the record was removed. */
export type LostReason = 'replaced' | 'removed';

export interface ConsoleOwnership {
  readonly record: ConsoleOwnerRecord;
  /** Calls back once when the record stops being ours. */
  onLost(callback: (how: LostReason) => void): void;
  /** Gives the console up: removes the record if it is still ours, stops watching. */
  release(): Promise<void>;
}

/** Reads an owner record; undefined when there is none or it cannot be parsed. */
export async function readConsoleOwner(ownerFile: string): Promise<ConsoleOwnerRecord | undefined> {
  return (await readRecordFile(ownerFile))?.record;
}

/** null when there is no record file; `record` undefined when there is one that cannot be parsed. */
async function readRecordFile(ownerFile: string): Promise<{ record: ConsoleOwnerRecord | undefined } | null> {
  let text: string;
  try {
    text = await readFile(ownerFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw fileError('read the console owner record', ownerFile, error);
  }
  return { record: parseRecord(text) };
}

function parseRecord(text: string): ConsoleOwnerRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<ConsoleOwnerRecord> | null;
    if (value !== null && typeof value === 'object' && Number.isSafeInteger(value.pid) && Number.isSafeInteger(value.startTime) && typeof value.token === 'string') {
      return { pid: value.pid as number, startTime: value.startTime as number, token: value.token };
    }
  } catch {
    // A record cut short by a crash mid-write cannot happen (it is renamed into place), but a
    // hand-edited one can: it names no live owner.
  }
  return undefined;
}

async function isLive(record: ConsoleOwnerRecord | undefined): Promise<boolean> {
  return record !== undefined && (await isProcessAlive(record.pid, record.startTime));
}

function busy(): VirError {
  return new VirError('VIR_ERR_OPERATION_FAILED', 'Active console session exists for this domain');
}

function fileError(what: string, file: string, error: unknown): VirError {
  return new VirError('VIR_ERR_SYSTEM_ERROR', `Unable to ${what} '${file}': ${(error as Error).message}`, { cause: error });
}

export async function acquireConsole(ownerFile: string, options: AcquireConsoleOptions = {}): Promise<ConsoleOwnership> {
  const startTime = await readProcessStartTime(process.pid);
  if (startTime === undefined) throw new VirError('VIR_ERR_INTERNAL_ERROR', `cannot read /proc/${process.pid}/stat of this process`);
  const record: ConsoleOwnerRecord = { pid: process.pid, startTime, token: randomBytes(12).toString('hex') };
  const temporary = `${ownerFile}.${record.token}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  } catch (error) {
    throw fileError('write the console owner record', temporary, error);
  }
  try {
    // A few rounds at most: each round loses only to another session that got in first.
    for (let round = 0; round < 5; round += 1) {
      const current = await readRecordFile(ownerFile);
      if (current === null) {
        try {
          await link(temporary, ownerFile);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw fileError('create the console owner record', ownerFile, error);
        }
      } else {
        if (options.force !== true && (await isLive(current.record))) throw busy();
        try {
          await rename(temporary, ownerFile);
        } catch (error) {
          throw fileError('replace the console owner record', ownerFile, error);
        }
      }
      const now = await readConsoleOwner(ownerFile);
      if (now?.token === record.token) return new Ownership(ownerFile, record);
      if (options.force !== true && (await isLive(now))) throw busy();
      // Lost a race to a forced or stale replacement: look again.
      if (!fs.existsSync(temporary)) await writeFile(temporary, `${JSON.stringify(record)}\n`, { mode: 0o600 });
    }
    throw busy();
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

class Ownership implements ConsoleOwnership {
  private watcher: fs.FSWatcher | undefined;
  private lost = false;
  private released = false;
  private lostHow: LostReason = 'replaced';
  private readonly callbacks: ((how: LostReason) => void)[] = [];

  constructor(
    private readonly ownerFile: string,
    readonly record: ConsoleOwnerRecord,
  ) {}

  onLost(callback: (how: LostReason) => void): void {
    if (this.lost) {
      queueMicrotask(() => {
        callback(this.lostHow);
      });
      return;
    }
    this.callbacks.push(callback);
    this.watch();
  }

  // The directory, not the file: a forced takeover renames a new file over ours, and a watch
  // on our file's inode would not reliably tell.
  private watch(): void {
    if (this.watcher !== undefined || this.released) return;
    const name = path.basename(this.ownerFile);
    this.watcher = fs.watch(path.dirname(this.ownerFile), (_event, filename) => {
      if (filename !== null && filename !== name) return;
      void this.verify();
    });
    this.watcher.on('error', () => {
      void this.verify();
    });
    // Anything that changed between acquiring and watching.
    void this.verify();
  }

  private settled(): boolean {
    return this.lost || this.released;
  }

  private async verify(): Promise<void> {
    if (this.settled()) return;
    const now = await readRecordFile(this.ownerFile).catch(() => undefined);
    // Settled meanwhile by another verify() or by release().
    if (now?.record?.token === this.record.token || this.settled()) return;
    this.lost = true;
    this.lostHow = now === null ? 'removed' : 'replaced';
    this.stopWatching();
    for (const callback of this.callbacks.splice(0)) callback(this.lostHow);
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.stopWatching();
    if (this.lost) return;
    // Not atomic with the read: a takeover landing in between loses its record, and the next
    // client then finds no owner. The window is a few microseconds; flock() is not in Node.
    const now = await readConsoleOwner(this.ownerFile).catch(() => undefined);
    if (now?.token === this.record.token) await unlink(this.ownerFile).catch(() => undefined);
  }
}
