// A driver that offers ptys (as the daemon will): the live XML shows the pty while it exists,
// and a terminal on it talks to the guest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import tty from 'node:tty';
import { DriverConnection } from '../../src/driver/connection.js';
import { FcDriver } from '../../src/driver/driver.js';
import { rootLayout } from '../../src/driver/paths.js';
import { domainXml, fakeBackend } from '../helpers/fc-backend.js';
import { makeEmbedRoot } from '../helpers/embed-root.js';
import { Collector } from '../helpers/stream-reader.js';
import { waitFor } from '../helpers/wait.js';

test('with ptys, live XML shows /dev/pts/N and the pty reaches the guest', async (t) => {
  const { root } = await makeEmbedRoot(t);
  const driver = await FcDriver.open({ layout: rootLayout(root), kind: 'daemon', daemonUri: 'fc:///system?socket=/nonexistent', ptys: true });
  const connection = new DriverConnection('fc:///system', driver, { onClose: () => driver.close() });
  t.after(() => connection.close());
  const domain = await connection.createXML(domainXml(fakeBackend, { name: 'withpty' }));
  const live = await domain.getXMLDesc();
  const ptyPath = /<source path='(\/dev\/pts\/\d+)'\/>/.exec(live)?.[1];
  assert.ok(ptyPath !== undefined, `no pty in the live XML:\n${live}`);
  assert.match(live, new RegExp(`<console type='pty' tty='${ptyPath}'>`));
  const fd = fs.openSync(ptyPath, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
  const terminal = new tty.ReadStream(fd);
  t.after(() => { terminal.destroy(); });
  const output = new Collector(terminal);
  fs.writeSync(fd, 'echo through-the-pty\r');
  await output.waitForText('through-the-pty\r\nfcguest# ');
  terminal.destroy();
  await domain.destroy();
  await waitFor(() => !fs.existsSync(ptyPath), 'the pty to go with the domain');
});
