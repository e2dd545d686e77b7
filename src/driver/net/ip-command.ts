// Runs iproute2's `ip`, the one tool fcvirt uses to manage host interfaces. A failure
// becomes a VirError quoting the command and its stderr, as libvirt reports a failed child
// ("Child process (…) unexpected exit status 1: …"). With `netns`, every command runs in that
// network namespace (`ip -n NS …`), which is how the tests stay off the host's interfaces.

import { execFile } from 'node:child_process';
import { VirError } from '../../errors.js';

export interface IpOptions {
  /** Network namespace to act in (`ip -n NAME`); the caller's own namespace when absent. */
  netns?: string;
  /** The `ip` binary; default `ip` from PATH. */
  binary?: string;
}

export type IpRunner = (args: string[]) => Promise<string>;

/** A runner for `ip ARGS…`; resolves with stdout, rejects with VirError. */
export function ipRunner(options: IpOptions = {}): IpRunner {
  const binary = options.binary ?? 'ip';
  const prefix = options.netns === undefined ? [] : ['-n', options.netns];
  return (args) => {
    const argv = [...prefix, ...args];
    const shown = [binary, ...argv].join(' ');
    return new Promise((resolve, reject) => {
      execFile(binary, argv, { encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => {
        if (error === null) {
          resolve(stdout);
          return;
        }
        const errno = error as NodeJS.ErrnoException;
        if (errno.code === 'ENOENT') {
          reject(new VirError('VIR_ERR_SYSTEM_ERROR', `Cannot find '${binary}' in path: No such file or directory (install iproute2)`, { cause: error }));
          return;
        }
        const how = typeof error.code === 'number' ? `exit status ${error.code}` : `signal ${error.signal ?? 'unknown'}`;
        const said = stderr.trim();
        reject(new VirError('VIR_ERR_INTERNAL_ERROR', `Child process (${shown}) unexpected ${how}${said === '' ? '' : `: ${said}`}`, { cause: error }));
      });
    });
  };
}
