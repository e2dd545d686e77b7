// `fcvirt validate [--validate] FILE`: parse and check a domain XML file without defining it.
import { readFile } from 'node:fs/promises';
import { VirError } from '../../errors.js';
import { parseDomainXML } from '../../conf/index.js';
import type { CliCommand } from '../command.js';

/** Reads a file the way virsh reports failing to: "Failed to open file 'x': No such file or directory". */
async function readXmlFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reasons: Record<string, string> = {
      ENOENT: 'No such file or directory',
      EACCES: 'Permission denied',
      EISDIR: 'Is a directory',
    };
    const reason = (code === undefined ? undefined : reasons[code]) ?? (error instanceof Error ? error.message : String(error));
    throw new VirError('VIR_ERR_OPEN_FAILED', `Failed to open file '${file}': ${reason}`, { verbatim: true, cause: error });
  }
}

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
