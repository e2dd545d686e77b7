import { DomainShutdownFlags } from '../../api/constants.js';
import { DOMAIN_OPTION, CommandError, actOnDomain, virshVerb } from '../virsh-command.js';

const MODES: Record<string, number> = {
  acpi: DomainShutdownFlags.ACPI_POWER_BTN,
  agent: DomainShutdownFlags.GUEST_AGENT,
  initctl: DomainShutdownFlags.INITCTL,
  signal: DomainShutdownFlags.SIGNAL,
  paravirt: DomainShutdownFlags.PARAVIRT,
};

/** `--mode a,b` → shutdown/reboot flags, with virsh's message for an unknown mode. */
export function modeFlags(mode: string | undefined): number {
  if (mode === undefined) return 0;
  let flags = 0;
  for (const part of mode.split(',')) {
    const flag = MODES[part];
    if (flag === undefined) throw new CommandError([`Unknown mode ${part} value, expecting 'acpi', 'agent', 'initctl', 'signal' or 'paravirt'`]);
    flags |= flag;
  }
  return flags;
}

export const shutdown = virshVerb({
  name: 'shutdown',
  summary: 'gracefully shutdown a domain',
  options: [DOMAIN_OPTION, { name: 'mode', type: 'string', help: 'shutdown mode: acpi|agent|initctl|signal|paravirt' }],
  async run(options, context) {
    const name = options.required('domain');
    const flags = modeFlags(options.string('mode'));
    await actOnDomain(context, name, 'shutdown', (domain) => domain.shutdown(flags), `Domain '${name}' is being shutdown`);
  },
});
