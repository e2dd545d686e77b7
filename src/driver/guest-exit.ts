// Why a Firecracker process ended, in libvirt's terms. Firecracker exits when the guest
// resets (a reboot: `reboot=k`, a triple fault, `panic=N`) and when it fails; it has no
// power-off on the versions fcvirt drives. So:
//   - a shutdown the driver asked for (recorded in the status file), then an exit → shutdown
//     (<on_poweroff>);
//   - exit code 0 otherwise → the guest rebooted (<on_reboot>);
//   - a non-zero code or a signal the driver did not send → a crash (<on_crash>).
// A process the driver re-attached to is not its child: its exit status cannot be read. Then
// the kernel's own console messages decide: Linux prints "reboot: Restarting system" before a
// reset and "Rebooting in N seconds.." after a panic with panic=N; without them it is a crash.

import fs from 'node:fs/promises';

export type GuestExit = 'shutdown' | 'reboot' | 'crash';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** How much of the log end is searched for the kernel's reboot messages. */
const EVIDENCE_BYTES = 64 * 1024;

const REBOOT_MESSAGES = ['reboot: Restarting system', 'Rebooting in '];

export function classifyExit(status: ExitStatus, shutdownRequested: boolean): GuestExit {
  if (shutdownRequested) return 'shutdown';
  return status.code === 0 && status.signal === null ? 'reboot' : 'crash';
}

/** For a process whose exit status is unknown: the log it wrote since `fromOffset` decides. */
export async function classifyUnobservedExit(logFile: string, fromOffset: number, shutdownRequested: boolean): Promise<GuestExit> {
  if (shutdownRequested) return 'shutdown';
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(logFile, 'r');
    const { size } = await handle.stat();
    const start = Math.max(fromOffset, size - EVIDENCE_BYTES, 0);
    const buffer = Buffer.alloc(Math.max(size - start, 0));
    await handle.read(buffer, 0, buffer.length, start);
    const text = buffer.toString('latin1');
    return REBOOT_MESSAGES.some((message) => text.includes(message)) ? 'reboot' : 'crash';
  } catch {
    return 'crash';
  } finally {
    await handle?.close();
  }
}
