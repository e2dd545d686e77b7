// openConnection(uri): the one way to get a Connection.
//   fc:///embed?root=DIR   the driver runs in this process, every path under DIR
//   fc:///system           virtfcd's system instance (libvirt's remote protocol; ?socket=PATH
//                          reaches a daemon started with --root)
//   fc:///session          virtfcd's per-user instance, started on demand
//   (none)                 LIBVIRT_DEFAULT_URI, else fc:///system for root, fc:///session for others

import type { Connection } from './api/connection.js';
import { VirError } from './errors.js';
import { DriverConnection } from './driver/connection.js';
import { acquireDriver, releaseDriver } from './driver/driver-registry.js';
import { rootLayout } from './driver/paths.js';
import { sessionDaemonCommand } from './daemon/command.js';
import { RemoteConnection } from './rpc/client/remote-connection.js';

export interface OpenOptions {
  /**
   * Environment: where `firecracker` is found (embed mode, and a session daemon this starts),
   * XDG_RUNTIME_DIR and LIBVIRT_AUTOSTART for fc:///session. Default: process.env.
   */
  env?: NodeJS.ProcessEnv;
  /** Open read-only: operations that change something are refused. */
  readOnly?: boolean;
}

interface ParsedUri {
  path: string;
  params: URLSearchParams;
  /** fc+unix:// names the transport: only the daemon can serve it. */
  remoteOnly: boolean;
}

function parseUri(uri: string): ParsedUri {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new VirError('VIR_ERR_INVALID_ARG', `unable to parse URI ${uri}`);
  }
  if ((url.protocol !== 'fc:' && url.protocol !== 'fc+unix:') || url.host !== '') {
    throw new VirError('VIR_ERR_NO_CONNECT', uri);
  }
  return { path: url.pathname, params: url.searchParams, remoteOnly: url.protocol === 'fc+unix:' };
}

/**
 * The URI a client gets without naming one, as libvirt's virConnectOpen(NULL): LIBVIRT_DEFAULT_URI,
 * else the system daemon for root and the user's session daemon for anyone else.
 */
export function defaultUri(env: NodeJS.ProcessEnv = process.env): string {
  const named = env.LIBVIRT_DEFAULT_URI;
  if (named !== undefined && named !== '') return named;
  return process.geteuid?.() === 0 ? 'fc:///system' : 'fc:///session';
}

/** Opens `uri`, or the default URI (defaultUri()) when none is given. */
export async function openConnection(uri?: string | null, options: OpenOptions = {}): Promise<Connection> {
  if (uri === undefined || uri === null || uri === '') uri = defaultUri(options.env);
  const { path, params, remoteOnly } = parseUri(uri);
  switch (remoteOnly && path === '/embed' ? '' : path) {
    case '/embed': {
      const root = params.get('root');
      if (root === null || root === '') {
        throw new VirError('VIR_ERR_INVALID_ARG', "URI 'fc:///embed' requires a 'root' parameter naming the directory to keep state in");
      }
      const driver = await acquireDriver({ layout: rootLayout(root), kind: 'embed', ...(options.env === undefined ? {} : { env: options.env }) });
      return new DriverConnection(uri, driver, {
        onClose: () => releaseDriver(driver),
        ...(options.readOnly === undefined ? {} : { readOnly: options.readOnly }),
      });
    }
    case '/system':
    case '/session': {
      // A user's fc:///session with nobody listening starts the session daemon, as libvirt does.
      const env = options.env ?? process.env;
      return RemoteConnection.open(uri, {
        env,
        autostart: sessionDaemonCommand(env),
        ...(options.readOnly === undefined ? {} : { readOnly: options.readOnly }),
      });
    }
    default:
      throw new VirError('VIR_ERR_INTERNAL_ERROR', `unexpected fc URI path '${path}', try fc:///system, fc:///session or fc:///embed?root=DIR`);
  }
}
