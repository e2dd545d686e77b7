import { BY_ID, BY_UUID, lookupDomain, virshVerb, withConnection } from '../virsh-command.js';

export const domname = virshVerb({
  name: 'domname',
  summary: 'convert a domain id or UUID to domain name',
  options: [{ name: 'domain', type: 'data', required: true, help: 'domain id or uuid' }],
  async run(options, context) {
    await withConnection(context, async (connection) => {
      const domain = await lookupDomain(connection, options.required('domain'), BY_ID | BY_UUID);
      context.stdout(`${domain.name}\n`);
    });
  },
});
