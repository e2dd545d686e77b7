// fcvirt's entry point as a function (testable in process): global options, then the verb.
import { isVirError, VirError } from '../errors.js';
import type { CliContext, CliIo } from './command.js';
import { commands } from './commands/index.js';

function usage(): string {
  const width = Math.max(...commands.map((command) => command.usage.length), 4);
  const lines = commands.map((command) => `    ${command.usage.padEnd(width)}  ${command.summary}`);
  return ['Usage: fcvirt [-c URI] COMMAND [ARGS...]', '', 'Commands:', ...lines, ''].join('\n');
}

/** Prints an error the way virsh does: `error: <message>` on stderr. */
export function printError(io: CliIo, error: unknown): void {
  const message = isVirError(error) || error instanceof Error ? error.message : String(error);
  io.stderr(`error: ${message}\n`);
}

interface GlobalOptions {
  connect: string | undefined;
  help: boolean;
  /** Index in argv of the verb, or undefined when none is given. */
  verbIndex: number | undefined;
}

// Global options are those before the verb, as with virsh (`virsh -c URI list --all`).
function parseGlobals(argv: string[]): GlobalOptions {
  const globals: GlobalOptions = { connect: undefined, help: false, verbIndex: undefined };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? '';
    if (arg === '-c' || arg === '--connect') {
      const value = argv[index + 1];
      if (value === undefined) throw new VirError('VIR_ERR_INVALID_ARG', `option '${arg}' requires an argument`);
      globals.connect = value;
      index++;
    } else if (arg.startsWith('--connect=')) {
      globals.connect = arg.slice('--connect='.length);
    } else if (arg === '-h' || arg === '--help') {
      globals.help = true;
    } else if (arg.startsWith('-')) {
      throw new VirError('VIR_ERR_INVALID_ARG', `unsupported option '${arg}'. See --help.`, { verbatim: true });
    } else {
      globals.verbIndex = index;
      break;
    }
  }
  return globals;
}

export async function main(argv: string[], io: CliIo, env: NodeJS.ProcessEnv): Promise<number> {
  let globals: GlobalOptions;
  try {
    globals = parseGlobals(argv);
  } catch (error) {
    printError(io, error);
    return 1;
  }
  const verb = globals.verbIndex === undefined ? undefined : argv[globals.verbIndex];
  if (verb === undefined || verb === 'help' || globals.help) {
    io.stdout(usage());
    return verb === undefined && !globals.help ? 1 : 0;
  }
  const command = commands.find((candidate) => candidate.name === verb);
  if (command === undefined) {
    io.stderr(`error: unknown command: '${verb}'\n`);
    return 1;
  }
  const context: CliContext = { ...io, env, uri: globals.connect ?? env.LIBVIRT_DEFAULT_URI };
  try {
    return await command.run(argv.slice((globals.verbIndex ?? 0) + 1), context);
  } catch (error) {
    printError(io, error);
    return 1;
  }
}
