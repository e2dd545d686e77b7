import { DOMAIN_OPTION, failWith, lookupDomain, virshVerb, withConnection } from '../virsh-command.js';

export const suspend = virshVerb({
  name: 'suspend',
  summary: 'suspend a domain',
  options: [DOMAIN_OPTION],
  async run(options, context) {
    const name = options.required('domain');
    await withConnection(context, async (connection) => {
      const domain = await lookupDomain(connection, name);
      try {
        await domain.suspend();
      } catch (error) {
        throw failWith(`Failed to suspend domain '${name}'`, error);
      }
      context.stdout(`Domain '${name}' suspended\n`);
    });
  },
});
