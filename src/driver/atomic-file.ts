// Every file the driver writes is replaced atomically: the new content goes to a temporary
// file beside the target, is flushed to disk, and is renamed over the target; then the
// directory is flushed so the rename itself survives a power cut. A crash at any point leaves
// the old file or the new one, never a mix. (Hand-written rather than `write-file-atomic`
// because that library does not flush the directory, and this is a dozen lines.)

import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** File mode of the new file; 0o600 when not given (status files hold paths and pids). */
  mode?: number;
  /**
   * Flush file and directory to disk (default). Without, the write is still atomic for every
   * process (rename), only not across a power cut: for intermediate journal entries that the
   * next write of the same operation supersedes.
   */
  durable?: boolean;
}

export async function writeFileAtomic(target: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const directory = path.dirname(target);
  const temporary = path.join(directory, `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(temporary, 'wx', options.mode ?? 0o600);
    await handle.writeFile(data);
    if (options.durable !== false) await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(temporary, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(temporary, { force: true });
    throw error;
  }
  if (options.durable !== false) await syncDirectory(directory);
}

/** Flushes a directory's entries (a rename, a new link, an unlink) to disk. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await fs.open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Removes temporary files that crashed writers left in a directory (names as writeFileAtomic
 * makes them), skipping those of writers still alive.
 */
export async function removeStaleTemporaries(directory: string): Promise<void> {
  let entries: string[];
  try {
    entries = await fs.readdir(directory);
  } catch {
    return;
  }
  const stale = entries.filter((entry) => {
    const match = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(entry);
    return match !== null && !isAlive(Number(match[1]));
  });
  await Promise.all(stale.map((entry) => fs.rm(path.join(directory, entry), { force: true })));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
