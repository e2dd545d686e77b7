// What a CLI verb is. Each verb lives in its own module under commands/ and is listed in
// commands/index.ts; fcvirt.ts only parses the global options and dispatches.

import type { Readable } from 'node:stream';

/** A terminal (or pipe) to read from: process.stdin, or a stream in tests. */
export type CliInput = Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown; unref?: () => unknown };

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Raw bytes to stdout (guest console output); `stdout` is used when absent. */
  stdoutBytes?: (bytes: Uint8Array) => void;
  /** What the user types (the console verb); none when absent. */
  stdin?: CliInput;
}

export interface CliContext extends CliIo {
  /** The connection URI from `-c`/`--connect`, else LIBVIRT_DEFAULT_URI, else undefined. */
  uri: string | undefined;
  /** Environment of the invocation. */
  env: NodeJS.ProcessEnv;
}

export interface CliCommand {
  name: string;
  /** One line for `fcvirt help`. */
  summary: string;
  /** Usage line, e.g. `validate FILE`. */
  usage: string;
  /** Runs the verb with its own arguments; resolves to the exit code. Errors it throws are printed as virsh prints them. */
  run: (args: string[], context: CliContext) => Promise<number>;
}
