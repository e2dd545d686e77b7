// A process that drives VMs in embed mode and then just sits there, for the tests that kill it
// with SIGKILL and re-attach. argv: ROOT [--autodestroy=XML-FILE | XML-FILE]…  Creates each
// domain (transient; with START_AUTODESTROY for --autodestroy=), prints "ready <name>=<id> …"
// on stdout, then keeps the connection (and the root lock) open.
import fs from 'node:fs/promises';
import { DomainCreateFlags } from '../../src/api/constants.js';
import { openConnection } from '../../src/connect.js';

const [root, ...files] = process.argv.slice(2);
if (root === undefined) throw new Error('usage: embed-driver-child ROOT XML…');
const connection = await openConnection(`fc:///embed?root=${root}`);
const started: string[] = [];
const AUTODESTROY = '--autodestroy=';
for (const argument of files) {
  const autodestroy = argument.startsWith(AUTODESTROY);
  const file = autodestroy ? argument.slice(AUTODESTROY.length) : argument;
  const domain = await connection.createXML(await fs.readFile(file, 'utf8'), autodestroy ? DomainCreateFlags.START_AUTODESTROY : 0);
  started.push(`${domain.name}=${domain.id}`);
}
process.stdout.write(`ready ${started.join(' ')}\n`);
// Stay: the test kills this process while its VMs run.
setInterval(() => undefined, 60_000);
