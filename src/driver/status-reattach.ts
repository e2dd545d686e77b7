// What becomes of a status file an earlier driver left (libvirt's qemuProcessReconnect): the
// process it records is still the domain's — same pid, same start time, its API answers — and
// the new driver re-attaches; or it is not, and everything it left is cleaned up and the domain
// is shut off with the reason the facts allow. The driver applies the outcome to its domains.

import fs from 'node:fs/promises';
import { DomainState, PausedReason, RunningReason, ShutoffReason } from '../api/constants.js';
import type { DomainDef } from '../conf/domain-def.js';
import { parseDomainXML } from '../conf/index.js';
import { formatVersion, parseVmmVersion } from '../firecracker/version.js';
import type { DomainRuntime } from './domain-object.js';
import { cleanupRun, findProcessBySocket, probeProcess, stopProcess, withApi, type ProcessContext } from './process.js';
import { parseStatus, type StatusRecord } from './status-file.js';

export type StatusOutcome =
  /** Still running: the caller adopts the live definition and the runtime. */
  | { kind: 'running'; liveDef: DomainDef; status: StatusRecord }
  /** Gone, or stopped now: its leftovers are removed; the domain is shut off for `reason`. */
  | { kind: 'shutoff'; liveDef: DomainDef; reason: number };

/**
 * Reads a status file and settles it. `check` runs once the live definition is known and
 * before anything is touched; what it throws leaves the file and the process alone.
 */
export async function settleStatusFile(statusFile: string, context: ProcessContext, check: (liveDef: DomainDef) => void): Promise<StatusOutcome> {
  const { timeouts } = context;
  const status = parseStatus(await fs.readFile(statusFile, 'utf8'));
  const liveDef = parseDomainXML(status.domainXml);
  liveDef.id = status.domainId;
  const { runtime } = status;
  // The pty belonged to the daemon that made it; a restarted driver has none.
  delete runtime.ptyPath;
  if (liveDef.serial !== undefined) delete liveDef.serial.sourcePath;
  check(liveDef);

  if (status.state === DomainState.PAUSED && status.reason === PausedReason.STARTING_UP) {
    // A start the previous driver did not finish: its process (found by its socket when the
    // pid was not recorded yet) is half configured. Stop it, as libvirt kills a domain it
    // finds still starting up when it reconnects.
    const found = runtime.pid === 0 ? await findProcessBySocket(runtime.apiSocket) : { pid: runtime.pid, startTime: runtime.startTime };
    if (found !== undefined) await stopProcess({ ...runtime, ...found }, timeouts.terminateGraceMs);
    await cleanupRun(context, runtime, statusFile);
    return { kind: 'shutoff', liveDef, reason: ShutoffReason.FAILED };
  }

  const state = await probeProcess(runtime, timeouts.apiRequestMs);
  if (state === 'alive' && runtime.autodestroy !== undefined) {
    // Started with START_AUTODESTROY by a connection of an earlier driver: that connection
    // is closed, so the domain goes as it would have then.
    await stopProcess(runtime, timeouts.terminateGraceMs);
    await cleanupRun(context, runtime, statusFile);
    return { kind: 'shutoff', liveDef, reason: ShutoffReason.DESTROYED };
  }
  if (state === 'alive') return { kind: 'running', liveDef, status };
  // Not ours any more: a hung process is killed (it could otherwise run twice), then the
  // domain is shut off with whatever reason the facts allow. No restart: nobody watched.
  if (state === 'hung') await stopProcess(runtime, timeouts.terminateGraceMs);
  await cleanupRun(context, runtime, statusFile);
  const reason = state === 'hung' ? ShutoffReason.DAEMON : runtime.shutdownRequested ? ShutoffReason.SHUTDOWN : ShutoffReason.CRASHED;
  return { kind: 'shutoff', liveDef, reason };
}

/**
 * The state of a re-attached run as Firecracker has it: the status file may be older than a
 * pause or resume done just before the previous driver died. Also corrects the recorded version.
 */
export async function currentRunState(runtime: DomainRuntime, recorded: { state: number; reason: number }, timeoutMs: number): Promise<{ state: number; reason: number }> {
  try {
    const info = await withApi(runtime, timeoutMs, (client) => client.getInstanceInfo());
    if (info.vmm_version !== runtime.version) runtime.version = formatVersion(parseVmmVersion(info.vmm_version));
    if (info.state === 'Paused' && recorded.state !== DomainState.PAUSED) return { state: DomainState.PAUSED, reason: PausedReason.USER };
    if (info.state === 'Running' && recorded.state !== DomainState.RUNNING) return { state: DomainState.RUNNING, reason: RunningReason.UNPAUSED };
  } catch {
    // The exit watch will notice if it is gone.
  }
  return recorded;
}
