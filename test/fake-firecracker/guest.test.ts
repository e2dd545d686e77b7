// The pretend guest on its own: console output, raw echo, shell commands, pause/resume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeGuest, bootArg, type GuestHost } from './guest.js';

class Host implements GuestHost {
  out = '';
  resets = 0;
  crashes = 0;
  serial(text: string): void {
    this.out += text;
  }
  reset(): void {
    this.resets++;
  }
  crash(): void {
    this.crashes++;
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function start(cmdline: string): { guest: FakeGuest; host: Host } {
  const host = new Host();
  const guest = new FakeGuest(host, { cmdline, memMib: 128, vcpus: 1, rootDevice: 'vda' });
  guest.boot();
  return { guest, host };
}

async function booted(cmdline = 'console=ttyS0 reboot=k panic=1 root=/dev/vda rw'): Promise<{ guest: FakeGuest; host: Host }> {
  const started = start(cmdline);
  await until(() => started.host.out.endsWith('fcguest# '), 'the prompt');
  return started;
}

test('boot arguments are read like the kernel reads them (last one wins)', () => {
  assert.equal(bootArg('console=tty0 console=ttyS0', 'console'), 'ttyS0');
  assert.equal(bootArg('quiet fakefc.after_boot=hang', 'fakefc.after_boot'), 'hang');
  assert.equal(bootArg('quiet', 'panic'), undefined);
});

test('the console shows kernel lines, then a prompt', async () => {
  const { guest, host } = await booted();
  assert.match(host.out, /^\[ {4}0\.\d{6}\] Linux version /);
  assert.match(host.out, /printk: console \[ttyS0\] enabled\r\n/);
  assert.match(host.out, /Kernel command line: console=ttyS0 reboot=k panic=1 root=\/dev\/vda rw\r\n/);
  guest.stop();
});

test('without console=ttyS0 the serial port stays silent', async () => {
  const host = new Host();
  const guest = new FakeGuest(host, { cmdline: 'reboot=k panic=1', memMib: 128, vcpus: 1, rootDevice: 'vda' });
  guest.boot();
  guest.input(Buffer.from('echo hi\r'));
  await until(() => guest.state === 'shell', 'the shell');
  assert.equal(host.out, '');
  guest.stop();
});

test('typed bytes echo as they come; Enter runs the line', async () => {
  const { guest, host } = await booted();
  host.out = '';
  guest.input(Buffer.from('ec'));
  assert.equal(host.out, 'ec');
  guest.input(Buffer.from('ho hello\r'));
  assert.equal(host.out, 'echo hello\r\nhello\r\nfcguest# ');
  host.out = '';
  guest.input(Buffer.from('nope\x7f\x7f\x7f\x7funame\r\n'));
  assert.equal(host.out, 'nope\b \b\b \b\b \b\b \buname\r\nLinux\r\nfcguest# ');
  guest.stop();
});

test('reboot resets the machine; poweroff only halts', async () => {
  const a = await booted();
  a.guest.input(Buffer.from('reboot\r'));
  assert.equal(a.host.resets, 1);
  assert.match(a.host.out, /reboot: Restarting system\r\n$/);
  const b = await booted();
  b.guest.input(Buffer.from('poweroff\r'));
  assert.equal(b.host.resets, 0);
  assert.match(b.host.out, /reboot: System halted\r\n$/);
  assert.equal(b.guest.state, 'halted');
  b.host.out = '';
  b.guest.input(Buffer.from('echo still\r'));
  assert.equal(b.host.out, '', 'a halted guest echoes nothing');
  b.guest.stop();
});

test('a panic reboots after panic=N seconds, or hangs without it', async () => {
  const a = await booted('console=ttyS0 panic=1');
  a.guest.input(Buffer.from('panic\r'));
  assert.match(a.host.out, /Kernel panic - not syncing: .*\r\n.*Rebooting in 1 seconds\.\.\r\n$/s);
  assert.equal(a.host.resets, 0);
  await until(() => a.host.resets === 1, 'the reboot after the panic');
  const b = await booted('console=ttyS0');
  b.guest.input(Buffer.from('panic\r'));
  assert.match(b.host.out, /---\[ end Kernel panic - not syncing: .* \]---\r\n$/);
  assert.equal(b.guest.state, 'panicked');
  b.guest.stop();
});

test('with no root device and no initrd the kernel panics, then reboots with panic=N', async () => {
  const host = new Host();
  const guest = new FakeGuest(host, { cmdline: 'console=ttyS0 panic=1', memMib: 128, vcpus: 1, rootDevice: undefined });
  guest.boot();
  await until(() => host.out.includes('Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)'), 'the panic');
  assert.doesNotMatch(host.out, /fcguest# /);
  await until(() => host.resets === 1, 'the reboot');
});

test('crash takes the VMM down', async () => {
  const { guest, host } = await booted();
  guest.input(Buffer.from('crash\r'));
  assert.equal(host.crashes, 1);
});

test('ctrl-alt-del reboots after the current call returns, unless the guest ignores it', async () => {
  const a = await booted();
  a.guest.ctrlAltDel();
  assert.equal(a.host.resets, 0, 'not synchronously: the API answers first');
  await until(() => a.host.resets === 1, 'the reset');
  const b = await booted('console=ttyS0 fakefc.on_ctrl_alt_del=ignore');
  b.guest.ctrlAltDel();
  await new Promise((r) => setImmediate(r));
  assert.equal(b.host.resets, 0);
  b.guest.stop();
});

test('while paused nothing is printed; input and ctrl-alt-del wait for resume', async () => {
  const { guest, host } = await booted();
  guest.pause();
  host.out = '';
  guest.input(Buffer.from('echo later\r'));
  guest.ctrlAltDel();
  await new Promise((r) => setImmediate(r));
  assert.equal(host.out, '');
  assert.equal(host.resets, 0);
  guest.resume();
  assert.match(host.out, /^echo later\r\nlater\r\nfcguest# /);
  await until(() => host.resets === 1, 'the reset queued while paused');
});

test('boot-argument switches script the guest', async () => {
  const reboot = start('console=ttyS0 fakefc.after_boot=reboot');
  await until(() => reboot.host.resets === 1, 'after_boot=reboot');
  assert.match(reboot.host.out, /fcguest# \r\nThe system is going down NOW!/);
  const crash = start('console=ttyS0 fakefc.after_boot=crash');
  await until(() => crash.host.crashes === 1, 'after_boot=crash');
  const hang = start('console=ttyS0 fakefc.after_boot=hang');
  await until(() => hang.guest.state === 'hung', 'after_boot=hang');
  hang.host.out = '';
  hang.guest.input(Buffer.from('echo x\r'));
  hang.guest.ctrlAltDel();
  await new Promise((r) => setImmediate(r));
  assert.equal(hang.host.out, '');
  assert.equal(hang.host.resets, 0);
  hang.guest.stop();
});

test('a restored guest continues where it was saved, paused until resumed', async () => {
  const { guest, host } = await booted();
  guest.input(Buffer.from('ech'));
  guest.pause();
  const saved = guest.snapshot();
  guest.stop();
  const host2 = new Host();
  const restored = new FakeGuest(host2, { cmdline: 'console=ttyS0', memMib: 128, vcpus: 1, rootDevice: 'vda' }, saved);
  restored.input(Buffer.from('o back\r'));
  assert.equal(host2.out, '');
  restored.resume();
  assert.equal(host2.out, 'o back\r\nback\r\nfcguest# ');
  assert.ok(host.out.length > 0);
  restored.stop();
});
