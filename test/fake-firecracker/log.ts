// Firecracker's own log lines: "<local time with ns> [<id>:<thread>(:LEVEL)(:file:line)] msg".
// Where they go is version-bound and matters to the driver: v0.25/v1.3 write warnings and
// errors to stderr until a logger is configured, v1.16 writes everything from Info up to
// stdout — the serial console — until --log-path or PUT /logger names a file.
import fs from 'node:fs';
import type { Profile } from './profile.js';

export type Level = 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';
const RANK: Record<Level, number> = { ERROR: 1, WARN: 2, INFO: 3, DEBUG: 4, TRACE: 5 };
/** 0 = off. */
export type MaxLevel = 0 | 1 | 2 | 3 | 4 | 5;

export type Thread = 'main' | 'fc_api' | 'fc_vcpu 0';

export class FcLogger {
  instanceId = 'anonymous-instance';
  private fd: number | undefined;
  private maxLevel: MaxLevel;
  private showLevel: boolean;
  private showOrigin: boolean;
  /** v0.25/v1.3: the logger can be initialised only once. */
  initialized = false;

  constructor(
    private readonly profile: Profile,
    private readonly out: (stream: 'stdout' | 'stderr', text: string) => void,
  ) {
    this.maxLevel = profile.modern ? 3 : 2;
    // Before a logger is configured, v0.25/v1.3 print level and origin; v1.16 neither.
    this.showLevel = !profile.modern;
    this.showOrigin = !profile.modern;
  }

  /** The line as Firecracker formats it, without destination. */
  format(level: Level, thread: Thread, origin: string, message: string): string {
    const lvl = this.showLevel ? `:${level}` : '';
    const org = this.showOrigin && origin !== '' ? `:${origin}` : '';
    return `${localTime()} [${this.instanceId}:${thread}${lvl}${org}] ${message}\n`;
  }

  enabled(level: Level): boolean {
    return RANK[level] <= this.maxLevel;
  }

  log(level: Level, thread: Thread, origin: string, message: string): void {
    if (!this.enabled(level)) return;
    this.write(level, this.format(level, thread, origin, message));
  }

  /** Writes text that bypasses the level filter (the v0.25/v1.3 logger header). */
  raw(text: string): void {
    if (this.fd !== undefined) this.writeFd(text);
  }

  private write(level: Level, line: string): void {
    if (this.fd !== undefined) {
      this.writeFd(line);
      return;
    }
    if (this.profile.modern) this.out('stdout', line);
    else this.out(level === 'ERROR' || level === 'WARN' ? 'stderr' : 'stdout', line);
  }

  private writeFd(text: string): void {
    if (this.fd === undefined) return;
    try {
      fs.writeSync(this.fd, text);
    } catch {
      // Firecracker counts a missed log line and carries on.
    }
  }

  /** Points the logger at a file (or FIFO) that is opened as Firecracker opens it. */
  setTarget(fd: number): void {
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already gone
      }
    }
    this.fd = fd;
  }

  configure(options: { maxLevel?: MaxLevel; showLevel?: boolean; showOrigin?: boolean }): void {
    if (options.maxLevel !== undefined) this.maxLevel = options.maxLevel;
    if (options.showLevel !== undefined) this.showLevel = options.showLevel;
    if (options.showOrigin !== undefined) this.showOrigin = options.showOrigin;
  }
}

// One clock for the whole line: wall time at start plus the monotonic time since.
const EPOCH_NS = BigInt(Date.now()) * 1000000n - process.hrtime.bigint();

/** Firecracker's LocalTime: local date and time with nanoseconds. */
export function localTime(): string {
  const ns = EPOCH_NS + process.hrtime.bigint();
  const now = new Date(Number(ns / 1000000n));
  const p = (n: number | bigint, w = 2): string => String(n).padStart(w, '0');
  return `${p(now.getFullYear(), 4)}-${p(now.getMonth() + 1)}-${p(now.getDate())}T${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}.${p(ns % 1000000000n, 9)}`;
}

/** Parses a --level / PUT /logger level the way the version does; undefined if invalid. */
export function parseLevel(text: string, modern: boolean): MaxLevel | undefined {
  const t = text.toLowerCase();
  const table: Record<string, MaxLevel> = modern
    ? { off: 0, trace: 5, debug: 4, info: 3, warn: 2, warning: 2, error: 1 }
    : { error: 1, warning: 2, info: 3, debug: 4 };
  return table[t];
}
