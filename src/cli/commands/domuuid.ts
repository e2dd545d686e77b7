import { BY_ID, BY_NAME, lookupDomain, virshVerb, withConnection } from '../virsh-command.js';

export const domuuid = virshVerb({
  name: 'domuuid',
  summary: 'convert a domain name or id to domain UUID',
  options: [{ name: 'domain', type: 'data', required: true, help: 'domain id or name' }],
  async run(options, context) {
    await withConnection(context, async (connection) => {
      const domain = await lookupDomain(connection, options.required('domain'), BY_ID | BY_NAME);
      context.stdout(`${domain.uuid}\n`);
    });
  },
});
