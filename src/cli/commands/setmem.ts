import { DomainMemoryModFlags } from '../../api/constants.js';
import { parseScaledKiB } from '../../conf/scaled-size.js';
import { CommandError, DOMAIN_OPTION, lookupDomain, virshVerb, withConnection } from '../virsh-command.js';
import type { OptionSpec, ParsedOptions } from '../virsh-options.js';

/** A size as virsh reads one (vshCommandOptScaledInt): a number with an optional unit, KiB by default. */
export function sizeOptionKiB(text: string, option: string): number {
  const match = /^(\d+)([A-Za-z]*)$/.exec(text.trim());
  try {
    if (match === null) throw new Error('malformed');
    const kib = parseScaledKiB(match[1] ?? '', match[2] === '' ? undefined : match[2], `<${option}>`, () => '');
    if (kib <= 0) throw new Error('zero');
    return kib;
  } catch {
    throw new CommandError([`Scaled numeric value '${text}' for <${option}> option is malformed or out of range`]);
  }
}

/** --config, --live, --current as virsh turns them into virDomainModificationImpact flags. */
export const IMPACT_OPTIONS: readonly OptionSpec[] = [
  { name: 'config', type: 'bool', help: 'affect next boot' },
  { name: 'live', type: 'bool', help: 'affect running domain' },
  { name: 'current', type: 'bool', help: 'affect current domain' },
];

/** `none`: the flags virsh sends when none of the three is given. */
export function impactFlags(options: ParsedOptions, none: number): number {
  const current = options.bool('current');
  for (const other of ['live', 'config']) {
    if (current && options.bool(other)) throw new CommandError([`Options --current and --${other} are mutually exclusive`]);
  }
  let flags = 0;
  if (options.bool('config')) flags |= DomainMemoryModFlags.CONFIG;
  if (options.bool('live')) flags |= DomainMemoryModFlags.LIVE;
  if (!current && flags === 0) flags = none;
  return flags;
}

/**
 * setmem and setmaxmem. With none of --config/--live/--current, the stock virsh (9.0) asks
 * setmem for the running domain and setmaxmem for the current one.
 */
function memoryVerb(name: string, summary: string, maximum: boolean) {
  return virshVerb({
    name,
    summary,
    options: [DOMAIN_OPTION, { name: 'size', type: 'int', required: true, help: 'new memory size, as scaled integer (default KiB)' }, ...IMPACT_OPTIONS],
    async run(options, context) {
      const flags = maximum ? impactFlags(options, 0) | DomainMemoryModFlags.MAXIMUM : impactFlags(options, DomainMemoryModFlags.LIVE);
      const kib = sizeOptionKiB(options.required('size'), 'size');
      await withConnection(context, async (connection) => {
        const domain = await lookupDomain(connection, options.required('domain'));
        try {
          await domain.setMemoryFlags(kib, flags);
        } catch (error) {
          throw maximum ? new CommandError(['Unable to change MaxMemorySize', (error as Error).message], { cause: error }) : error;
        }
      });
    },
  });
}

export const setmem = memoryVerb('setmem', 'change memory allocation', false);
export const setmaxmem = memoryVerb('setmaxmem', 'change maximum memory limit', true);
