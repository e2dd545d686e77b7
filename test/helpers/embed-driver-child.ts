// A process that drives VMs in embed mode and then just sits there, for the tests that kill it
// with SIGKILL and re-attach. argv: ROOT XML-FILE…  Creates each domain (transient), prints
// "ready <name>=<id> …" on stdout, then keeps the connection (and the root lock) open.
import fs from 'node:fs/promises';
import { openConnection } from '../../src/connect.js';

const [root, ...files] = process.argv.slice(2);
if (root === undefined) throw new Error('usage: embed-driver-child ROOT XML…');
const connection = await openConnection(`fc:///embed?root=${root}`);
const started: string[] = [];
for (const file of files) {
  const domain = await connection.createXML(await fs.readFile(file, 'utf8'));
  started.push(`${domain.name}=${domain.id}`);
}
process.stdout.write(`ready ${started.join(' ')}\n`);
// Stay: the test kills this process while its VMs run.
setInterval(() => undefined, 60_000);
