import { DOMAIN_OPTION, actOnDomain, virshVerb } from '../virsh-command.js';
import { modeFlags } from './shutdown.js';

export const reboot = virshVerb({
  name: 'reboot',
  summary: 'reboot a domain',
  options: [DOMAIN_OPTION, { name: 'mode', type: 'string', help: 'shutdown mode: acpi|agent|initctl|signal|paravirt' }],
  async run(options, context) {
    const name = options.required('domain');
    const flags = modeFlags(options.string('mode'));
    await actOnDomain(context, name, 'reboot', (domain) => domain.reboot(flags), `Domain '${name}' is being rebooted`);
  },
});
