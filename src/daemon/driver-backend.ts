// virtfcd's backend: the fc driver on the layout the command line chose (system, --root DIR or
// the user's session), one FcDriver shared by every client, one DriverConnection per client.

import { DriverConnection } from '../driver/connection.js';
import { FcDriver } from '../driver/driver.js';
import { rootLayout, sessionLayout, systemLayout, type DriverLayout } from '../driver/paths.js';
import type { DaemonBackend } from './daemon.js';
import type { Logger } from './logger.js';
import type { DaemonOptions } from './options.js';
import type { DaemonSockets } from './socket-paths.js';

export function daemonLayout(options: Pick<DaemonOptions, 'mode' | 'root'>, env: NodeJS.ProcessEnv): DriverLayout {
  if (options.mode === 'session') return sessionLayout(env);
  return options.root === undefined ? systemLayout() : rootLayout(options.root);
}

/** The URI an embed user of the same root is told to use instead (recorded in the root lock). */
function clientUri(options: Pick<DaemonOptions, 'root'>, sockets: DaemonSockets): string {
  return options.root === undefined ? sockets.uri : `${sockets.uri}?socket=${sockets.rw}`;
}

export async function openDriverBackend(
  options: DaemonOptions,
  sockets: DaemonSockets,
  logger: Logger,
  env: NodeJS.ProcessEnv,
): Promise<DaemonBackend> {
  const driver = await FcDriver.open({
    layout: daemonLayout(options, env),
    kind: 'daemon',
    daemonUri: clientUri(options, sockets),
    warn: (message) => {
      logger.warn(message);
    },
    env,
    // A pty per running domain, as libvirt's daemons offer: the live XML shows its path.
    ptys: true,
  });
  return {
    connect: (uri, readOnly) => Promise.resolve(new DriverConnection(uri, driver, { readOnly })),
    activeDomainCount: () => driver.domains.all().filter((domain) => domain.isActive()).length,
    onStateChange: (listener) => driver.events.subscribe((event) => {
      if (event.eventId === 0) listener();
    }),
    close: () => driver.close(),
  };
}
