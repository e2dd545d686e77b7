import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DomainDef } from '../../../src/conf/domain-def.js';
import { domain, allVersions, v1_16 } from '../helpers/domain.js';
import { plan, requestAt } from '../helpers/assertions.js';

const serial = { type: 'pty', port: 0 } as const;

function bootArgs(overrides: Partial<DomainDef['os']>, withSerial: boolean): unknown {
  const base = domain();
  const def = domain({ os: { ...base.os, ...overrides }, ...(withSerial ? { serial } : {}) });
  return requestAt(plan(def, v1_16), '/boot-source').body.boot_args;
}

test('without <cmdline>: Firecracker\'s recommended line, the console only with a serial', () => {
  assert.equal(bootArgs({}, true), 'console=ttyS0 reboot=k panic=1 pci=off');
  assert.equal(bootArgs({}, false), 'reboot=k panic=1 pci=off');
});

test('<cmdline> is kept verbatim; console=ttyS0 is added only for a serial without a console=', () => {
  assert.equal(bootArgs({ cmdline: 'panic=1' }, true), 'panic=1 console=ttyS0');
  assert.equal(bootArgs({ cmdline: 'panic=1' }, false), 'panic=1');
  assert.equal(bootArgs({ cmdline: 'console=hvc0  quiet' }, true), 'console=hvc0  quiet');
  assert.equal(bootArgs({ cmdline: 'quiet "console=ttyS0,115200"' }, true), 'quiet "console=ttyS0,115200"');
  assert.equal(bootArgs({ cmdline: 'quiet ' }, true), 'quiet console=ttyS0');
  assert.equal(bootArgs({ cmdline: '' }, true), 'console=ttyS0');
});

test('a key that only looks like console= does not count', () => {
  assert.equal(bootArgs({ cmdline: 'earlyconsole=x netconsole=y' }, true), 'earlyconsole=x netconsole=y console=ttyS0');
  assert.equal(bootArgs({ cmdline: 'foo="a console=hvc0"' }, true), 'foo="a console=hvc0" console=ttyS0');
  assert.equal(bootArgs({ cmdline: 'consoles=x console' }, true), 'consoles=x console');
});

test('quotes are not part of a key, as the kernel reads them', () => {
  assert.equal(bootArgs({ cmdline: '"con"sole=hvc0' }, true), '"con"sole=hvc0');
  assert.equal(bootArgs({ cmdline: 'quiet "console"' }, true), 'quiet "console"');
  assert.equal(bootArgs({ cmdline: '"console=hvc0 quiet' }, true), '"console=hvc0 quiet');
  assert.equal(bootArgs({ cmdline: '"--" quiet' }, true), '"--" quiet console=ttyS0');
});

test('parameters go before `--`: what follows it is init\'s, not the kernel\'s', () => {
  assert.equal(bootArgs({ cmdline: 'quiet -- single console=x' }, true), 'quiet console=ttyS0 -- single console=x');
  assert.equal(bootArgs({ cmdline: 'console=ttyS1 -- single' }, true), 'console=ttyS1 -- single');
});

test('root= and ro/rw are never added: Firecracker adds them for the root drive', () => {
  for (const version of allVersions) {
    const args = requestAt(plan(domain({ serial }), version), '/boot-source').body.boot_args;
    assert.ok(typeof args === 'string');
    assert.doesNotMatch(args, /\broot=|\bro\b|\brw\b/);
  }
});

test('the kernel and initrd paths are passed as given; boot_args is always sent', () => {
  const base = domain();
  const withInitrd = domain({ os: { ...base.os, initrd: '/boot/initrd.img' } });
  assert.deepEqual(requestAt(plan(withInitrd, v1_16), '/boot-source').body,
    { kernel_image_path: '/boot/vmlinux', initrd_path: '/boot/initrd.img', boot_args: 'reboot=k panic=1 pci=off' });
  assert.deepEqual(Object.keys(requestAt(plan(base, v1_16), '/boot-source').body), ['kernel_image_path', 'boot_args']);
});
