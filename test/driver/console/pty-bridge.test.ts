import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { readlink, readdir } from 'node:fs/promises';
import path from 'node:path';
import tty from 'node:tty';
import { startPtyBridge } from '../../../src/driver/console/pty-bridge.js';
import { prepareConsoleFiles } from '../../../src/driver/console/console-files.js';
import { spawnFirecracker, waitForApiSocket } from '../../../src/firecracker/launcher.js';
import { terminate } from '../../../src/firecracker/process-watch.js';
import { Collector } from '../../helpers/stream-reader.js';
import { waitFor } from '../../helpers/wait.js';
import { wireGuest } from '../../helpers/console-guest.js';
import { installMiniFirecracker } from '../../helpers/mini-firecracker-bin.js';

/** Opens the pty as a terminal program would (screen, minicom). */
function attachTerminal(ptyPath: string): { output: Collector; type: (text: string) => void; close: () => Promise<void> } {
  const fd = fs.openSync(ptyPath, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
  const stream = new tty.ReadStream(fd);
  const output = new Collector(stream);
  return {
    output,
    type: (text) => {
      fs.writeSync(fd, text);
    },
    close: () => new Promise((resolve) => {
      if (stream.closed) {
        resolve();
        return;
      }
      stream.once('close', () => {
        resolve();
      });
      stream.destroy();
    }),
  };
}

test('pty bridge: a terminal on /dev/pts/N sees the console and types into it', async (t) => {
  const guest = await wireGuest(t);
  const bridge = await startPtyBridge(guest.paths, guest.exited);
  t.after(() => bridge.stop());
  assert.match(bridge.path, /^\/dev\/pts\/\d+$/);
  const terminal = attachTerminal(bridge.path);
  terminal.type('through the pty\n');
  await terminal.output.waitForText('echo: through the pty\n');
  // Raw mode: nothing typed is echoed back by the line discipline, no \r added.
  assert.equal(terminal.output.text.includes('through the pty\n') && !terminal.output.text.startsWith('through'), true);
  assert.ok(!terminal.output.text.includes('\r'));
  // The log has it too: the pty is just another reader.
  assert.match(fs.readFileSync(guest.paths.logFile, 'utf8'), /echo: through the pty/);
  await terminal.close();
  // A terminal closing does not end the bridge: the next one is served.
  const again = attachTerminal(bridge.path);
  again.type('second terminal\n');
  await again.output.waitForText('echo: second terminal\n');
  await again.close();
  await bridge.stop();
  await waitFor(() => !fs.existsSync(bridge.path), 'the pty to disappear');
});

test('pty bridge: stops by itself when the VM exits, after its last words', async (t) => {
  const guest = await wireGuest(t);
  const bridge = await startPtyBridge(guest.paths, guest.exited);
  t.after(() => bridge.stop());
  const terminal = attachTerminal(bridge.path);
  t.after(() => terminal.close());
  terminal.type('exit\n');
  await terminal.output.waitForText('bye\n');
  await bridge.stopped;
});

test('pty bridge: a VM spawned while a pty is open does not inherit it', async (t) => {
  const guest = await wireGuest(t);
  const bridge = await startPtyBridge(guest.paths, guest.exited);
  t.after(() => bridge.stop());
  const binary = await installMiniFirecracker(guest.dir);
  const paths = { logFile: path.join(guest.dir, 'vm2.log'), inputFifo: path.join(guest.dir, 'vm2.in'), ownerFile: path.join(guest.dir, 'vm2.owner') };
  const files = await prepareConsoleFiles(paths);
  const apiSocket = path.join(guest.dir, 'vm2.sock');
  const vm = await spawnFirecracker({ binary, version: { major: 1, minor: 3, patch: 3 }, apiSocket, id: 'vm2', stdio: files.stdio });
  await files.close();
  t.after(() => terminate(vm.pid, vm.startTime, { graceMs: 2000 }));
  await waitForApiSocket(apiSocket, { exited: vm.exited, logFile: paths.logFile });
  const targets = await Promise.all((await readdir(`/proc/${vm.pid}/fd`)).map((fd) => readlink(`/proc/${vm.pid}/fd/${fd}`).catch(() => '')));
  assert.ok(!targets.some((target) => target === '/dev/ptmx' || target === bridge.path), `the VM holds ${targets.join(', ')}`);
});
