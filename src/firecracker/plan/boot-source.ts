// PUT /boot-source: kernel, initrd and the kernel command line.
import type { DomainDef } from '../../conf/domain-def.js';
import { appendKernelParameters, scanKernelCommandLine } from './kernel-cmdline.js';
import type { JsonObject, PlanRequest } from './types.js';

const SERIAL_CONSOLE = 'console=ttyS0';
// Firecracker's recommended command line (its getting-started guide). Firecracker's own default,
// used when boot_args is omitted, adds 8250.nr_uarts=0, which silences the serial console, so
// boot_args is always sent.
const RECOMMENDED_ARGS = ['reboot=k', 'panic=1', 'pci=off'];

/**
 * The user's <cmdline> is kept verbatim; only what the domain needs is added, never a key the
 * user already set: the serial console when a <serial> exists. Without a <cmdline>, the
 * recommended one. `root=` and `ro`/`rw` are never added: Firecracker adds them for the root
 * drive itself.
 */
export function bootArgs(def: DomainDef): string {
  const hasSerial = def.serial !== undefined;
  const { cmdline } = def.os;
  if (cmdline === undefined) return [...(hasSerial ? [SERIAL_CONSOLE] : []), ...RECOMMENDED_ARGS].join(' ');
  if (!hasSerial) return cmdline;
  const scanned = scanKernelCommandLine(cmdline, 'console');
  return scanned.hasKey ? cmdline : appendKernelParameters(cmdline, [SERIAL_CONSOLE], scanned.initArgsOffset);
}

export function planBootSource(def: DomainDef): PlanRequest {
  const body: JsonObject = { kernel_image_path: def.os.kernel };
  if (def.os.initrd !== undefined) body.initrd_path = def.os.initrd;
  body.boot_args = bootArgs(def);
  return { method: 'PUT', path: '/boot-source', body };
}
