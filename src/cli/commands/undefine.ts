import { DOMAIN_OPTION, actOnDomain, virshVerb } from '../virsh-command.js';

export const undefine = virshVerb({
  name: 'undefine',
  summary: 'undefine a domain',
  options: [DOMAIN_OPTION],
  async run(options, context) {
    const name = options.required('domain');
    await actOnDomain(context, name, 'undefine', (domain) => domain.undefine(0), `Domain '${name}' has been undefined`);
  },
});
