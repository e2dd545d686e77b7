import { DOMAIN_OPTION, failWith, lookupDomain, virshVerb, withConnection } from '../virsh-command.js';

export const autostart = virshVerb({
  name: 'autostart',
  summary: 'autostart a domain',
  options: [DOMAIN_OPTION, { name: 'disable', type: 'bool', help: 'disable autostarting' }],
  async run(options, context) {
    const name = options.required('domain');
    const enable = !options.bool('disable');
    await withConnection(context, async (connection) => {
      const domain = await lookupDomain(connection, name);
      try {
        await domain.setAutostart(enable);
      } catch (error) {
        throw failWith(enable ? `Failed to mark domain '${name}' as autostarted` : `Failed to unmark domain '${name}' as autostarted`, error);
      }
      context.stdout(enable ? `Domain '${name}' marked as autostarted\n` : `Domain '${name}' unmarked as autostarted\n`);
    });
  },
});
