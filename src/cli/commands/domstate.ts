import { DOMAIN_OPTION, lookupDomain, reasonString, stateString, virshVerb, withConnection } from '../virsh-command.js';

export const domstate = virshVerb({
  name: 'domstate',
  summary: 'domain state',
  options: [DOMAIN_OPTION, { name: 'reason', type: 'bool', help: 'also print reason for the state' }],
  async run(options, context) {
    await withConnection(context, async (connection) => {
      const domain = await lookupDomain(connection, options.required('domain'));
      const { state, reason } = await domain.getState();
      context.stdout(options.bool('reason') ? `${stateString(state)} (${reasonString(state, reason)})\n` : `${stateString(state)}\n`);
    });
  },
});
