// Autostart as libvirt does it: the link, and a start of those domains once per host boot when
// a driver opens the root (not at every embed command).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DomainState } from '../../src/api/constants.js';
import { openConnection } from '../../src/connect.js';
import { VirError } from '../../src/errors.js';
import { backends, domainXml } from '../helpers/fc-backend.js';
import { makeEmbedRoot } from '../helpers/embed-root.js';

for (const backend of backends) {
  test(`autostart domains start once per boot, not at every driver start (${backend.name} Firecracker)`, { skip: backend.skip }, async (t) => {
    const embed = await makeEmbedRoot(t);
    const { root, uri } = embed;
    const first = await openConnection(uri);
    const domain = await first.defineXML(domainXml(backend, { name: 'auto' }));
    await domain.setAutostart(true);
    assert.equal(await domain.getAutostart(), true);
    assert.equal(await fs.readlink(path.join(root, 'etc/libvirt/fc/autostart/auto.xml')), '../auto.xml');
    const transient = await first.createXML(domainXml(backend, { name: 'temp' }));
    await assert.rejects(transient.setAutostart(true), (error: unknown) =>
      error instanceof VirError && error.message === 'Requested operation is not valid: cannot set autostart for transient domain');
    await transient.destroy();
    await first.close();

    // This boot's autostart already ran (when the root was first opened): nothing starts.
    const second = await openConnection(uri);
    assert.equal((await (await second.lookupByName('auto')).getState()).state, DomainState.SHUTOFF);
    await second.close();

    // As after a host reboot: the stamp names another boot.
    await fs.writeFile(path.join(root, 'run/libvirt/fc/fc-autostarted'), 'an-earlier-boot\n');
    const third = await embed.open();
    const started = await third.lookupByName('auto');
    assert.equal((await started.getState()).state, DomainState.RUNNING);
    await started.destroy();
    await started.setAutostart(false);
    await assert.rejects(fs.lstat(path.join(root, 'etc/libvirt/fc/autostart/auto.xml')));
    await started.undefine();
  });
}
