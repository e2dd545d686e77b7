// Reading a domain XML file for a CLI verb, failing the way virsh reports it:
// "Failed to open file 'x': No such file or directory".
import { readFile } from 'node:fs/promises';
import { VirError } from '../errors.js';

const reasons: Partial<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
};

export async function readXmlFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = (code === undefined ? undefined : reasons[code]) ?? (error instanceof Error ? error.message : String(error));
    throw new VirError('VIR_ERR_OPEN_FAILED', `Failed to open file '${file}': ${reason}`, { verbatim: true, cause: error });
  }
}
