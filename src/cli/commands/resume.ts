import { DOMAIN_OPTION, failWith, lookupDomain, virshVerb, withConnection } from '../virsh-command.js';

export const resume = virshVerb({
  name: 'resume',
  summary: 'resume a domain',
  options: [DOMAIN_OPTION],
  async run(options, context) {
    const name = options.required('domain');
    await withConnection(context, async (connection) => {
      const domain = await lookupDomain(connection, name);
      try {
        await domain.resume();
      } catch (error) {
        throw failWith(`Failed to resume domain '${name}'`, error);
      }
      context.stdout(`Domain '${name}' resumed\n`);
    });
  },
});
