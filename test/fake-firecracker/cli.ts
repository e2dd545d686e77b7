// Firecracker's own argument parser (utils::arg_parser): only `--name value` and `--flag`,
// `--help` and `--version` win over everything else, then the constraints are checked in
// the order of the argument names (a BTreeMap).
import type { ArgSpec, Profile } from './profile.js';

export interface CliError {
  /** Display text, as in "Arguments parsing error: <text>". */
  text: string;
  /** Debug form, as v1.16 prints it in `Error: ParseArguments(<debug>)`. */
  debug: string;
}

export type CliResult =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'error'; error: CliError }
  | { kind: 'run'; values: Map<string, string | true> };

const q = (s: string): string => JSON.stringify(s);

const unexpected = (arg: string): CliError => ({
  text: `Found argument '${arg}' which wasn't expected, or isn't valid in this context.`,
  debug: `UnexpectedArgument(${q(arg)})`,
});

export function parseCli(profile: Profile, argv: string[]): CliResult {
  const separator = argv.indexOf('--');
  const args = separator === -1 ? argv : argv.slice(0, separator);
  if (args.includes('--help') || (profile.modern && args.includes('-h'))) return { kind: 'help' };
  if (args.includes('--version')) return { kind: 'version' };

  const specs = new Map<string, ArgSpec>(profile.args.map((a) => [a.name, a]));
  const values = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--')) return { kind: 'error', error: unexpected(arg) };
    const name = arg.slice(2);
    const spec = specs.get(name);
    if (spec === undefined) return { kind: 'error', error: unexpected(name) };
    if (values.has(name)) {
      return { kind: 'error', error: { text: `The argument '${name}' was provided more than once.`, debug: `DuplicateArgument(${q(name)})` } };
    }
    if (spec.takesValue) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--')) {
        return { kind: 'error', error: { text: `The argument '${name}' requires a value, but none was supplied.`, debug: `MissingValue(${q(name)})` } };
      }
      values.set(name, value);
      i++;
    } else {
      values.set(name, true);
    }
  }

  for (const name of [...specs.keys()].sort()) {
    const spec = specs.get(name);
    if (spec === undefined || !values.has(name)) continue;
    if (spec.requires !== undefined && !args.includes(`--${spec.requires}`)) {
      return {
        kind: 'error',
        error: { text: `Argument '${spec.requires}' required, but not found.`, debug: `MissingArgument(${q(spec.requires)})` },
      };
    }
    for (const forbidden of spec.forbids ?? []) {
      if (args.includes(`--${forbidden}`)) {
        return {
          kind: 'error',
          error: {
            text: `Argument '${forbidden}' cannot be used together with argument '${name}'.`,
            debug: `ForbiddenArgument(${q(name)}, ${q(forbidden)})`,
          },
        };
      }
    }
  }
  for (const spec of profile.args) {
    if (spec.defaultValue !== undefined && !values.has(spec.name)) values.set(spec.name, spec.defaultValue);
  }
  return { kind: 'run', values };
}

/** utils::validators::validate_instance_id, with its Debug error. */
export function instanceIdError(id: string): string | undefined {
  const len = Buffer.byteLength(id);
  if (len > 64 || len < 1) return `InvalidLen(${len}, 1, 64)`;
  let i = 0;
  for (const ch of id) {
    if (!(ch === '-' || /^[\p{Alphabetic}\p{N}]$/u.test(ch))) return `InvalidChar(${rustChar(ch)}, ${i})`;
    i++;
  }
  return undefined;
}

function rustChar(ch: string): string {
  const escapes: Record<string, string> = { "'": "\\'", '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' };
  const code = ch.codePointAt(0) ?? 0;
  if (escapes[ch] !== undefined) return `'${escapes[ch]}'`;
  if (code < 0x20 || code === 0x7f) return `'\\u{${code.toString(16)}}'`;
  return `'${ch}'`;
}
