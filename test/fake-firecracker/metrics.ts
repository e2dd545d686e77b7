// Firecracker's metrics: one JSON object per line, written to the metrics file (or FIFO) on
// FlushMetrics and every 60 seconds once the microVM runs. Counters are reset after each
// write, as Firecracker's SharedIncMetric are. Only a few counters are kept here.
import fs from 'node:fs';

const PERIOD_MS = 60_000;

type CounterGroup = 'get_api_requests' | 'put_api_requests' | 'patch_api_requests' | 'vmm';

export class Metrics {
  private fd: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly counters: Record<CounterGroup, Record<string, number>> = {
    get_api_requests: { instance_info_count: 0, machine_cfg_count: 0, mmds_count: 0, vmm_version_count: 0 },
    put_api_requests: { actions_count: 0, actions_fails: 0, boot_source_count: 0, drive_count: 0, machine_cfg_count: 0, network_count: 0 },
    patch_api_requests: { drive_count: 0, machine_cfg_count: 0, network_count: 0 },
    vmm: { panic_count: 0 },
  };

  get initialized(): boolean {
    return this.fd !== undefined;
  }

  init(fd: number): void {
    this.fd = fd;
  }

  count(group: CounterGroup, name: string): void {
    const g = this.counters[group];
    g[name] = (g[name] ?? 0) + 1;
  }

  /** Starts the periodic write, as Firecracker does once the microVM runs. */
  startPeriodic(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => { this.flush(); }, PERIOD_MS);
    this.timer.unref();
  }

  /** Writes one line; without a metrics file there is nothing to do (and no error). */
  flush(): void {
    if (this.fd === undefined) return;
    const line = JSON.stringify({ utc_timestamp_ms: Date.now(), ...this.counters }) + '\n';
    try {
      fs.writeSync(this.fd, line);
    } catch {
      // A FIFO nobody reads: Firecracker drops the line.
    }
    for (const group of Object.values(this.counters)) {
      for (const key of Object.keys(group)) group[key] = 0;
    }
  }
}
