import { DomainDestroyFlags } from '../../api/constants.js';
import { DOMAIN_OPTION, failWith, lookupDomain, virshVerb, withConnection } from '../virsh-command.js';

export const destroy = virshVerb({
  name: 'destroy',
  summary: 'destroy (stop) a domain',
  options: [
    DOMAIN_OPTION,
    { name: 'graceful', type: 'bool', help: 'terminate gracefully' },
    { name: 'remove-logs', type: 'bool', help: 'remove domain logs' },
  ],
  async run(options, context) {
    const name = options.required('domain');
    let flags = 0;
    if (options.bool('graceful')) flags |= DomainDestroyFlags.GRACEFUL;
    if (options.bool('remove-logs')) flags |= DomainDestroyFlags.REMOVE_LOGS;
    await withConnection(context, async (connection) => {
      const domain = await lookupDomain(connection, name);
      try {
        await domain.destroy(flags);
      } catch (error) {
        throw failWith(`Failed to destroy domain '${name}'`, error);
      }
      context.stdout(`Domain '${name}' destroyed\n`);
    });
  },
});
