// Which socket a fc:// URI reaches, and the name sent in CONNECT_OPEN, by the stock
// client's rules (libvirt's remote_sockets.c in direct mode): ?socket= wins, system URIs use
// /run/libvirt/virtfcd-sock[-ro], session URIs $XDG_RUNTIME_DIR/libvirt/virtfcd-sock — for
// users other than root only: root's fc:///session reaches the system daemon, as with libvirt.
// A session socket is also one the client may start a daemon for when nobody answers.

import os from 'node:os';
import path from 'node:path';
import { VirError } from '../../errors.js';

/** Query parameters the client consumes itself and never sends to the daemon. */
const CLIENT_ONLY_PARAMS = [
  'name', 'command', 'socket', 'auth', 'sshauth', 'netcat', 'keyfile', 'pkipath', 'known_hosts',
  'known_hosts_verify', 'tls_priority', 'mode', 'proxy', 'no_sanity', 'no_verify', 'no_tty', 'authfile',
];

export interface RemoteTarget {
  socketPath: string;
  /** The URI as sent in CONNECT_OPEN. */
  name: string;
  /**
   * The client may start a session daemon when nothing answers (libvirt's AUTOSTART flag: a
   * user's fc:///session on the default socket, unless LIBVIRT_AUTOSTART=0).
   */
  autostart: boolean;
}

/** libvirt's virGetUserRuntimeDirectory (GLib's): $XDG_RUNTIME_DIR, else the user's cache dir. */
export function userRuntimeDir(env: NodeJS.ProcessEnv, home: string = os.homedir()): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime !== undefined && path.isAbsolute(runtime)) return runtime;
  const cache = env.XDG_CACHE_HOME;
  return cache !== undefined && path.isAbsolute(cache) ? cache : path.join(home, '.cache');
}

/** True when this process runs as root, which makes fc:///session mean the system daemon. */
export function runsAsRoot(): boolean {
  return (process.geteuid?.() ?? 0) === 0;
}

export function remoteTarget(
  uri: string,
  readOnly: boolean,
  env: NodeJS.ProcessEnv = process.env,
  privileged: boolean = runsAsRoot(),
): RemoteTarget {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new VirError('VIR_ERR_INVALID_ARG', `'${uri}' is not a URI; use fc:///system or fc:///session`);
  }
  // Without a transport, libvirt uses a UNIX socket for a local URI and TLS for a remote one.
  const [driver = '', transport = url.host === '' ? 'unix' : 'tls'] = url.protocol.replace(/:$/, '').split('+');
  if (transport !== 'unix') {
    throw new VirError('VIR_ERR_NO_SUPPORT', `transport '${transport}' of ${uri}; only local UNIX sockets are supported`);
  }
  const explicit = url.searchParams.get('socket');
  for (const param of CLIENT_ONLY_PARAMS) url.searchParams.delete(param);
  const query = url.searchParams.toString();
  const name = `${driver}://${url.host}${url.pathname}${query === '' ? '' : `?${query}`}${url.hash}`;
  const session = url.pathname === '/session' && !privileged;
  if (explicit !== null && explicit !== '') return { socketPath: explicit, name, autostart: false };
  if (session) {
    return {
      socketPath: path.join(userRuntimeDir(env), 'libvirt', `virt${driver}d-sock`),
      name,
      autostart: url.host === '' && env.LIBVIRT_AUTOSTART !== '0',
    };
  }
  return { socketPath: `/var/run/libvirt/virt${driver}d-sock${readOnly ? '-ro' : ''}`, name, autostart: false };
}
