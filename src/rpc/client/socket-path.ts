// Which socket a fc:// URI reaches, and the name sent in CONNECT_OPEN, by the stock
// client's rules (libvirt's remote_sockets.c in direct mode): ?socket= wins, system URIs use
// /run/libvirt/virtfcd-sock[-ro], session URIs $XDG_RUNTIME_DIR/libvirt/virtfcd-sock.

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
}

export function remoteTarget(uri: string, readOnly: boolean, env: NodeJS.ProcessEnv = process.env): RemoteTarget {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new VirError('VIR_ERR_INVALID_ARG', `'${uri}' is not a URI; use fc:///system or fc:///session`);
  }
  const [driver = '', transport = 'unix'] = url.protocol.replace(/:$/, '').split('+');
  if (transport !== 'unix') {
    throw new VirError('VIR_ERR_NO_SUPPORT', `transport '${transport}' of ${uri}; only local UNIX sockets are supported`);
  }
  const explicit = url.searchParams.get('socket');
  for (const param of CLIENT_ONLY_PARAMS) url.searchParams.delete(param);
  const query = url.searchParams.toString();
  const name = `${driver}://${url.host}${url.pathname}${query === '' ? '' : `?${query}`}${url.hash}`;
  if (explicit !== null && explicit !== '') return { socketPath: explicit, name };
  const session = url.pathname === '/session' && (process.getuid?.() ?? 0) !== 0;
  if (session) {
    const runtime = env.XDG_RUNTIME_DIR ?? path.join(os.homedir(), '.cache');
    return { socketPath: path.join(runtime, 'libvirt', `virt${driver}d-sock`), name };
  }
  return { socketPath: `/var/run/libvirt/virt${driver}d-sock${readOnly ? '-ro' : ''}`, name };
}
