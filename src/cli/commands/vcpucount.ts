import { DomainVcpuFlags } from '../../api/constants.js';
import { CommandError, DOMAIN_OPTION, failWith, lookupDomain, virshVerb, withConnection } from '../virsh-command.js';

/** The rows virsh prints when no option narrows the question; a row that fails is left out. */
const ROWS = [
  ['maximum', 'config', DomainVcpuFlags.MAXIMUM | DomainVcpuFlags.CONFIG],
  ['maximum', 'live', DomainVcpuFlags.MAXIMUM | DomainVcpuFlags.LIVE],
  ['current', 'config', DomainVcpuFlags.CONFIG],
  ['current', 'live', DomainVcpuFlags.LIVE],
] as const;

/** Pairs virsh refuses together, in the words it uses. */
const EXCLUSIVE = [['active', 'maximum'], ['guest', 'config'], ['live', 'config']] as const;

export const vcpucount = virshVerb({
  name: 'vcpucount',
  summary: 'domain vcpu counts',
  options: [
    DOMAIN_OPTION,
    { name: 'maximum', type: 'bool', help: 'get maximum count of vcpus' },
    { name: 'active', type: 'bool', help: 'get number of currently active vcpus' },
    { name: 'live', type: 'bool', help: 'get value from running domain' },
    { name: 'config', type: 'bool', help: 'get value to be used on next boot' },
    { name: 'current', type: 'bool', help: 'get value according to current domain state' },
    { name: 'guest', type: 'bool', help: 'retrieve vcpu count from the guest instead of the hypervisor' },
  ],
  async run(options, context) {
    for (const [first, second] of EXCLUSIVE) {
      if (options.bool(first) && options.bool(second)) throw new CommandError([`Options --${first} and --${second} are mutually exclusive`]);
    }
    await withConnection(context, async (connection) => {
      const domain = await lookupDomain(connection, options.required('domain'));
      const narrowed = ['maximum', 'active', 'live', 'config', 'current', 'guest'].some((name) => options.bool(name));
      if (!narrowed) {
        let out = '';
        for (const [which, where, flags] of ROWS) {
          const count = await domain.getVcpusFlags(flags).catch(() => undefined);
          if (count !== undefined) out += `${which.padEnd(12)} ${where.padEnd(12)} ${String(count).padStart(3)}\n`;
        }
        context.stdout(out);
        return;
      }
      let flags = 0;
      if (options.bool('maximum')) flags |= DomainVcpuFlags.MAXIMUM;
      if (options.bool('guest')) flags |= DomainVcpuFlags.GUEST;
      if (options.bool('live')) flags |= DomainVcpuFlags.LIVE;
      if (options.bool('config')) flags |= DomainVcpuFlags.CONFIG;
      try {
        context.stdout(`${await domain.getVcpusFlags(flags)}\n`);
      } catch (error) {
        if (options.bool('guest')) throw failWith('Failed to retrieve vCPU count from the guest', error);
        throw error;
      }
    });
  },
});
