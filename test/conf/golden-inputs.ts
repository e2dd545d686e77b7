// The xml2xml golden inputs (not a test file itself): NAME.xml, with NAME.expected.xml (inactive
// form) and, for some, NAME.live.xml beside it.
import { readdirSync } from 'node:fs';
import { testData } from '../helpers/paths.js';

export const xml2xmlDir = testData('xml2xml');

/** Names of the input files, without `.xml`. */
export function goldenInputs(): string[] {
  return readdirSync(xml2xmlDir)
    .filter((file) => file.endsWith('.xml') && !file.endsWith('.expected.xml') && !file.endsWith('.live.xml'))
    .map((file) => file.slice(0, -'.xml'.length))
    .sort();
}
