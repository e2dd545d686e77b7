// Where virtfcd listens: exactly where the stock libvirt client looks for a fc:// URI (its
// remote driver in direct mode, virt<scheme>d): /run/libvirt/virtfcd-sock[-ro] for the system
// instance, $XDG_RUNTIME_DIR/libvirt/virtfcd-sock for a user's session instance (no -ro, as
// libvirt's session daemons have none). Never libvirt-sock: that is libvirtd's.

import os from 'node:os';
import path from 'node:path';
import { userRuntimeDir } from '../rpc/client/socket-path.js';
import type { DaemonOptions } from './options.js';

export interface DaemonSockets {
  /** The read-write socket (mode 0600: only its owner may connect). */
  rw: string;
  /** The read-only socket (mode 0666), system instances only. */
  ro: string | undefined;
  /** The directory the sockets live in. */
  dir: string;
  /** What a client opening a NULL URI gets, and what this daemon calls itself. */
  uri: 'fc:///system' | 'fc:///session';
}

export const RW_SOCKET_MODE = 0o600;
export const RO_SOCKET_MODE = 0o666;

export function daemonSockets(options: Pick<DaemonOptions, 'mode' | 'root'>, env: NodeJS.ProcessEnv, home: string = os.homedir()): DaemonSockets {
  if (options.mode === 'session') {
    const dir = path.join(userRuntimeDir(env, home), 'libvirt');
    return { rw: path.join(dir, 'virtfcd-sock'), ro: undefined, dir, uri: 'fc:///session' };
  }
  // The client connects to /var/run/libvirt/…; /var/run is a symlink to /run.
  const dir = path.join(options.root === undefined ? '/run' : path.resolve(options.root, 'run'), 'libvirt');
  return { rw: path.join(dir, 'virtfcd-sock'), ro: path.join(dir, 'virtfcd-sock-ro'), dir, uri: 'fc:///system' };
}
