// Whether something accepts connections on a UNIX socket path: how the daemon tells a live
// socket from a stale file, and how the launcher waits for Firecracker's API socket.

import net from 'node:net';

/** Resolves true when a connect to socketPath succeeds (the probe is closed at once), else false. */
export function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => {
      probe.destroy();
      resolve(false);
    });
  });
}
