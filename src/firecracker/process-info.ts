// Process identity from /proc: a pid alone can be recycled, so fcvirt names a process by
// (pid, start time). A driver that re-attaches after a restart compares the start time it
// recorded with the one in /proc before it trusts, signals or reports on a pid.
//
//   readProcessStartTime(pid) → clock ticks since boot (field 22 of /proc/PID/stat), or
//                               undefined when there is no such (live) process
//   readCpuTime(pid)          → utime + stime in nanoseconds (bigint), or undefined
//   isProcessAlive(pid, startTime) → the same process still runs (zombies count as gone)
//   clockTicksPerSecond()     → `getconf CLK_TCK`, asked once; 100 when it cannot be asked

import { readFileSync } from 'node:fs';
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
  // After ") ": field 3 (state) is index 0, so field N is index N - 3.
  const fields = text.slice(close + 2).trim().split(' ');
  const field = (n: number): number => Number(fields[n - 3]);
  const state = fields[0];
  const values = { ppid: field(4), utime: field(14), stime: field(15), startTime: field(22) };
  if (state === undefined || Object.values(values).some((v) => !Number.isSafeInteger(v))) return undefined;
  return { state, ...values };
}

/** /proc/PID/stat of a process, undefined when it does not exist (or cannot be read). */
// eslint-disable-next-line @typescript-eslint/require-await -- callers keep an async API; the read itself is synchronous on purpose
export async function readProcessStat(pid: number): Promise<ProcessStat | undefined> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  let text: string;
  try {
    // The kernel writes /proc files on read: nothing to wait for. Read synchronously: the
    // promise API's open/stat/read/close thread-pool round trips cost more than the read, and
    // virDomainGetInfo of a running domain reads this on every call.
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseProcStat(text);
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

/** CPU time a process has used (user + system), nanoseconds; undefined when it does not run. */
export async function readCpuTime(pid: number, startTime?: number): Promise<bigint | undefined> {
  const stat = await readProcessStat(pid);
  if (stat === undefined || isGone(stat)) return undefined;
  if (startTime !== undefined && stat.startTime !== startTime) return undefined;
  return (BigInt(stat.utime + stat.stime) * 1_000_000_000n) / BigInt(clockTicksPerSecond());
}
