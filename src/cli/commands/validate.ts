// `fcvirt validate [--validate] FILE`: parse and check a domain XML file without defining it.
import { VirError } from '../../errors.js';
import { parseDomainXML } from '../../conf/index.js';
import type { CliCommand } from '../command.js';
import { readXmlFile } from '../read-xml-file.js';

export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'check a domain XML file (--validate: also refuse elements libvirt does not know)',
  usage: 'validate [--validate] FILE',
  run: async (args, context) => {
    const files = args.filter((arg) => arg !== '--validate');
    const unknown = files.find((arg) => arg.startsWith('-'));
    if (unknown !== undefined) {
      throw new VirError('VIR_ERR_INVALID_ARG', `command 'validate' doesn't support option ${unknown}`, { verbatim: true });
    }
    const [file, extra] = files;
    if (file === undefined || extra !== undefined) {
      throw new VirError('VIR_ERR_INVALID_ARG', 'usage: fcvirt validate [--validate] FILE', { verbatim: true });
    }
    parseDomainXML(await readXmlFile(file), { validate: args.includes('--validate') });
    context.stdout(`${file} validates\n`);
    return 0;
  },
};
