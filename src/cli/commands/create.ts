import { DomainCreateFlags } from '../../api/constants.js';
import { readXmlFile } from '../read-xml-file.js';
import { failWith, virshVerb, withConnection } from '../virsh-command.js';
import { runConsole } from './console.js';

export const create = virshVerb({
  name: 'create',
  summary: 'create a domain from an XML file',
  options: [
    { name: 'file', type: 'data', required: true, help: 'file containing an XML domain description' },
    { name: 'console', type: 'bool', help: 'attach to console after creation' },
    { name: 'paused', type: 'bool', help: 'leave the guest paused after creation' },
    { name: 'autodestroy', type: 'bool', help: 'automatically destroy the guest when virsh disconnects' },
    { name: 'validate', type: 'bool', help: 'validate the XML against the schema' },
  ],
  async run(options, context) {
    const file = options.required('file');
    const xml = await readXmlFile(file);
    let flags = 0;
    if (options.bool('paused')) flags |= DomainCreateFlags.START_PAUSED;
    if (options.bool('autodestroy')) flags |= DomainCreateFlags.START_AUTODESTROY;
    if (options.bool('validate')) flags |= DomainCreateFlags.START_VALIDATE;
    const opened = await withConnection(context, async (connection) => {
      let name: string;
      try {
        name = (await connection.createXML(xml, flags)).name;
      } catch (error) {
        throw failWith(`Failed to create domain from ${file}`, error);
      }
      context.stdout(`Domain '${name}' created from ${file}\n`);
      if (!options.bool('console')) return undefined;
      const domain = await connection.lookupByName(name);
      context.stdout(`Connected to domain '${name}'\nEscape character is ^] (Ctrl + ])\n`);
      return domain.openConsole(null, 0);
    });
    if (opened !== undefined) await runConsole(opened, context);
  },
});
