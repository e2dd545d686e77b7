// Process identity from /proc: a pid alone can be recycled, so fcvirt names a process by
// (pid, start time). A driver that re-attaches after a restart compares the start time it
// recorded with the one in /proc before it trusts, signals or reports on a pid.
//
//   readProcessStartTime(pid) → clock ticks since boot (field 22 of /proc/PID/stat), or
//                               undefined when there is no such (live) process
//   readCpuTime(pid)          → utime + stime in nanoseconds (bigint), or undefined
//   isProcessAlive(pid, startTime) → the same process still runs (zombies count as gone)
//   clockTicksPerSecond()     → `getconf CLK_TCK`, asked once; 100 when it cannot be asked

import { closeSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';

/** The fields of /proc/PID/stat fcvirt uses. */
export interface ProcessStat {
  /** One letter: R running, S sleeping, Z zombie, X dead, … */
  state: string;
  /** Parent pid. */
  ppid: number;
  /** User-mode CPU time, clock ticks. */
  utime: number;
  /** Kernel-mode CPU time, clock ticks. */
  stime: number;
  /** When the process started, clock ticks since boot. */
  startTime: number;
}

/**
 * Parses the text of /proc/PID/stat. The command name (field 2) is in parentheses and may
 * itself hold spaces and parentheses, so fields are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcessStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // After ") ": field 3 (state) is the first; fields up to 22 are all fcvirt needs, so the
  // split stops there (virDomainGetInfo reads this on every call).
  const fields = text.slice(close + 2).split(' ', 20);
  const field = (n: number): number => Number(fields[n - 3]);
  const state = fields[0];
  const values = { ppid: field(4), utime: field(14), stime: field(15), startTime: field(22) };
  if (state === undefined || state === '' || Object.values(values).some((v) => !Number.isSafeInteger(v))) return undefined;
  return { state, ...values };
}

// The kernel writes /proc files on read: nothing to wait for, so they are read synchronously
// (the promise API's thread-pool round trips cost ten times the read, and virDomainGetInfo of a
// running domain reads this on every call). The file of a process stays open and is re-read
// from offset 0: one system call instead of five. An open file keeps naming the process it was
// opened for; once that one is gone its reads fail, and the pid is opened afresh (it may be a
// new process by now).
const statFiles = new Map<number, number>();
const STAT_FILES_MAX = 256;
const statBuffer = Buffer.alloc(4096);

function openStat(pid: number): number | undefined {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/stat`, 'r');
  } catch {
    return undefined;
  }
  if (statFiles.size >= STAT_FILES_MAX) {
    const [oldest] = statFiles;
    if (oldest !== undefined) forgetStat(oldest[0]);
  }
  statFiles.set(pid, fd);
  return fd;
}

function forgetStat(pid: number): void {
  const fd = statFiles.get(pid);
  statFiles.delete(pid);
  if (fd === undefined) return;
  try {
    closeSync(fd);
  } catch {
    // Closing a file of /proc cannot fail in a way that matters here.
  }
}

function readStat(fd: number): string | undefined {
  try {
    const length = readSync(fd, statBuffer, 0, statBuffer.length, 0);
    return length > 0 ? statBuffer.toString('utf8', 0, length) : undefined;
  } catch {
    return undefined;
  }
}

/** /proc/PID/stat of a process, undefined when it does not exist (or cannot be read). */
// eslint-disable-next-line @typescript-eslint/require-await -- callers keep an async API; the read itself is synchronous on purpose
export async function readProcessStat(pid: number): Promise<ProcessStat | undefined> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const cached = statFiles.get(pid);
  let text = cached === undefined ? undefined : readStat(cached);
  if (text === undefined) {
    forgetStat(pid);
    const fd = openStat(pid);
    text = fd === undefined ? undefined : readStat(fd);
    if (text === undefined) forgetStat(pid);
  }
  return text === undefined ? undefined : parseProcStat(text);
}

function isGone(stat: ProcessStat): boolean {
  return stat.state === 'Z' || stat.state === 'X' || stat.state === 'x';
}

/** The start time of a live process (clock ticks since boot), undefined when none runs as pid. */
export async function readProcessStartTime(pid: number): Promise<number | undefined> {
  const stat = await readProcessStat(pid);
  return stat === undefined || isGone(stat) ? undefined : stat.startTime;
}

/** True while the process that started at startTime still runs as pid. */
export async function isProcessAlive(pid: number, startTime: number): Promise<boolean> {
  const stat = await readProcessStat(pid);
  return stat !== undefined && !isGone(stat) && stat.startTime === startTime;
}

let ticksPerSecond: number | undefined;

/** Clock ticks per second (sysconf(_SC_CLK_TCK)), from `getconf CLK_TCK` once per process. */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    let ticks = 100;
    try {
      const answer = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      if (Number.isSafeInteger(answer) && answer > 0) ticks = answer;
    } catch {
      // getconf missing: Linux has used USER_HZ = 100 on every architecture fcvirt runs on.
    }
    ticksPerSecond = ticks;
  }
  return ticksPerSecond;
}

/** Resident memory of a process (VmRSS of /proc/PID/status), KiB; undefined when it does not run. */
export async function readResidentKiB(pid: number): Promise<number | undefined> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** CPU time a process has used (user + system), nanoseconds; undefined when it does not run. */
export async function readCpuTime(pid: number, startTime?: number): Promise<bigint | undefined> {
  const stat = await readProcessStat(pid);
  if (stat === undefined || isGone(stat)) return undefined;
  if (startTime !== undefined && stat.startTime !== startTime) return undefined;
  return (BigInt(stat.utime + stat.stime) * 1_000_000_000n) / BigInt(clockTicksPerSecond());
}
