import { BY_NAME, BY_UUID, lookupDomain, virshVerb, withConnection } from '../virsh-command.js';

export const domid = virshVerb({
  name: 'domid',
  summary: 'convert a domain name or UUID to domain id',
  options: [{ name: 'domain', type: 'data', required: true, help: 'domain name or uuid' }],
  async run(options, context) {
    await withConnection(context, async (connection) => {
      const domain = await lookupDomain(connection, options.required('domain'), BY_NAME | BY_UUID);
      context.stdout(domain.id === -1 ? '-\n' : `${domain.id}\n`);
    });
  },
});
