// --timeout: the daemon goes away after a while with nothing to do (libvirt's
// virNetDaemonAutoShutdown), which is what makes an auto-started session daemon temporary.
// Busy means a client is connected or a domain runs (libvirt's drivers inhibit shutdown while
// they have running domains). Whoever changes either pokes this; the timer starts when the
// daemon becomes idle, and before firing it checks again.

export interface IdleShutdownOptions {
  timeoutMs: number;
  isBusy: () => boolean;
  onIdle: () => void;
  /** A safety net: re-check this often even without a poke (ms). */
  recheckMs?: number;
}

export class IdleShutdown {
  private timer: NodeJS.Timeout | null = null;
  private readonly recheck: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly options: IdleShutdownOptions) {
    this.recheck = setInterval(() => {
      this.poke();
    }, options.recheckMs ?? 5_000);
    this.recheck.unref();
    this.poke();
  }

  /** Something changed: a client came or went, a domain started or stopped. */
  poke(): void {
    if (this.stopped) return;
    if (this.options.isBusy()) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      if (this.stopped) return;
      if (this.options.isBusy()) return;
      this.stop();
      this.options.onIdle();
    }, this.options.timeoutMs);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.recheck);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
