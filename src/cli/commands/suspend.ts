import { DOMAIN_OPTION, actOnDomain, virshVerb } from '../virsh-command.js';

export const suspend = virshVerb({
  name: 'suspend',
  summary: 'suspend a domain',
  options: [DOMAIN_OPTION],
  async run(options, context) {
    const name = options.required('domain');
    await actOnDomain(context, name, 'suspend', (domain) => domain.suspend(), `Domain '${name}' suspended`);
  },
});
