// A verb's options parsed as virsh parses them (tools/vsh.c): `--name value`, `--name=value`,
// boolean `--flag`, and "data" options that may also be given by position (`start demo` is
// `start --domain demo`). The errors are virsh's words.

import { VirError } from '../errors.js';

/** data: a string that may also come by position; int: a number that may too (VSH_OT_INT). */
export type OptionType = 'bool' | 'string' | 'data' | 'int';

export interface OptionSpec {
  name: string;
  type: OptionType;
  required?: boolean;
  /** One line for `fcvirt help VERB`. */
  help: string;
}

export interface ParsedOptions {
  bool(name: string): boolean;
  string(name: string): string | undefined;
  /** A required option's value (the parser has checked it is there). */
  required(name: string): string;
}

function usageError(message: string): VirError {
  return new VirError('VIR_ERR_INVALID_ARG', message, { verbatim: true });
}

export function parseOptions(verb: string, specs: readonly OptionSpec[], args: readonly string[]): ParsedOptions {
  const values = new Map<string, string | true>();
  const positional = specs.filter((spec) => spec.type === 'data' || spec.type === 'int');
  let positionIndex = 0;
  let onlyData = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (!onlyData && arg === '--') {
      onlyData = true;
      continue;
    }
    if (!onlyData && arg.startsWith('--') && arg.length > 2) {
      const equals = arg.indexOf('=');
      const name = equals < 0 ? arg.slice(2) : arg.slice(2, equals);
      const spec = specs.find((candidate) => candidate.name === name);
      if (spec === undefined) throw usageError(`command '${verb}' doesn't support option --${name}`);
      if (values.has(name)) throw usageError(`option --${name} already seen`);
      if (spec.type === 'bool') {
        if (equals >= 0) throw usageError(`invalid '=' after option --${name}`);
        values.set(name, true);
        continue;
      }
      let value: string | undefined;
      if (equals >= 0) {
        value = arg.slice(equals + 1);
      } else {
        value = args[index + 1];
        index++;
      }
      if (value === undefined) throw usageError(`expected syntax: --${name} <string>`);
      values.set(name, value);
      continue;
    }
    // A positional argument fills the next data option not given by name.
    while (positionIndex < positional.length && values.has(positional[positionIndex]?.name ?? '')) positionIndex++;
    const spec = positional[positionIndex];
    if (spec === undefined) throw usageError(`unexpected data '${arg}'`);
    values.set(spec.name, arg);
    positionIndex++;
  }
  for (const spec of specs) {
    if (spec.required === true && !values.has(spec.name)) {
      // virsh names a missing data option <name>, any other --name.
      throw usageError(`command '${verb}' requires ${spec.type === 'data' ? `<${spec.name}>` : `--${spec.name}`} option`);
    }
  }
  return {
    bool: (name) => values.get(name) === true,
    string: (name) => {
      const value = values.get(name);
      return typeof value === 'string' ? value : undefined;
    },
    required: (name) => {
      const value = values.get(name);
      if (typeof value !== 'string') throw usageError(`command '${verb}' requires <${name}> option`);
      return value;
    },
  };
}

/** The synopsis line of a verb, as `virsh help VERB` prints it. */
export function synopsis(verb: string, specs: readonly OptionSpec[]): string {
  const parts = specs.map((spec) => {
    if (spec.type === 'bool') return `[--${spec.name}]`;
    if (spec.type === 'data' || spec.type === 'int') return spec.required === true ? `<${spec.name}>` : `[<${spec.name}>]`;
    return spec.required === true ? `--${spec.name} <string>` : `[--${spec.name} <string>]`;
  });
  return [verb, ...parts].join(' ');
}

/** A short usage line for the list of verbs: the verb, its data arguments, and [options]. */
export function shortUsage(verb: string, specs: readonly OptionSpec[]): string {
  const data = specs.filter((spec) => spec.type === 'data' || spec.type === 'int').map((spec) => (spec.required === true ? `<${spec.name}>` : `[<${spec.name}>]`));
  const more = specs.some((spec) => spec.type !== 'data' && spec.type !== 'int') ? ['[options]'] : [];
  return [verb, ...data, ...more].join(' ');
}

/** `fcvirt VERB --help`, laid out as `virsh help VERB`. */
export function verbHelp(verb: string, summary: string, specs: readonly OptionSpec[]): string {
  const lines = ['  NAME', `    ${verb} - ${summary}`, '', '  SYNOPSIS', `    ${synopsis(verb, specs)}`, ''];
  if (specs.length > 0) {
    lines.push('  OPTIONS');
    for (const spec of specs) {
      const name = spec.type === 'data' ? `[--${spec.name}] <string>` : spec.type === 'int' ? `[--${spec.name}] <number>` : spec.type === 'string' ? `--${spec.name} <string>` : `--${spec.name}`;
      lines.push(`    ${name.padEnd(15)}  ${spec.help}`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
