// virtfcd's command line, parsed without side effects. The options are those of libvirt's
// per-driver daemons (virtqemud, virtchd) that make sense here, plus --system/--session (libvirt
// decides by euid alone) and --root (several instances side by side, tests).

import { parseArgs } from 'node:util';
import { VirError } from '../errors.js';

export type DaemonMode = 'system' | 'session';

export interface DaemonOptions {
  mode: DaemonMode;
  /** Relocates the whole system layout (config, runtime, logs, sockets) under this directory. */
  root: string | undefined;
  /** Exit after this many idle seconds (no client, no running domain); 0: never. */
  timeoutSeconds: number;
  verbose: boolean;
}

export type ParsedCommandLine = { action: 'run'; options: DaemonOptions } | { action: 'help' } | { action: 'version' };

export const USAGE = `Usage: virtfcd [OPTIONS]

Serves the fc driver (Firecracker microVMs) over libvirt's remote protocol, so that
virsh -c fc:///system, python-libvirt and fcvirt can reach it.

Options:
  --system            serve fc:///system: /run/libvirt/virtfcd-sock (0600) and
                      /run/libvirt/virtfcd-sock-ro (0666); the default for root
  --session           serve fc:///session: $XDG_RUNTIME_DIR/libvirt/virtfcd-sock;
                      the default for other users
  --root DIR          put the whole system layout under DIR (DIR/etc/libvirt/fc,
                      DIR/run/libvirt/virtfcd-sock, DIR/var/log/libvirt/fc, ...)
  -t, --timeout SECS  exit after SECS seconds with no client and no running domain
  -v, --verbose       log every call (procedure, client, duration, result) to stderr
  -h, --help          print this help and exit
  -V, --version       print the version and exit
`;

function usageError(detail: string): VirError {
  return new VirError('VIR_ERR_INVALID_ARG', `${detail}; see 'virtfcd --help'`, { verbatim: true });
}

/** Parses virtfcd's arguments; `privileged` is whether it runs as root (euid 0). */
export function parseCommandLine(argv: readonly string[], privileged: boolean): ParsedCommandLine {
  let values: {
    system?: boolean;
    session?: boolean;
    root?: string;
    timeout?: string;
    verbose?: boolean;
    help?: boolean;
    version?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        system: { type: 'boolean' },
        session: { type: 'boolean' },
        root: { type: 'string' },
        timeout: { type: 'string', short: 't' },
        verbose: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    }));
  } catch (error) {
    // Node's first sentence names the problem; the rest is advice about '--' that does not apply.
    const message = error instanceof Error ? error.message : String(error);
    throw usageError(message.split(/\.\s/)[0] ?? message);
  }
  if (values.help === true) return { action: 'help' };
  if (values.version === true) return { action: 'version' };
  if (values.system === true && values.session === true) throw usageError('--system and --session exclude each other');
  const root = values.root;
  if (root !== undefined) {
    if (values.session === true) throw usageError('--root relocates the system layout and cannot be combined with --session');
    if (!root.startsWith('/')) throw usageError(`--root needs an absolute directory, not '${root}'`);
  }
  let mode: DaemonMode;
  if (values.session === true) mode = 'session';
  else if (values.system === true || root !== undefined) mode = 'system';
  else mode = privileged ? 'system' : 'session';
  return { action: 'run', options: { mode, root, timeoutSeconds: parseTimeout(values.timeout), verbose: values.verbose === true } };
}

function parseTimeout(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw usageError(`Invalid value for timeout '${text}': a number of seconds is expected`);
  }
  return Number(text);
}
