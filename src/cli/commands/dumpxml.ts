import { DomainXMLFlags } from '../../api/constants.js';
import { DOMAIN_OPTION, lookupDomain, virshVerb, withConnection } from '../virsh-command.js';

export const dumpxml = virshVerb({
  name: 'dumpxml',
  summary: 'domain information in XML',
  options: [
    DOMAIN_OPTION,
    { name: 'inactive', type: 'bool', help: 'show inactive defined XML' },
    { name: 'security-info', type: 'bool', help: 'include security sensitive information in XML dump' },
    { name: 'update-cpu', type: 'bool', help: 'update guest CPU according to host CPU' },
    { name: 'migratable', type: 'bool', help: 'provide XML suitable for migrations' },
  ],
  async run(options, context) {
    let flags = 0;
    if (options.bool('inactive')) flags |= DomainXMLFlags.INACTIVE;
    if (options.bool('security-info')) flags |= DomainXMLFlags.SECURE;
    if (options.bool('update-cpu')) flags |= DomainXMLFlags.UPDATE_CPU;
    if (options.bool('migratable')) flags |= DomainXMLFlags.MIGRATABLE;
    await withConnection(context, async (connection) => {
      const domain = await lookupDomain(connection, options.required('domain'));
      context.stdout(await domain.getXMLDesc(flags));
    });
  },
});
