// libvirt's domain job: mutating operations on one domain run one at a time, in arrival
// order; a caller that cannot get the job within the timeout gets libvirt's
// "cannot acquire state change lock" error. Queries never take the job.

import { VirError } from '../errors.js';

interface Waiter {
  name: string;
  grant: () => void;
  timer: NodeJS.Timeout | undefined;
}

/** How long an operation waits for another one on the same domain (libvirt: 30 s). */
export const DEFAULT_JOB_WAIT_MS = 30_000;

export class DomainJob {
  private holder: string | undefined;
  private readonly waiters: Waiter[] = [];

  /** The name of the operation holding the job, if any. */
  get active(): string | undefined {
    return this.holder;
  }

  /** Waits for the job; resolves to the function that ends it (call it exactly once). */
  async begin(name: string, waitMs = DEFAULT_JOB_WAIT_MS): Promise<() => void> {
    if (this.holder === undefined) {
      this.holder = name;
      return this.ender();
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { name, grant: resolve, timer: undefined };
      waiter.timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new VirError('VIR_ERR_OPERATION_TIMEOUT', `cannot acquire state change lock (held by ${this.holder ?? 'nobody'})`));
      }, waitMs);
      this.waiters.push(waiter);
    });
    return this.ender();
  }

  private ender(): () => void {
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const next = this.waiters.shift();
      if (next === undefined) {
        this.holder = undefined;
        return;
      }
      clearTimeout(next.timer);
      this.holder = next.name;
      next.grant();
    };
  }

  /** Resolves once no job is held nor waited for. */
  async idle(): Promise<void> {
    while (this.holder !== undefined) {
      // The longest delay setTimeout takes: wait for as long as the job runs.
      const end = await this.begin('close', 2 ** 31 - 1);
      end();
    }
  }
}
