// One domain as the driver holds it (libvirt's virDomainObj + the fc driver's private data):
// the definitions, the state and its reason, the facts of the running Firecracker process, and
// the job that serialises mutating operations.

import { DomainState, ShutoffReason } from '../api/constants.js';
import type { DomainRef } from '../api/connection.js';
import type { DomainDef } from '../conf/domain-def.js';
import { DomainJob } from './domain-job.js';

/** What the driver knows of a running Firecracker process; persisted in the status file. */
export interface DomainRuntime {
  pid: number;
  /** Process start time (clock ticks since boot, /proc/PID/stat field 22): tells a recycled pid apart. */
  startTime: number;
  /** The firecracker binary that runs the domain, and its version (e.g. "1.16.1"). */
  binary: string;
  version: string;
  runtimeDir: string;
  apiSocket: string;
  consoleLog: string;
  consoleInput: string;
  consoleOwner: string;
  /** The pty bridged to the console, while a daemon offers one. */
  ptyPath?: string;
  /** Taps the driver created for this run (removed when it stops); taps that existed are not listed. */
  tapsCreated: string[];
  /** A shutdown was asked for: the next exit is a shutdown, whoever observes it. */
  shutdownRequested: boolean;
  /** Size of the log when this process started: its own output starts there. */
  logOffset: number;
  /**
   * Started with VIR_DOMAIN_START_AUTODESTROY: the connection (DriverConnection.token) whose
   * closing destroys the domain. Kept across reboots; a driver that re-attaches to such a run
   * destroys it, since no connection of an earlier driver is still open.
   */
  autodestroy?: string;
}

export class DomainObject {
  /** The live definition while active, else the persistent one (libvirt's vm->def). */
  def: DomainDef;
  /** The persistent definition while active (libvirt's vm->newDef), when it differs from def. */
  newDef: DomainDef | undefined;
  persistent: boolean;
  autostart = false;
  state: number = DomainState.SHUTOFF;
  reason: number = ShutoffReason.UNKNOWN;
  runtime: DomainRuntime | undefined;
  readonly job = new DomainJob();
  /** Set once taken out of the domain list: jobs that were waiting find it gone. */
  removed = false;

  constructor(def: DomainDef, persistent: boolean) {
    this.def = def;
    this.newDef = undefined;
    this.persistent = persistent;
  }

  get name(): string {
    return this.def.name;
  }

  get uuid(): string {
    return this.def.uuid;
  }

  /** The domain id while active, -1 otherwise. */
  get id(): number {
    return this.isActive() ? this.def.id ?? -1 : -1;
  }

  isActive(): boolean {
    return this.runtime !== undefined;
  }

  /** The definition `dumpxml --inactive` shows and the config file holds. */
  persistentDef(): DomainDef {
    return this.newDef ?? this.def;
  }

  ref(): DomainRef {
    return { name: this.name, uuid: this.uuid, id: this.id };
  }

  setState(state: number, reason: number): void {
    this.state = state;
    this.reason = reason;
  }
}
