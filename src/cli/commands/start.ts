import { DomainCreateFlags } from '../../api/constants.js';
import { BY_NAME, BY_UUID, CommandError, failWith, lookupDomain, virshVerb, withConnection } from '../virsh-command.js';
import { runConsole } from './console.js';

export const start = virshVerb({
  name: 'start',
  summary: 'start a (previously defined) inactive domain',
  options: [
    { name: 'domain', type: 'data', required: true, help: 'name of the inactive domain' },
    { name: 'console', type: 'bool', help: 'attach to console after creation' },
    { name: 'paused', type: 'bool', help: 'leave the guest paused after creation' },
    { name: 'autodestroy', type: 'bool', help: 'automatically destroy the guest when virsh disconnects' },
    { name: 'bypass-cache', type: 'bool', help: 'avoid file system cache when loading' },
    { name: 'force-boot', type: 'bool', help: 'force fresh boot by discarding any managed save' },
  ],
  async run(options, context) {
    let flags = 0;
    if (options.bool('paused')) flags |= DomainCreateFlags.START_PAUSED;
    if (options.bool('autodestroy')) flags |= DomainCreateFlags.START_AUTODESTROY;
    if (options.bool('bypass-cache')) flags |= DomainCreateFlags.START_BYPASS_CACHE;
    if (options.bool('force-boot')) flags |= DomainCreateFlags.START_FORCE_BOOT;
    const stream = await withConnection(context, async (connection) => {
      const domain = await lookupDomain(connection, options.required('domain'), BY_NAME | BY_UUID);
      if (domain.id !== -1) throw new CommandError(['Domain is already active']);
      try {
        await domain.create(flags);
      } catch (error) {
        throw failWith(`Failed to start domain '${domain.name}'`, error);
      }
      context.stdout(`Domain '${domain.name}' started\n`);
      if (!options.bool('console')) return undefined;
      context.stdout(`Connected to domain '${domain.name}'\nEscape character is ^] (Ctrl + ])\n`);
      return domain.openConsole(null, 0);
    });
    if (stream !== undefined) await runConsole(stream, context);
  },
});
