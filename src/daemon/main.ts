// virtfcd as a function (testable in process): parse the command line, start the daemon on
// the backend given, stop cleanly on SIGTERM/SIGINT (sockets removed, root released, VMs left
// running) or when idle, and say why it could not start.

import { isVirError } from '../errors.js';
import { FCVIRT_VERSION } from '../version.js';
import { Daemon, type DaemonBackend } from './daemon.js';
import { createLogger, type Logger } from './logger.js';
import { parseCommandLine, USAGE, type DaemonOptions } from './options.js';
import { daemonSockets, type DaemonSockets } from './socket-paths.js';

export interface DaemonIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export type BackendOpener = (options: DaemonOptions, sockets: DaemonSockets, logger: Logger) => Promise<DaemonBackend>;

export interface RunOptions {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  io: DaemonIo;
  openBackend: BackendOpener;
  /** Whether it runs as root (decides the default mode). */
  privileged: boolean;
  /** Where SIGTERM and SIGINT arrive (the process). */
  signals: SignalSource;
  /** Told once the sockets are listening. */
  onReady?: (daemon: Daemon) => void;
}

export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Runs virtfcd until it is told to stop or goes idle; resolves to the exit status. */
export async function runVirtfcd(run: RunOptions): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(run.argv, run.privileged);
  } catch (error) {
    run.io.stderr(`virtfcd: error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  if (parsed.action === 'help') {
    run.io.stdout(USAGE);
    return 0;
  }
  if (parsed.action === 'version') {
    run.io.stdout(`virtfcd (fcvirt) ${FCVIRT_VERSION}\n`);
    return 0;
  }
  const { options } = parsed;
  const logger = createLogger({ verbose: options.verbose, write: run.io.stderr });
  // Handlers first: a signal that arrives while starting (the sockets may already answer) stops
  // the daemon as soon as it has started, never kills it half-way.
  let daemon: Daemon | undefined;
  let stopSignal: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.info(`${signal} received: stopping (running domains keep running)`);
    stopSignal ??= signal;
    void daemon?.stop('signal');
  };
  for (const signal of STOP_SIGNALS) run.signals.on(signal, onSignal);
  try {
    try {
      const sockets = daemonSockets(options, run.env);
      daemon = await Daemon.start({
        sockets,
        timeoutSeconds: options.timeoutSeconds,
        logger,
        openBackend: () => run.openBackend(options, sockets, logger),
      });
    } catch (error) {
      logger.error(`cannot start: ${isVirError(error) || error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    if (stopSignal !== undefined) void daemon.stop('signal');
    run.onReady?.(daemon);
    await daemon.done;
  } finally {
    for (const signal of STOP_SIGNALS) run.signals.off(signal, onSignal);
  }
  return 0;
}
