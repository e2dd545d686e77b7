import { DOMAIN_OPTION, failWith, lookupDomain, virshVerb, withConnection } from '../virsh-command.js';
import { modeFlags } from './shutdown.js';

export const reboot = virshVerb({
  name: 'reboot',
  summary: 'reboot a domain',
  options: [DOMAIN_OPTION, { name: 'mode', type: 'string', help: 'shutdown mode: acpi|agent|initctl|signal|paravirt' }],
  async run(options, context) {
    const name = options.required('domain');
    const flags = modeFlags(options.string('mode'));
    await withConnection(context, async (connection) => {
      const domain = await lookupDomain(connection, name);
      try {
        await domain.reboot(flags);
      } catch (error) {
        throw failWith(`Failed to reboot domain '${name}'`, error);
      }
      context.stdout(`Domain '${name}' is being rebooted\n`);
    });
  },
});
