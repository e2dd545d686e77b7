// The session daemon a client starts when a user's fc:///session finds nobody listening:
// this package's own virtfcd (same version as the client), or $VIRTD_PATH/virtfcd when that
// is set — the variable libvirt's client reads for the same purpose.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DaemonCommand } from '../rpc/client/autostart.js';

/** The idle timeout a started session daemon gets, as libvirt gives its own. */
export const AUTOSTART_TIMEOUT_SECONDS = 120;

export const virtfcdScript = fileURLToPath(new URL('./virtfcd.js', import.meta.url));

export function sessionDaemonCommand(env: NodeJS.ProcessEnv): DaemonCommand {
  const args = ['--session', `--timeout=${AUTOSTART_TIMEOUT_SECONDS}`];
  const directory = env.VIRTD_PATH;
  if (directory !== undefined && directory !== '') {
    return { file: path.join(directory, 'virtfcd'), args, name: 'virtfcd' };
  }
  return { file: process.execPath, args: [virtfcdScript, ...args], name: 'virtfcd' };
}
