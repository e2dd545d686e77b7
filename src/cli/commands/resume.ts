import { DOMAIN_OPTION, actOnDomain, virshVerb } from '../virsh-command.js';

export const resume = virshVerb({
  name: 'resume',
  summary: 'resume a domain',
  options: [DOMAIN_OPTION],
  async run(options, context) {
    const name = options.required('domain');
    await actOnDomain(context, name, 'resume', (domain) => domain.resume(), `Domain '${name}' resumed`);
  },
});
