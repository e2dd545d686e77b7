// The serial console through the API and the CLI: a round trip with the guest, one session at a
// time unless forced, and it keeps working after the process that started the VM is gone.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DomainConsoleFlags } from '../../src/api/constants.js';
import { VirError } from '../../src/errors.js';
import { backends, domainXml } from '../helpers/fc-backend.js';
import { fcvirt, fcvirtScript } from '../helpers/cli.js';
import { makeEmbedRoot } from '../helpers/embed-root.js';
import { Collector } from '../helpers/stream-reader.js';
import { waitFor } from '../helpers/wait.js';

for (const backend of backends) {
  describe(`console against ${backend.name} Firecracker`, { skip: backend.skip }, () => {
    test('openConsole: guest output, typed input, exclusivity, forced takeover', async (t) => {
      const embed = await makeEmbedRoot(t);
      const { root, uri } = embed;
      // Started by a CLI process that has exited since: the console does not depend on it.
      await fs.writeFile(path.join(root, 'c.xml'), domainXml(backend, { name: 'chatty' }));
      const created = await fcvirt(['create', path.join(root, 'c.xml')], { uri });
      assert.equal(created.code, 0, created.stderr);

      const connection = await embed.open();
      const domain = await connection.lookupByName('chatty');
      const stream = await domain.openConsole(null);
      const output = new Collector(stream);
      // The session follows the log from its end: wake the prompt up.
      stream.write('\r');
      if (backend.double) {
        await output.waitForText('fcguest# ');
        stream.write('echo hello-console\r');
        await output.waitForText('hello-console\r\nfcguest# ');
      } else {
        // Nothing is known of a real guest beyond its kernel printing on ttyS0 (maybe before
        // this session began): its banner is in the domain log.
        const log = path.join(root, 'var/log/libvirt/fc/chatty.log');
        await waitFor(async () => (await fs.readFile(log, 'utf8')).includes(backend.consoleReady), 'the kernel banner in the log', backend.bootMs);
      }

      await assert.rejects(domain.openConsole(null), (error: unknown) =>
        error instanceof VirError && error.codeName === 'VIR_ERR_OPERATION_FAILED' && /Active console session exists for this domain/.test(error.message));
      await assert.rejects(domain.openConsole('serial7'), (error: unknown) =>
        error instanceof VirError && error.message === 'internal error: cannot find character device serial7');
      const forced = await domain.openConsole('serial0', DomainConsoleFlags.FORCE);
      await output.waitForEnd();
      const forcedOutput = new Collector(forced);
      if (backend.double) {
        forced.write('echo second\r');
        await forcedOutput.waitForText('second\r\nfcguest# ');
      }
      await domain.destroy();
      await forcedOutput.waitForEnd();
    });

    test('fcvirt console: Connected…, round trip, ^] leaves; other commands meanwhile', { skip: !backend.double && 'needs the double\'s shell to echo' }, async (t) => {
      const embed = await makeEmbedRoot(t);
      const { root, uri } = embed;
      await fs.writeFile(path.join(root, 'c.xml'), domainXml(backend, { name: 'term' }));
      assert.equal((await fcvirt(['create', path.join(root, 'c.xml')], { uri })).code, 0);
      const child = spawn(process.execPath, [fcvirtScript, '-c', uri, 'console', 'term'], { stdio: ['pipe', 'pipe', 'pipe'] });
      t.after(() => { child.kill('SIGKILL'); });
      const output = new Collector(child.stdout);
      await output.waitForText("Connected to domain 'term'\nEscape character is ^] (Ctrl + ])\n");
      child.stdin.write('echo over-the-cli\r');
      await output.waitForText('over-the-cli\r\nfcguest# ');
      // The open console holds no lock: another command on the root runs meanwhile.
      const state = await fcvirt(['domstate', 'term'], { uri });
      assert.equal(state.stdout, 'running\n\n');
      const closed = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.stdin.write(Buffer.from([0x1d]));
      assert.equal(await closed, 0);
      const again = await fcvirt(['console', 'term'], { uri, input: '\x1d' });
      assert.equal(again.code, 0, `a second console after the first left: ${again.stderr}`);
      await fcvirt(['destroy', 'term'], { uri });
      const refused = await fcvirt(['console', 'term'], { uri });
      assert.equal(refused.code, 1);
      assert.equal(refused.stderr, "error: failed to get domain 'term'\n");
    });
  });
}
