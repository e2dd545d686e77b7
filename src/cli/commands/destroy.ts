import { DomainDestroyFlags } from '../../api/constants.js';
import { DOMAIN_OPTION, actOnDomain, virshVerb } from '../virsh-command.js';

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
    await actOnDomain(context, name, 'destroy', (domain) => domain.destroy(flags), `Domain '${name}' destroyed`);
  },
});
