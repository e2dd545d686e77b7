// virtfcd's log on stderr, in libvirt's line format ("TIME: PID: LEVEL : message"). Without
// --verbose only warnings and errors are written; with it, one line per call (procedure,
// client, duration, result) and clients coming and going. Console bytes are never logged: a
// console stream shows up as the one DOMAIN_OPEN_CONSOLE call that opened it.

import type { CallRecord } from '../rpc/server/server.js';

export type Level = 'info' | 'warning' | 'error';

export interface Logger {
  readonly verbose: boolean;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** One answered call, from the socket it arrived on. */
  call(record: CallRecord, socket: string): void;
}

export interface LoggerOptions {
  verbose: boolean;
  write: (line: string) => void;
  now?: () => Date;
  pid?: number;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** libvirt's timestamp: "2024-05-01 12:34:56.789+0000" (UTC). */
export function timestamp(date: Date): string {
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}+0000`
  );
}

/** The --verbose line of one call, without the prefix. */
export function formatCall(record: CallRecord, socket: string): string {
  const what = record.api === null ? record.name : `${record.name} (${record.api})`;
  const result = record.error === null ? 'ok' : `error ${record.error.codeName ?? record.error.code}: ${record.error.message}`;
  return `client ${record.client} on ${socket}: ${what} ${record.durationMs.toFixed(2)} ms: ${result}`;
}

export function createLogger(options: LoggerOptions): Logger {
  const now = options.now ?? (() => new Date());
  const pid = options.pid ?? process.pid;
  const line = (level: Level, message: string): void => {
    // One line per entry, whatever the message holds.
    options.write(`${timestamp(now())}: ${pid}: ${level} : ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  };
  return {
    verbose: options.verbose,
    info(message) {
      if (options.verbose) line('info', message);
    },
    warn(message) {
      line('warning', message);
    },
    error(message) {
      line('error', message);
    },
    call(record, socket) {
      if (options.verbose) line('info', formatCall(record, socket));
    },
  };
}
