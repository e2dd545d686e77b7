import { virshVerb, withConnection } from '../virsh-command.js';

export const maxvcpus = virshVerb({
  name: 'maxvcpus',
  summary: 'connection vcpu maximum',
  options: [{ name: 'type', type: 'string', help: 'domain type' }],
  async run(options, context) {
    await withConnection(context, async (connection) => {
      context.stdout(`${await connection.getMaxVcpus(options.string('type') ?? null)}\n`);
    });
  },
});
