// What every virsh-like verb shares: options, the connection, finding the domain the way
// virsh does (by id, uuid or name), virsh's words for states, and virsh's output rhythm —
// after each command virsh prints one empty line, whether the command succeeded or not, and a
// failure prints the verb's own message ("error: Failed to start domain 'demo'") before the
// library's ("error: Requested operation is not valid: …").

import type { Connection, Domain } from '../api/connection.js';
import { defaultUri as defaultConnectUri, openConnection } from '../connect.js';
import { isVirError, VirError } from '../errors.js';
import type { CliCommand, CliContext } from './command.js';
import { parseOptions, shortUsage, verbHelp, type OptionSpec, type ParsedOptions } from './virsh-options.js';

/** An error whose printed form is the verb's message followed by the library's. */
export class CommandError extends Error {
  constructor(readonly lines: string[], options?: ErrorOptions & { beforeCommand?: boolean }) {
    super(lines.join('\n'), options);
    this.beforeCommand = options?.beforeCommand === true;
  }

  /** Failed before the command ran (no connection): virsh prints no empty line then. */
  readonly beforeCommand: boolean;
}

/** Fails the verb with its own message, then the cause's (as virsh's vshError + vshReportError). */
export function failWith(message: string, cause: unknown): CommandError {
  const lines = [message];
  if (cause instanceof CommandError) lines.push(...cause.lines);
  else if (isVirError(cause) || cause instanceof Error) lines.push(cause.message);
  else lines.push(String(cause));
  return new CommandError(lines, { cause });
}

export interface VerbDefinition {
  name: string;
  summary: string;
  options: readonly OptionSpec[];
  /** The verb's body: prints with context.stdout; throws on failure. */
  run: (options: ParsedOptions, context: CliContext) => Promise<void>;
}

/** A CliCommand with virsh's option parsing and output rhythm. */
export function virshVerb(definition: VerbDefinition): CliCommand {
  return {
    name: definition.name,
    summary: definition.summary,
    usage: shortUsage(definition.name, definition.options),
    run: async (args, context) => {
      if (args.includes('--help')) {
        context.stdout(verbHelp(definition.name, definition.summary, definition.options));
        return 0;
      }
      let options: ParsedOptions;
      try {
        options = parseOptions(definition.name, definition.options, args);
      } catch (error) {
        // A usage error: virsh does not run the command, so no empty line follows.
        context.stderr(`error: ${(error as Error).message}\n`);
        return 1;
      }
      try {
        await definition.run(options, context);
      } catch (error) {
        const lines = error instanceof CommandError ? error.lines : [error instanceof Error ? error.message : String(error)];
        for (const line of lines) context.stderr(`error: ${line}\n`);
        if (!(error instanceof CommandError && error.beforeCommand)) context.stdout('\n');
        return 1;
      }
      context.stdout('\n');
      return 0;
    },
  };
}

/** The URI a command connects to: -c, else LIBVIRT_DEFAULT_URI, else the system or session daemon. */
export function defaultUri(context: CliContext): string {
  if (context.uri !== undefined && context.uri !== '') return context.uri;
  return defaultConnectUri(context.env);
}

/** Opens the connection, runs `action`, closes it (an embed root is locked only meanwhile). */
export async function withConnection<T>(context: CliContext, action: (connection: Connection) => Promise<T>): Promise<T> {
  let connection: Connection;
  try {
    connection = await openConnection(defaultUri(context), { env: context.env });
  } catch (error) {
    const failure = failWith('failed to connect to the hypervisor', error);
    throw new CommandError(failure.lines, { cause: error, beforeCommand: true });
  }
  try {
    return await action(connection);
  } finally {
    await connection.close();
  }
}

/**
 * virsh's simple domain verbs: look the domain up, act on it, print what was done; on failure
 * virsh's "Failed to VERB domain 'NAME'" line before the error.
 */
export async function actOnDomain(
  context: CliContext,
  name: string,
  verb: string,
  act: (domain: Domain) => Promise<void>,
  done: string,
): Promise<void> {
  await withConnection(context, async (connection) => {
    const domain = await lookupDomain(connection, name);
    try {
      await act(domain);
    } catch (error) {
      throw failWith(`Failed to ${verb} domain '${name}'`, error);
    }
    context.stdout(`${done}\n`);
  });
}

export const BY_ID = 1;
export const BY_UUID = 2;
export const BY_NAME = 4;

/** virsh's virshLookupDomainInternal: by id when numeric, by uuid when 36 characters, by name. */
export async function lookupDomain(connection: Connection, text: string, by = BY_ID | BY_UUID | BY_NAME): Promise<Domain> {
  const attempts: (() => Promise<Domain>)[] = [];
  if ((by & BY_ID) !== 0 && /^\+?\d+$/.test(text) && Number(text) <= 2 ** 31 - 1) attempts.push(() => connection.lookupByID(Number(text)));
  if ((by & BY_UUID) !== 0 && text.length === 36) attempts.push(() => connection.lookupByUUID(text));
  if ((by & BY_NAME) !== 0) attempts.push(() => connection.lookupByName(text));
  for (const attempt of attempts) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof VirError) || error.codeName !== 'VIR_ERR_NO_DOMAIN') throw error;
    }
  }
  throw new CommandError([`failed to get domain '${text}'`]);
}

/** virsh's strings for states (virshDomainStateToString). */
const stateStrings = ['no state', 'running', 'idle', 'paused', 'in shutdown', 'shut off', 'crashed', 'pmsuspended'];

const reasonStrings: readonly (readonly string[])[] = [
  ['unknown'],
  ['unknown', 'booted', 'migrated', 'restored', 'from snapshot', 'unpaused', 'migration canceled', 'save canceled', 'event wakeup', 'crashed', 'post-copy', 'post-copy failed'],
  ['unknown'],
  ['unknown', 'user', 'migrating', 'saving', 'dumping', 'I/O error', 'watchdog', 'from snapshot', 'shutting down', 'creating snapshot', 'crashed', 'starting up', 'post-copy', 'post-copy failed', 'api error'],
  ['unknown', 'user'],
  ['unknown', 'shutdown', 'destroyed', 'crashed', 'migrated', 'saved', 'failed', 'from snapshot', 'daemon'],
  ['unknown', 'panicked'],
  ['unknown'],
];

export function stateString(state: number): string {
  return stateStrings[state] ?? 'no state';
}

export function reasonString(state: number, reason: number): string {
  return reasonStrings[state]?.[reason] ?? 'unknown';
}

/** The `--domain` option every domain verb takes. */
export const DOMAIN_OPTION: OptionSpec = { name: 'domain', type: 'data', required: true, help: 'domain name, id or uuid' };
