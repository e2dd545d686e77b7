// The fc driver (libvirt's ch_driver.c): one FcDriver per root, shared by every connection to
// that root in this process (the daemon makes one connection per client over one driver).
// It holds the root lock while open, loads the persistent definitions and the status files,
// re-attaches to every Firecracker still running, starts autostart domains once per boot, and
// watches running domains so that guest exits become <on_poweroff>/<on_reboot>/<on_crash>.
//
// Every public entry point reads the same way: look up → begin job → check state → act →
// end job. Queries read the domain without the job.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import {
  DefinedDetail,
  DomainConsoleFlags,
  DomainCreateFlags,
  DomainDefineFlags,
  DomainDestroyFlags,
  DomainEventType,
  DomainState,
  DomainXMLFlags,
  PausedReason,
  ResumedDetail,
  RunningReason,
  ShutoffReason,
  StartedDetail,
  StoppedDetail,
  SuspendedDetail,
  UndefinedDetail,
  DomainVcpuFlags,
  DomainMemoryModFlags,
  DomainModificationImpact,
} from '../api/constants.js';
import type { DomainInfo, DomainStateInfo, MemoryStat, NodeInfo } from '../api/connection.js';
import type { DomainDef } from '../conf/domain-def.js';
import { formatDomainXML, parseDomainXML } from '../conf/index.js';
import { MAX_VCPUS } from '../conf/validate-domain.js';
import { VirError } from '../errors.js';
import { findFirecrackerBinary, probeFirecrackerVersion } from '../firecracker/launcher.js';
import { readCpuTime, readProcessStartTime, readResidentKiB } from '../firecracker/process-info.js';
import { watchProcessExit } from '../firecracker/process-watch.js';
import { FCVIRT_VERSION_NUMBER } from '../version.js';
import { removeStaleTemporaries, syncDirectory, writeFileAtomic } from './atomic-file.js';
import { openConsoleStream } from './console/console-stream.js';
import { startPtyBridge, type PtyBridge } from './console/pty-bridge.js';
import { DEFAULT_JOB_WAIT_MS } from './domain-job.js';
import { DomainList, matchesListFlags, normaliseUuid } from './domain-list.js';
import { balloonAmountMiB, memoryStats } from './memory.js';
import type { DomainObject, DomainRuntime } from './domain-object.js';
import { DomainEventBus } from './events.js';
import { classifyExit, classifyUnobservedExit, type ExitStatus, type GuestExit } from './guest-exit.js';
import { capabilitiesXML, nodeInfo } from './host-info.js';
import { hostArchitecture, prepareLiveDef } from './live-def.js';
import { domainPaths, type DriverLayout } from './paths.js';
import {
  cleanupRun,
  consolePathsOf,
  monitorForeign,
  startProcess,
  stopProcess,
  withApi,
  writeStatusFile,
  type ProcessContext,
  type ProcessMonitor,
  type ProcessTimeouts,
  type ResolvedBinary,
} from './process.js';
import { RootLock, type LockKind } from './root-lock.js';
import { currentRunState, settleStatusFile } from './status-reattach.js';
import { reasonFromName, reasonName } from './state-names.js';

export interface DriverTimeouts extends ProcessTimeouts {
  /** How long an operation waits for another one on the same domain. */
  jobWaitMs: number;
  /** How long an embed driver waits for another one to release the root. */
  lockWaitMs: number;
}

export const DEFAULT_TIMEOUTS: DriverTimeouts = {
  apiSocketMs: 10_000,
  apiRequestMs: 10_000,
  terminateGraceMs: 5_000,
  jobWaitMs: DEFAULT_JOB_WAIT_MS,
  lockWaitMs: 5_000,
};

export interface FcDriverOptions {
  layout: DriverLayout;
  /** 'embed' (fc:///embed) or 'daemon' (virtfcd). */
  kind: LockKind;
  /** For a daemon: the URI its clients use (recorded in the lock, quoted to embed users). */
  daemonUri?: string;
  timeouts?: Partial<DriverTimeouts>;
  /** Where warnings go (cleanup problems, unreadable files). Default: stderr. */
  warn?: (message: string) => void;
  /** Environment used to find `firecracker` in PATH. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * Offer a pty per running domain (bridged to its console) while this driver lives: what a
   * daemon does, so that live XML shows <source path='/dev/pts/N'/>. Embed mode has none.
   */
  ptys?: boolean;
}

/** Restart-loop guard: this many runs in a row shorter than MIN_RUN_MS → shut off, crashed. */
const RESTART_LOOP_RUNS = 3;
const MIN_RUN_MS = 1_000;

/** What a running domain has in memory only (not in the status file). */
interface RunState {
  monitor: ProcessMonitor;
  pty?: PtyBridge;
  /** Start times (ms) of recent automatic restarts, for the loop guard. */
  startedAt: number;
  shortRuns: number;
}

export class FcDriver {
  readonly domains = new DomainList();
  readonly events = new DomainEventBus();
  readonly layout: DriverLayout;
  private readonly timeouts: DriverTimeouts;
  private readonly warn: (message: string) => void;
  private readonly env: NodeJS.ProcessEnv;
  private readonly runs = new Map<DomainObject, RunState>();
  /** Tokens of the DriverConnections open on this driver (START_AUTODESTROY's owners). */
  private readonly openConnections = new Set<string>();
  private readonly pendingExits = new Set<Promise<void>>();
  private lock: RootLock | undefined;
  private nextId = 1;
  private closed = false;

  private constructor(private readonly options: FcDriverOptions) {
    this.layout = options.layout;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.warn = options.warn ?? ((message) => { process.stderr.write(`fcvirt: warning: ${message}\n`); });
    this.env = options.env ?? process.env;
  }

  /** Opens a driver on a root: lock, load, re-attach, autostart. */
  static async open(options: FcDriverOptions): Promise<FcDriver> {
    const driver = new FcDriver(options);
    const rootName = options.layout.root ?? (options.layout.kind === 'system' ? '/' : path.dirname(options.layout.stateDir));
    driver.lock = await RootLock.acquire(options.layout.stateDir, {
      kind: options.kind,
      ...(options.daemonUri === undefined ? {} : { uri: options.daemonUri }),
      waitMs: driver.timeouts.lockWaitMs,
      rootName: `'${rootName}'`,
      startTimeOf: readProcessStartTime,
    });
    try {
      await driver.load();
      await driver.autostart();
    } catch (error) {
      await driver.close();
      throw error;
    }
    return driver;
  }

  private get context(): ProcessContext {
    return { layout: this.layout, timeouts: this.timeouts, warn: this.warn };
  }

  /** Stops watching (running VMs keep running), waits for running operations, releases the root. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.domains.all().map((domain) => domain.job.idle()));
    await Promise.all([...this.pendingExits]);
    for (const run of this.runs.values()) {
      run.monitor.cancel();
      await run.pty?.stop();
    }
    this.runs.clear();
    await this.lock?.release();
    this.lock = undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- loading -----------------------------------------------------------------------------

  private async load(): Promise<void> {
    const { layout } = this;
    for (const directory of [layout.configDir, layout.autostartDir, layout.stateDir, layout.logDir]) {
      await fs.mkdir(directory, { recursive: true, mode: 0o755 });
    }
    for (const directory of [layout.configDir, layout.autostartDir, layout.stateDir]) {
      await removeStaleTemporaries(directory);
    }
    await this.loadConfigs();
    await this.loadStatusFiles();
    await this.removeOrphanRuntimeDirs();
    let maxId = 0;
    for (const domain of this.domains.all()) maxId = Math.max(maxId, domain.id);
    this.nextId = maxId + 1;
  }

  private async loadConfigs(): Promise<void> {
    const entries = (await fs.readdir(this.layout.configDir)).filter((entry) => entry.endsWith('.xml') && !entry.startsWith('.'));
    for (const entry of entries.sort()) {
      const file = path.join(this.layout.configDir, entry);
      try {
        const def = parseDomainXML(await fs.readFile(file, 'utf8'));
        if (`${def.name}.xml` !== entry) {
          throw new VirError('VIR_ERR_INTERNAL_ERROR', `Domain config filename '${file}' does not match domain name '${def.name}'`);
        }
        this.domains.findForDefinition(def, false);
        const domain = this.domains.add(def, true);
        domain.autostart = await this.autostartLinkExists(def.name);
        const reason = await fs.readFile(domainPaths(this.layout, def.name, def.uuid).shutoffFile, 'utf8').catch(() => undefined);
        if (reason !== undefined) domain.setState(DomainState.SHUTOFF, reasonFromName(DomainState.SHUTOFF, reason.trim()));
      } catch (error) {
        this.warn(`Failed to load config for domain from '${file}': ${(error as Error).message}`);
      }
    }
  }

  private async autostartLinkExists(name: string): Promise<boolean> {
    try {
      await fs.lstat(domainPaths(this.layout, name, '').autostartLink);
      return true;
    } catch {
      return false;
    }
  }

  private async loadStatusFiles(): Promise<void> {
    const entries = (await fs.readdir(this.layout.stateDir)).filter((entry) => entry.endsWith('.xml') && !entry.startsWith('.'));
    for (const entry of entries.sort()) {
      const file = path.join(this.layout.stateDir, entry);
      try {
        await this.reattach(file);
      } catch (error) {
        this.warn(`Failed to load status of domain from '${file}': ${(error as Error).message}`);
      }
    }
  }

  /** Re-attaches to the process a status file records, or cleans up after it (status-reattach.ts). */
  private async reattach(statusFile: string): Promise<void> {
    const outcome = await settleStatusFile(statusFile, this.context, (liveDef) => {
      const known = this.domains.findByUuid(liveDef.uuid);
      if (known !== undefined && known.name !== liveDef.name) {
        throw new VirError('VIR_ERR_INTERNAL_ERROR', `status file of domain '${liveDef.name}' has the uuid of domain '${known.name}'`);
      }
    });
    let domain = this.domains.findByUuid(outcome.liveDef.uuid);
    if (outcome.kind === 'shutoff') {
      if (domain !== undefined) {
        domain.setState(DomainState.SHUTOFF, outcome.reason);
        await this.recordShutoff(domain, outcome.reason);
      }
      return;
    }
    const { liveDef, status } = outcome;
    const { runtime } = status;
    if (domain === undefined) {
      domain = this.domains.add(liveDef, false);
    } else {
      domain.newDef = domain.def;
      domain.def = liveDef;
    }
    domain.runtime = runtime;
    const current = await currentRunState(runtime, status, this.timeouts.apiRequestMs);
    domain.setState(current.state, current.reason);
    await writeStatusFile(statusFile, domain.state, domain.reason, liveDef, runtime);
    this.watch(domain, monitorForeign(runtime), Date.now());
    await this.attachPty(domain);
  }

  private async removeOrphanRuntimeDirs(): Promise<void> {
    const active = new Set(this.domains.all().filter((domain) => domain.isActive()).map((domain) => domain.uuid));
    for (const entry of await fs.readdir(this.layout.stateDir, { withFileTypes: true })) {
      if (!entry.isDirectory() || active.has(entry.name)) continue;
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(entry.name)) continue;
      await fs.rm(path.join(this.layout.stateDir, entry.name), { recursive: true, force: true });
    }
  }

  // ---- autostart -----------------------------------------------------------------------------

  /** libvirt's virDriverShouldAutostart: once per host boot, marked by a stamp in the state dir. */
  private async shouldAutostart(): Promise<boolean> {
    const bootId = (await fs.readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => 'unknown')).trim();
    const stamp = this.layout.autostartStamp;
    const previous = (await fs.readFile(stamp, 'utf8').catch(() => undefined))?.trim();
    // A stamp of this boot means autostart already ran; a stamp of an earlier boot (a root that
    // is not on a tmpfs, like an embed root) does not.
    if (previous === bootId) return false;
    await writeFileAtomic(stamp, `${bootId}\n`, { mode: 0o644 });
    return true;
  }

  private async autostart(): Promise<void> {
    if (!(await this.shouldAutostart())) return;
    for (const domain of this.domains.all()) {
      if (!domain.autostart || domain.isActive()) continue;
      try {
        await this.withJob(domain, 'autostart', () => this.startDomain(domain, 0, undefined));
      } catch (error) {
        this.warn(`Failed to autostart VM '${domain.name}': ${(error as Error).message}`);
      }
    }
  }

  // ---- jobs and lookups ----------------------------------------------------------------------

  private checkOpen(): void {
    if (this.closed) throw new VirError('VIR_ERR_INVALID_CONN', 'the fc driver of this connection is closed', { verbatim: true });
  }

  private async withJob<T>(domain: DomainObject, name: string, action: () => Promise<T>): Promise<T> {
    this.checkOpen();
    const end = await domain.job.begin(name, this.timeouts.jobWaitMs);
    try {
      if (domain.removed) throw noDomainObject(domain);
      return await action();
    } finally {
      end();
    }
  }

  /** The domain a virDomainPtr names (by uuid, as libvirt looks it up). */
  findDomain(uuid: string, name: string): DomainObject {
    this.checkOpen();
    const domain = this.domains.findByUuid(uuid);
    if (domain === undefined) throw new VirError('VIR_ERR_NO_DOMAIN', `no domain with matching uuid '${normaliseUuid(uuid)}' (${name})`);
    return domain;
  }

  lookupByName(name: string): DomainObject {
    this.checkOpen();
    const domain = this.domains.findByName(name);
    if (domain === undefined) throw new VirError('VIR_ERR_NO_DOMAIN', `no domain with matching name '${name}'`);
    return domain;
  }

  lookupByUUID(uuid: string): DomainObject {
    this.checkOpen();
    const domain = this.domains.findByUuid(uuid);
    if (domain === undefined) throw new VirError('VIR_ERR_NO_DOMAIN', `no domain with matching uuid '${uuid}'`);
    return domain;
  }

  lookupByID(id: number): DomainObject {
    this.checkOpen();
    const domain = this.domains.findById(id);
    if (domain === undefined) throw new VirError('VIR_ERR_NO_DOMAIN', `no domain with matching id ${id}`);
    return domain;
  }

  listAllDomains(flags = 0): DomainObject[] {
    this.checkOpen();
    checkFlags(flags, (1 << 16) - 1, 'virConnectListAllDomains');
    return this.domains.all().filter((domain) => matchesListFlags(domain, flags));
  }

  // ---- definitions ----------------------------------------------------------------------------

  private parse(xml: string, validate: boolean): DomainDef {
    return parseDomainXML(xml, { validate, randomBytes: (length) => randomBytes(length) });
  }

  async defineXML(xml: string, flags = 0): Promise<DomainObject> {
    this.checkOpen();
    checkFlags(flags, DomainDefineFlags.VALIDATE, 'virDomainDefineXMLFlags');
    const def = this.parse(xml, (flags & DomainDefineFlags.VALIDATE) !== 0);
    const existing = this.domains.findForDefinition(def, false);
    if (existing === undefined) {
      const domain = this.domains.add(def, true);
      try {
        await this.withJob(domain, 'define', () => this.writeConfig(def));
      } catch (error) {
        this.domains.remove(domain);
        throw error;
      }
      this.events.lifecycle(domain.ref(), DomainEventType.DEFINED, DefinedDetail.ADDED);
      return domain;
    }
    return this.withJob(existing, 'define', async () => {
      const wasPersistent = existing.persistent;
      await this.writeConfig(def);
      if (existing.isActive()) {
        existing.newDef = def;
      } else {
        existing.def = def;
        existing.newDef = undefined;
      }
      existing.persistent = true;
      this.events.lifecycle(existing.ref(), DomainEventType.DEFINED, wasPersistent ? DefinedDetail.UPDATED : DefinedDetail.ADDED);
      return existing;
    });
  }

  private async writeConfig(def: DomainDef): Promise<void> {
    const paths = domainPaths(this.layout, def.name, def.uuid);
    const header = [
      '<!--',
      'WARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE',
      'OVERWRITTEN AND LOST. Changes to this xml configuration should be made using:',
      `  fcvirt define FILE (or virsh edit ${def.name})`,
      'or other application using the libvirt API.',
      '-->',
      '',
      '',
    ].join('\n');
    await writeFileAtomic(paths.configFile, header + formatDomainXML(def, { live: false }), { mode: 0o600 });
  }

  async undefine(domain: DomainObject, flags = 0): Promise<void> {
    checkFlags(flags, 0x7f, 'virDomainUndefineFlags');
    await this.withJob(domain, 'undefine', async () => {
      if (!domain.persistent) throw new VirError('VIR_ERR_OPERATION_INVALID', 'cannot undefine transient domain');
      const paths = domainPaths(this.layout, domain.name, domain.uuid);
      await fs.rm(paths.autostartLink, { force: true });
      await fs.rm(paths.configFile, { force: true });
      await fs.rm(paths.shutoffFile, { force: true });
      await syncDirectory(this.layout.configDir);
      domain.autostart = false;
      domain.persistent = false;
      domain.newDef = undefined;
      this.events.lifecycle(domain.ref(), DomainEventType.UNDEFINED, UndefinedDetail.REMOVED);
      if (!domain.isActive()) this.domains.remove(domain);
    });
  }

  async setAutostart(domain: DomainObject, autostart: boolean): Promise<void> {
    await this.withJob(domain, 'autostart', async () => {
      if (!domain.persistent) throw new VirError('VIR_ERR_OPERATION_INVALID', 'cannot set autostart for transient domain');
      if (domain.autostart === autostart) return;
      const paths = domainPaths(this.layout, domain.name, domain.uuid);
      if (autostart) {
        await fs.mkdir(this.layout.autostartDir, { recursive: true });
        await fs.rm(paths.autostartLink, { force: true });
        try {
          await fs.symlink(paths.autostartTarget, paths.autostartLink);
        } catch (error) {
          throw new VirError('VIR_ERR_SYSTEM_ERROR', `Failed to create symlink '${paths.autostartLink}' to '${paths.configFile}': ${(error as Error).message}`);
        }
      } else {
        try {
          await fs.rm(paths.autostartLink, { force: true });
        } catch (error) {
          throw new VirError('VIR_ERR_SYSTEM_ERROR', `Failed to delete symlink '${paths.autostartLink}': ${(error as Error).message}`);
        }
      }
      await syncDirectory(this.layout.autostartDir);
      domain.autostart = autostart;
    });
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /**
   * `connection` names the caller's connection (DriverConnection.token): with
   * START_AUTODESTROY the domain is destroyed when that connection closes (closeConnection).
   */
  async createXML(xml: string, flags = 0, connection?: string): Promise<DomainObject> {
    this.checkOpen();
    checkFlags(flags, DomainCreateFlags.START_PAUSED | DomainCreateFlags.START_AUTODESTROY | DomainCreateFlags.START_VALIDATE, 'virDomainCreateXML');
    const autodestroy = autodestroyOwner(flags, connection);
    const def = this.parse(xml, (flags & DomainCreateFlags.START_VALIDATE) !== 0);
    const existing = this.domains.findForDefinition(def, true);
    if (existing !== undefined) {
      // A persistent domain started with other XML: that XML is the live definition, the
      // persistent one stays for its next start (as libvirt does).
      return this.withJob(existing, 'create', async () => {
        if (existing.isActive()) throw new VirError('VIR_ERR_OPERATION_INVALID', `domain '${existing.name}' is already active`);
        const persistentDef = existing.def;
        existing.def = def;
        existing.newDef = persistentDef;
        try {
          await this.startDomain(existing, flags, autodestroy);
        } catch (error) {
          existing.def = persistentDef;
          existing.newDef = undefined;
          throw error;
        }
        return existing;
      });
    }
    const domain = this.domains.add(def, false);
    try {
      await this.withJob(domain, 'create', () => this.startDomain(domain, flags, autodestroy));
    } catch (error) {
      this.domains.remove(domain);
      throw error;
    }
    return domain;
  }

  /** Starts a defined domain; `connection` as for createXML. */
  async create(domain: DomainObject, flags = 0, connection?: string): Promise<void> {
    checkFlags(flags, DomainCreateFlags.START_PAUSED | DomainCreateFlags.START_AUTODESTROY | DomainCreateFlags.START_FORCE_BOOT, 'virDomainCreateWithFlags');
    const autodestroy = autodestroyOwner(flags, connection);
    await this.withJob(domain, 'start', async () => {
      if (domain.isActive()) throw new VirError('VIR_ERR_OPERATION_INVALID', 'domain is already running');
      await this.startDomain(domain, flags, autodestroy);
    });
  }

  /** A connection opened on this driver: what it starts with START_AUTODESTROY lives while it does. */
  openConnection(connection: string): void {
    this.openConnections.add(connection);
  }

  /**
   * A connection closed: every domain it started with START_AUTODESTROY is destroyed, as
   * libvirt's close callbacks do (reason destroyed, event Stopped Destroyed).
   */
  async closeConnection(connection: string): Promise<void> {
    this.openConnections.delete(connection);
    if (this.closed) return;
    const owned = this.domains.all().filter((domain) => domain.runtime?.autodestroy === connection);
    await Promise.all(owned.map(async (domain) => {
      try {
        await this.withJob(domain, 'autodestroy', async () => {
          const runtime = domain.runtime;
          // Stopped, or started again by someone else, while waiting for the job.
          if (runtime?.autodestroy !== connection) return;
          await this.stopRun(domain, runtime, this.timeouts.terminateGraceMs);
          await this.finishStopped(domain, ShutoffReason.DESTROYED, StoppedDetail.DESTROYED);
        });
      } catch (error) {
        this.warn(`cannot destroy domain '${domain.name}' after the connection that started it closed: ${(error as Error).message}`);
      }
    }));
  }

  /** Resolves the binary of a definition and probes its version (cached by path and mtime). */
  private async resolveBinary(def: DomainDef): Promise<ResolvedBinary> {
    const binary = await findFirecrackerBinary(def.emulator, this.env.PATH ?? '');
    const version = await probeFirecrackerVersion(binary);
    return { path: binary, version };
  }

  /** Starts an inactive domain (the caller holds its job). */
  private async startDomain(domain: DomainObject, flags: number, autodestroy: string | undefined): Promise<void> {
    const paused = (flags & DomainCreateFlags.START_PAUSED) !== 0;
    const binary = await this.resolveBinary(domain.def);
    const cidsInUse = new Set(this.domains.all().flatMap((other) => (other.isActive() && other.def.vsock?.cid !== undefined ? [other.def.vsock.cid] : [])));
    const id = this.allocateId();
    const liveDef = prepareLiveDef(domain.def, { id, cidsInUse, hostArch: hostArchitecture() });
    const started = await startProcess(this.context, liveDef, binary, { paused, autodestroy });
    if (domain.persistent) domain.newDef ??= domain.def;
    domain.def = liveDef;
    domain.runtime = started.runtime;
    if (paused) domain.setState(DomainState.PAUSED, PausedReason.USER);
    else domain.setState(DomainState.RUNNING, RunningReason.BOOTED);
    this.watch(domain, started.monitor, Date.now());
    await this.attachPty(domain);
    await this.forgetShutoff(domain);
    this.events.lifecycle(domain.ref(), DomainEventType.STARTED, StartedDetail.BOOTED);
    if (paused) this.events.lifecycle(domain.ref(), DomainEventType.SUSPENDED, SuspendedDetail.PAUSED);
    if (autodestroy !== undefined && !this.openConnections.has(autodestroy)) {
      // The connection closed while this start ran: it goes now, as it would have then.
      await this.stopRun(domain, started.runtime, this.timeouts.terminateGraceMs);
      await this.finishStopped(domain, ShutoffReason.DESTROYED, StoppedDetail.DESTROYED);
    }
  }

  /** Keeps why a persistent domain stopped for the next driver on this root (paths.ts). */
  private async recordShutoff(domain: DomainObject, reason: number): Promise<void> {
    if (!domain.persistent) return;
    const file = domainPaths(this.layout, domain.name, domain.uuid).shutoffFile;
    try {
      await writeFileAtomic(file, `${reasonName(DomainState.SHUTOFF, reason)}\n`, { mode: 0o644 });
    } catch (error) {
      this.warn(`cannot record why domain '${domain.name}' shut off: ${(error as Error).message}`);
    }
  }

  private async forgetShutoff(domain: DomainObject): Promise<void> {
    await fs.rm(domainPaths(this.layout, domain.name, domain.uuid).shutoffFile, { force: true });
  }

  private allocateId(): number {
    while (this.domains.findById(this.nextId) !== undefined) this.nextId++;
    return this.nextId++;
  }

  private requireActive(domain: DomainObject): DomainRuntime {
    if (domain.runtime === undefined) throw new VirError('VIR_ERR_OPERATION_INVALID', 'domain is not running');
    return domain.runtime;
  }

  async shutdown(domain: DomainObject, flags = 0): Promise<void> {
    checkFlags(flags, 0, 'virDomainShutdownFlags');
    await this.withJob(domain, 'shutdown', async () => {
      const runtime = this.requireActive(domain);
      if (domain.def.os.arch !== 'x86_64') {
        throw new VirError('VIR_ERR_OPERATION_UNSUPPORTED', `Firecracker can ask a guest to shut down only on x86_64 (SendCtrlAltDel); use destroy for domain '${domain.name}'`);
      }
      const statusFile = domainPaths(this.layout, domain.name, domain.uuid).statusFile;
      // Recorded first: whoever sees the exit (this driver, or the next one) knows it was asked for.
      runtime.shutdownRequested = true;
      await writeStatusFile(statusFile, domain.state, domain.reason, domain.def, runtime);
      try {
        await withApi(runtime, this.timeouts.apiRequestMs, (client) => client.sendCtrlAltDel());
      } catch (error) {
        runtime.shutdownRequested = false;
        await writeStatusFile(statusFile, domain.state, domain.reason, domain.def, runtime).catch(() => undefined);
        throw error;
      }
    });
  }

  async destroy(domain: DomainObject, flags = 0): Promise<void> {
    checkFlags(flags, DomainDestroyFlags.GRACEFUL, 'virDomainDestroyFlags');
    await this.withJob(domain, 'destroy', async () => {
      const runtime = this.requireActive(domain);
      // GRACEFUL asks for SIGTERM without SIGKILL; Firecracker has no SIGTERM handler and ends
      // at once, so both forms end the same way.
      await this.stopRun(domain, runtime, this.timeouts.terminateGraceMs);
      await this.finishStopped(domain, ShutoffReason.DESTROYED, StoppedDetail.DESTROYED);
    });
  }

  /** Stops the process of a run and removes what it left (the caller holds the job). */
  private async stopRun(domain: DomainObject, runtime: DomainRuntime, graceMs: number): Promise<void> {
    const run = this.runs.get(domain);
    run?.monitor.cancel();
    await run?.pty?.stop();
    if (domain.def.serial !== undefined) delete domain.def.serial.sourcePath;
    this.runs.delete(domain);
    await stopProcess(runtime, graceMs);
    await cleanupRun(this.context, runtime, domainPaths(this.layout, domain.name, domain.uuid).statusFile);
  }

  /** The domain is shut off now: state, definitions, event; a transient one goes away. */
  private async finishStopped(domain: DomainObject, reason: number, eventDetail: number): Promise<void> {
    const ref = domain.ref();
    await this.recordShutoff(domain, reason);
    domain.runtime = undefined;
    domain.setState(DomainState.SHUTOFF, reason);
    if (domain.newDef !== undefined) {
      domain.def = domain.newDef;
      domain.newDef = undefined;
    } else {
      domain.def = { ...domain.def };
      delete domain.def.id;
    }
    this.events.lifecycle(ref, DomainEventType.STOPPED, eventDetail);
    if (!domain.persistent) this.domains.remove(domain);
  }

  async reboot(domain: DomainObject, flags = 0): Promise<void> {
    checkFlags(flags, 0, 'virDomainReboot');
    await this.withJob(domain, 'reboot', async () => {
      const runtime = this.requireActive(domain);
      await this.restart(domain, runtime, 'reboot');
    });
  }

  /**
   * A fresh process with the same live definition and id (the caller holds the job). When it
   * cannot start, the domain is shut off (failed) and the error is thrown.
   */
  private async restart(domain: DomainObject, runtime: DomainRuntime, why: 'reboot' | 'crash'): Promise<void> {
    await this.stopRun(domain, runtime, this.timeouts.terminateGraceMs);
    const liveDef = domain.def;
    try {
      const binary = await this.resolveBinary(liveDef);
      const started = await startProcess(this.context, liveDef, binary, { paused: false, autodestroy: runtime.autodestroy });
      domain.runtime = started.runtime;
      domain.setState(DomainState.RUNNING, RunningReason.BOOTED);
      this.watch(domain, started.monitor, Date.now());
      await this.attachPty(domain);
    } catch (error) {
      await this.finishStopped(domain, ShutoffReason.FAILED, StoppedDetail.FAILED);
      throw error;
    }
    if (why === 'reboot') {
      this.events.reboot(domain.ref());
    } else {
      this.events.lifecycle(domain.ref(), DomainEventType.STOPPED, StoppedDetail.CRASHED);
      this.events.lifecycle(domain.ref(), DomainEventType.STARTED, StartedDetail.BOOTED);
    }
  }

  async suspend(domain: DomainObject): Promise<void> {
    await this.withJob(domain, 'suspend', async () => {
      const runtime = this.requireActive(domain);
      if (domain.state === DomainState.PAUSED) return;
      await withApi(runtime, this.timeouts.apiRequestMs, (client) => client.pause());
      domain.setState(DomainState.PAUSED, PausedReason.USER);
      await writeStatusFile(domainPaths(this.layout, domain.name, domain.uuid).statusFile, domain.state, domain.reason, domain.def, runtime);
      this.events.lifecycle(domain.ref(), DomainEventType.SUSPENDED, SuspendedDetail.PAUSED);
    });
  }

  async resume(domain: DomainObject): Promise<void> {
    await this.withJob(domain, 'resume', async () => {
      const runtime = this.requireActive(domain);
      if (domain.state === DomainState.RUNNING) throw new VirError('VIR_ERR_OPERATION_INVALID', 'domain is already running');
      await withApi(runtime, this.timeouts.apiRequestMs, (client) => client.resume());
      domain.setState(DomainState.RUNNING, RunningReason.UNPAUSED);
      await writeStatusFile(domainPaths(this.layout, domain.name, domain.uuid).statusFile, domain.state, domain.reason, domain.def, runtime);
      this.events.lifecycle(domain.ref(), DomainEventType.RESUMED, ResumedDetail.UNPAUSED);
    });
  }

  /**
   * virDomainSetMemoryFlags as libvirt's qemu driver does it: live through the virtio balloon
   * (PATCH /balloon), config by rewriting the persistent `<currentMemory>` (or `<memory>` with
   * MAXIMUM, config only).
   */
  async setMemoryFlags(domain: DomainObject, memoryKiB: number, flags = 0): Promise<void> {
    checkFlags(flags, DomainMemoryModFlags.LIVE | DomainMemoryModFlags.CONFIG | DomainMemoryModFlags.MAXIMUM, 'virDomainSetMemoryFlags');
    if (!Number.isSafeInteger(memoryKiB) || memoryKiB <= 0) throw new VirError('VIR_ERR_INVALID_ARG', 'memory in virDomainSetMemoryFlags must be greater than zero');
    await this.withJob(domain, 'setmem', async () => {
      const { live, config } = modificationImpact(domain, flags);
      const maximum = (flags & DomainMemoryModFlags.MAXIMUM) !== 0;
      if (maximum && live) throw new VirError('VIR_ERR_OPERATION_INVALID', 'cannot resize the maximum memory on an active domain');
      const persistent = domain.persistentDef();
      if (!maximum) {
        for (const def of [...(live ? [domain.def] : []), ...(config ? [persistent] : [])]) {
          if (memoryKiB > def.memoryKiB) throw new VirError('VIR_ERR_INVALID_ARG', 'cannot set memory higher than max memory');
        }
      }
      let updated: DomainDef | undefined;
      if (config && !maximum && memoryKiB < persistent.memoryKiB && persistent.memballoon?.model !== 'virtio') {
        throw new VirError('VIR_ERR_CONFIG_UNSUPPORTED', "<currentMemory> below <memory> needs <memballoon model='virtio'>: Firecracker lowers a guest's memory only by inflating its balloon");
      }
      if (config) {
        const changed = maximum
          ? { ...persistent, memoryKiB, currentMemoryKiB: Math.min(persistent.currentMemoryKiB, memoryKiB) }
          : { ...persistent, currentMemoryKiB: memoryKiB };
        // Through the parser: the new definition is checked as any defined one is.
        updated = this.parse(formatDomainXML(changed, { live: false }), false);
      }
      if (live) {
        const runtime = this.requireActive(domain);
        if (domain.def.memballoon?.model !== 'virtio') {
          throw new VirError('VIR_ERR_OPERATION_INVALID', 'Unable to change memory of active domain without the balloon device and guest OS balloon driver');
        }
        await withApi(runtime, this.timeouts.apiRequestMs, (client) => client.updateBalloon(balloonAmountMiB(domain.def, memoryKiB)));
        domain.def = { ...domain.def, currentMemoryKiB: memoryKiB };
        await writeStatusFile(domainPaths(this.layout, domain.name, domain.uuid).statusFile, domain.state, domain.reason, domain.def, runtime);
      }
      if (updated !== undefined) {
        await this.writeConfig(updated);
        if (domain.isActive()) domain.newDef = updated;
        else domain.def = updated;
      }
    });
  }

  // ---- guest exits ----------------------------------------------------------------------------

  private watch(domain: DomainObject, monitor: ProcessMonitor, startedAt: number): void {
    const previous = this.runs.get(domain);
    const shortRuns = previous?.shortRuns ?? 0;
    this.runs.set(domain, { monitor, startedAt, shortRuns });
    const runtime = domain.runtime;
    void monitor.exited.then((status) => {
      if (this.closed || runtime === undefined) return;
      const handled = this.handleExit(domain, runtime, status).catch((error: unknown) => {
        this.warn(`handling the exit of domain '${domain.name}': ${(error as Error).message}`);
      });
      this.pendingExits.add(handled);
      void handled.finally(() => this.pendingExits.delete(handled));
    });
  }

  /**
   * A daemon offers a pty bridged to the console of each running domain (the caller holds the
   * job): the live XML and the status file show its path while it exists.
   */
  private async attachPty(domain: DomainObject): Promise<void> {
    const run = this.runs.get(domain);
    const runtime = domain.runtime;
    if (this.options.ptys !== true || run === undefined || runtime === undefined || domain.def.serial === undefined) return;
    try {
      run.pty = await startPtyBridge(consolePathsOf(runtime), run.monitor.exited);
    } catch (error) {
      this.warn(`no pty for the console of domain '${domain.name}': ${(error as Error).message}`);
      return;
    }
    runtime.ptyPath = run.pty.path;
    domain.def.serial.sourcePath = run.pty.path;
    await writeStatusFile(domainPaths(this.layout, domain.name, domain.uuid).statusFile, domain.state, domain.reason, domain.def, runtime);
  }

  private async handleExit(domain: DomainObject, runtime: DomainRuntime, status: ExitStatus | undefined): Promise<void> {
    const end = await domain.job.begin('exit', 2 ** 31 - 1);
    try {
      // A destroy, reboot or restart already dealt with this process.
      if (domain.runtime !== runtime || this.closed) return;
      const run = this.runs.get(domain);
      this.runs.delete(domain);
      await run?.pty?.stop();
      const exit: GuestExit = status === undefined
        ? await classifyUnobservedExit(runtime.consoleLog, runtime.logOffset, runtime.shutdownRequested)
        : classifyExit(status, runtime.shutdownRequested);
      const def = domain.def;
      const action = exit === 'shutdown' ? def.onPoweroff : exit === 'reboot' ? def.onReboot : def.onCrash;
      const ranMs = Date.now() - (run?.startedAt ?? 0);
      const shortRuns = ranMs < MIN_RUN_MS ? (run?.shortRuns ?? 0) + 1 : 0;
      if (action === 'restart' && shortRuns < RESTART_LOOP_RUNS) {
        try {
          await this.restart(domain, runtime, exit === 'crash' ? 'crash' : 'reboot');
          const next = this.runs.get(domain);
          if (next !== undefined) next.shortRuns = shortRuns;
        } catch (error) {
          this.warn(`domain '${domain.name}' could not be restarted after its guest ${exit === 'crash' ? 'crashed' : 'rebooted'}: ${(error as Error).message}`);
        }
        return;
      }
      if (action === 'restart') {
        this.warn(`domain '${domain.name}' exited ${shortRuns} times in a row within ${MIN_RUN_MS} ms of starting; not restarting it again`);
      }
      await cleanupRun(this.context, runtime, domainPaths(this.layout, domain.name, domain.uuid).statusFile);
      if (exit === 'crash' || action === 'restart') await this.finishStopped(domain, ShutoffReason.CRASHED, StoppedDetail.CRASHED);
      else await this.finishStopped(domain, ShutoffReason.SHUTDOWN, StoppedDetail.SHUTDOWN);
    } finally {
      end();
    }
  }

  // ---- queries ---------------------------------------------------------------------------------

  /** virConnectGetMaxVcpus: Firecracker's limit, for the one domain type it runs. */
  getMaxVcpus(type: string | null): number {
    this.checkOpen();
    if (type !== null && !['firecracker', 'fc'].includes(type.toLowerCase())) {
      throw new VirError('VIR_ERR_INVALID_ARG', `unknown type '${type}'`);
    }
    return MAX_VCPUS;
  }

  /**
   * virDomainGetVcpusFlags as libvirt's drivers answer it (virDomainObjGetDefs picks the live or
   * persistent definition). No vCPU hotplug: the maximum and the current count are `<vcpu>`.
   */
  getVcpusFlags(domain: DomainObject, flags = 0): number {
    checkFlags(flags, DomainVcpuFlags.LIVE | DomainVcpuFlags.CONFIG | DomainVcpuFlags.MAXIMUM, 'virDomainGetVcpusFlags');
    const both = DomainModificationImpact.LIVE | DomainModificationImpact.CONFIG;
    if ((flags & both) === both) {
      throw new VirError('VIR_ERR_INVALID_ARG', "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive");
    }
    return (modificationImpact(domain, flags).config ? domain.persistentDef() : domain.def).vcpus;
  }

  /** virDomainMemoryStats of a running domain, read now (see memory.ts). */
  async memoryStats(domain: DomainObject, maxStats: number, flags = 0): Promise<MemoryStat[]> {
    checkFlags(flags, 0, 'virDomainMemoryStats');
    const runtime = this.requireActive(domain);
    const balloonStats = domain.def.memballoon?.model === 'virtio'
      ? await withApi(runtime, this.timeouts.apiRequestMs, (client) => client.getBalloonStats())
      : undefined;
    const stats = memoryStats(domain.def, balloonStats, await readResidentKiB(runtime.pid));
    return stats.slice(0, Math.max(0, maxStats));
  }

  getState(domain: DomainObject): DomainStateInfo {
    return { state: domain.state, reason: domain.reason };
  }

  async getInfo(domain: DomainObject): Promise<DomainInfo> {
    const runtime = domain.runtime;
    let cpuTimeNs = 0n;
    if (runtime !== undefined) cpuTimeNs = (await readCpuTime(runtime.pid, runtime.startTime)) ?? 0n;
    return {
      state: domain.state,
      maxMemKiB: domain.def.memoryKiB,
      memoryKiB: domain.def.currentMemoryKiB,
      nrVirtCpu: domain.def.vcpus,
      cpuTimeNs,
    };
  }

  getXMLDesc(domain: DomainObject, flags = 0): string {
    checkFlags(flags, DomainXMLFlags.SECURE | DomainXMLFlags.INACTIVE | DomainXMLFlags.UPDATE_CPU | DomainXMLFlags.MIGRATABLE, 'virDomainGetXMLDesc');
    const inactive = (flags & (DomainXMLFlags.INACTIVE | DomainXMLFlags.MIGRATABLE)) !== 0 || !domain.isActive();
    const def = (flags & DomainXMLFlags.INACTIVE) !== 0 ? domain.persistentDef() : domain.def;
    return formatDomainXML(def, { live: !inactive });
  }

  async openConsole(domain: DomainObject, devName: string | null, flags = 0): Promise<Duplex> {
    this.checkOpen();
    checkFlags(flags, DomainConsoleFlags.FORCE | DomainConsoleFlags.SAFE, 'virDomainOpenConsole');
    const runtime = this.requireActive(domain);
    const serial = domain.def.serial;
    if (serial === undefined || (devName !== null && devName !== serial.alias && devName !== 'console0')) {
      throw new VirError('VIR_ERR_INTERNAL_ERROR', `cannot find character device ${devName ?? '<null>'}`);
    }
    // Its own exit watch: the stream outlives this driver (an embed CLI closes the driver and
    // keeps the console), and ends when the VM process does.
    const exited = watchProcessExit(runtime.pid, runtime.startTime, { apiSocket: runtime.apiSocket });
    try {
      const stream = await openConsoleStream(consolePathsOf(runtime), { force: (flags & DomainConsoleFlags.FORCE) !== 0, processExited: exited });
      stream.once('close', () => { exited.cancel(); });
      return stream;
    } catch (error) {
      exited.cancel();
      throw error;
    }
  }

  // ---- the host ------------------------------------------------------------------------------------

  /** The firecracker in PATH and its version; undefined when there is none (or it is unusable). */
  private async firecrackerInPath(): Promise<ResolvedBinary | undefined> {
    try {
      const binary = await findFirecrackerBinary(undefined, this.env.PATH ?? '');
      return { path: binary, version: await probeFirecrackerVersion(binary) };
    } catch {
      return undefined;
    }
  }

  async getVersion(): Promise<number> {
    const found = await this.firecrackerInPath();
    if (found === undefined) return 0;
    const { major, minor, patch } = found.version;
    return major * 1_000_000 + minor * 1_000 + patch;
  }

  getLibVersion(): number {
    return FCVIRT_VERSION_NUMBER;
  }

  getHostname(): string {
    return os.hostname();
  }

  async getCapabilities(): Promise<string> {
    return capabilitiesXML((await this.firecrackerInPath())?.path);
  }

  async nodeGetInfo(): Promise<NodeInfo> {
    return nodeInfo();
  }
}

function noDomainObject(domain: DomainObject): VirError {
  return new VirError('VIR_ERR_NO_DOMAIN', `no domain with matching uuid '${domain.uuid}' (${domain.name})`);
}

/** libvirt's virCheckFlags. */
/**
 * libvirt's virDomainObjGetDefs: which definitions the LIVE and CONFIG bits of `flags` are about
 * (neither: the live one when running, else the persistent one), refusing what does not exist.
 */
function modificationImpact(domain: DomainObject, flags: number): { live: boolean; config: boolean } {
  let live = (flags & DomainModificationImpact.LIVE) !== 0;
  let config = (flags & DomainModificationImpact.CONFIG) !== 0;
  if (!live && !config) {
    live = domain.isActive();
    config = !live;
  }
  if (live && !domain.isActive()) throw new VirError('VIR_ERR_OPERATION_INVALID', 'domain is not running');
  if (config && !domain.persistent) throw new VirError('VIR_ERR_OPERATION_INVALID', 'transient domains do not have any persistent config');
  return { live, config };
}

/** The connection an autodestroy start belongs to; undefined without START_AUTODESTROY. */
function autodestroyOwner(flags: number, connection: string | undefined): string | undefined {
  if ((flags & DomainCreateFlags.START_AUTODESTROY) === 0) return undefined;
  if (connection === undefined) {
    throw new VirError('VIR_ERR_INVALID_ARG', 'VIR_DOMAIN_START_AUTODESTROY needs a connection whose closing destroys the domain');
  }
  return connection;
}

/** libvirt's virCheckFlags: VIR_ERR_INVALID_ARG, its message without the "invalid argument: " prefix. */
export function checkFlags(flags: number, allowed: number, functionName: string): void {
  if (!Number.isInteger(flags) || flags < 0 || (flags & ~allowed) !== 0) {
    throw new VirError('VIR_ERR_INVALID_ARG', `unsupported flags (0x${((flags & ~allowed) >>> 0).toString(16)}) in function ${functionName}`, { verbatim: true });
  }
}
