import { DOMAIN_OPTION, failWith, lookupDomain, virshVerb, withConnection } from '../virsh-command.js';

export const undefine = virshVerb({
  name: 'undefine',
  summary: 'undefine a domain',
  options: [DOMAIN_OPTION],
  async run(options, context) {
    const name = options.required('domain');
    await withConnection(context, async (connection) => {
      const domain = await lookupDomain(connection, name);
      try {
        await domain.undefine(0);
      } catch (error) {
        throw failWith(`Failed to undefine domain '${name}'`, error);
      }
      context.stdout(`Domain '${name}' has been undefined\n`);
    });
  },
});
