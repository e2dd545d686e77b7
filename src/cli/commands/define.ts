import { DomainDefineFlags } from '../../api/constants.js';
import { readXmlFile } from '../read-xml-file.js';
import { failWith, virshVerb, withConnection } from '../virsh-command.js';

export const define = virshVerb({
  name: 'define',
  summary: 'define (but don\'t start) a domain from an XML file',
  options: [
    { name: 'file', type: 'data', required: true, help: 'file containing an XML domain description' },
    { name: 'validate', type: 'bool', help: 'validate the XML against the schema' },
  ],
  async run(options, context) {
    const file = options.required('file');
    const xml = await readXmlFile(file);
    const flags = options.bool('validate') ? DomainDefineFlags.VALIDATE : 0;
    await withConnection(context, async (connection) => {
      try {
        const domain = await connection.defineXML(xml, flags);
        context.stdout(`Domain '${domain.name}' defined from ${file}\n`);
      } catch (error) {
        throw failWith(`Failed to define domain from ${file}`, error);
      }
    });
  },
});
