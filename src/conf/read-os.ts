// <os>: the direct kernel boot Firecracker does (type, kernel, initrd, cmdline, root).
import { VirError } from '../errors.js';
import type { GuestArch, OsDef } from './domain-def.js';
import { attribute, child, finish, optionalText, unsupported, xmlError, type ReadContext } from './element-reader.js';
import { where } from './locations.js';
import type { XElement } from './xml-tree.js';

const arches: readonly GuestArch[] = ['x86_64', 'aarch64'];

export function readOs(element: XElement, read: ReadContext): OsDef {
  const type = child(element, 'type');
  if (type === undefined) {
    throw xmlError(`<os> needs a <type>: write <type arch='x86_64'>hvm</type>${where(element)}`);
  }
  const osType = type.text.trim();
  if (osType !== 'hvm') {
    throw unsupported(`OS type '${osType}' is not supported, only 'hvm'${where(type)}`);
  }
  const arch = attribute(type, 'arch') ?? 'x86_64';
  if (!(arches as readonly string[]).includes(arch)) {
    throw unsupported(`architecture '${arch}' is not supported, only 'x86_64' and 'aarch64'${where(type)}`);
  }
  const machine = attribute(type, 'machine');
  finish(type, 'os/type', read);

  const kernelElement = child(element, 'kernel');
  const kernel = optionalText(kernelElement);
  if (kernel === undefined) {
    throw new VirError(
      'VIR_ERR_NO_KERNEL',
      `Firecracker boots a kernel directly: add <kernel>/path/to/vmlinux</kernel> to <os>${where(kernelElement ?? element)}`,
      { domain: 'VIR_FROM_DOMAIN' },
    );
  }
  const os: OsDef = { type: 'hvm', arch: arch as GuestArch, kernel };
  if (machine !== undefined) os.machine = machine;
  const initrd = optionalText(child(element, 'initrd'));
  if (initrd !== undefined) os.initrd = initrd;
  const cmdline = optionalText(child(element, 'cmdline'));
  if (cmdline !== undefined) os.cmdline = cmdline;
  const root = optionalText(child(element, 'root'));
  if (root !== undefined) os.root = root;
  for (const leaf of element.children) {
    if (leaf.used && leaf !== type) finish(leaf, `os/${leaf.local}`, read);
  }
  finish(element, 'os', read);
  return os;
}
