// Where the fc driver keeps its state: one layout (libvirt's), relocated by a root.
//
//   system            /etc/libvirt/fc/NAME.xml              persistent definitions
//                     /etc/libvirt/fc/autostart/NAME.xml    symlink to ../NAME.xml
//                     /run/libvirt/fc/NAME.xml              status (live XML + process facts)
//                     /run/libvirt/fc/NAME.shutoff          why it last shut off (see below)
//                     /run/libvirt/fc/<uuid>/               runtime dir: api.sock, console FIFO,
//                                                           console owner record, vsock socket
//                     /var/log/libvirt/fc/NAME.log          serial output + Firecracker's log
//   embed / --root D  the same tree under D (D/etc/libvirt/fc, D/run/libvirt/fc, …), so an
//                     embed command and a daemon on one root meet at the same lock
//   session           $XDG_CONFIG_HOME/libvirt/fc, $XDG_RUNTIME_DIR/libvirt/fc,
//                     $XDG_CACHE_HOME/libvirt/fc/log (DESIGN.md)
//
// NAME.shutoff is fcvirt's addition: libvirt keeps the shutoff reason of an inactive domain in
// its daemon's memory only, but in embed mode every command is a new driver, so the reason a
// domain stopped ("shutdown", "crashed", …) would be lost before the next command could show it.
// It lives in the runtime tree, so like libvirt's it does not survive a host reboot.
//
// The runtime dir is keyed by uuid, not name, so that UNIX socket paths stay short whatever the
// name is; socket paths are still checked against the 107-byte sun_path limit.

import os from 'node:os';
import path from 'node:path';
import { VirError } from '../errors.js';
import type { DomainDef } from '../conf/domain-def.js';
import type { PlanPaths } from '../firecracker/plan/index.js';

export type LayoutKind = 'system' | 'session' | 'root';

export interface DriverLayout {
  kind: LayoutKind;
  /** The relocation root for kind 'root' (absolute, normalised). */
  root?: string;
  /** Persistent definitions. */
  configDir: string;
  /** Autostart links. */
  autostartDir: string;
  /** Status files, per-domain runtime dirs, the driver lock, the autostart stamp. */
  stateDir: string;
  /** Domain logs. */
  logDir: string;
  /** The root lock: one driver instance acts on this layout at a time. */
  lockPath: string;
  /** libvirt's `virDriverShouldAutostart` stamp: autostart runs once per host boot. */
  autostartStamp: string;
}

function layoutFrom(kind: LayoutKind, configDir: string, stateDir: string, logDir: string, root?: string): DriverLayout {
  return {
    kind,
    ...(root === undefined ? {} : { root }),
    configDir,
    autostartDir: path.join(configDir, 'autostart'),
    stateDir,
    logDir,
    lockPath: path.join(stateDir, 'driver.lock'),
    autostartStamp: path.join(stateDir, 'fc-autostarted'),
  };
}

/** The system layout (`fc:///system`, virtfcd as root). */
export function systemLayout(): DriverLayout {
  return layoutFrom('system', '/etc/libvirt/fc', '/run/libvirt/fc', '/var/log/libvirt/fc');
}

/** The system layout under ROOT (`fc:///embed?root=ROOT`, `virtfcd --root ROOT`). */
export function rootLayout(root: string): DriverLayout {
  if (root === '' || !path.isAbsolute(root)) {
    throw new VirError('VIR_ERR_INVALID_ARG', `root directory '${root}' must be an absolute path`);
  }
  const normalised = path.resolve(root);
  return layoutFrom(
    'root',
    path.join(normalised, 'etc/libvirt/fc'),
    path.join(normalised, 'run/libvirt/fc'),
    path.join(normalised, 'var/log/libvirt/fc'),
    normalised,
  );
}

/** The per-user layout (`fc:///session`), from the XDG variables as libvirt reads them. */
export function sessionLayout(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): DriverLayout {
  const pick = (value: string | undefined, fallback: string): string =>
    value !== undefined && path.isAbsolute(value) ? value : fallback;
  const configHome = pick(env.XDG_CONFIG_HOME, path.join(home, '.config'));
  const cacheHome = pick(env.XDG_CACHE_HOME, path.join(home, '.cache'));
  // libvirt's virGetUserRuntimeDirectory falls back to the cache dir without XDG_RUNTIME_DIR.
  const runtimeHome = pick(env.XDG_RUNTIME_DIR, cacheHome);
  return layoutFrom(
    'session',
    path.join(configHome, 'libvirt/fc'),
    path.join(runtimeHome, 'libvirt/fc'),
    path.join(cacheHome, 'libvirt/fc/log'),
  );
}

/** Every path that belongs to one domain. */
export interface DomainPaths {
  configFile: string;
  autostartLink: string;
  /** What the autostart link points at (relative, as libvirt writes it). */
  autostartTarget: string;
  statusFile: string;
  /** Why a persistent domain last shut off (fcvirt's own: embed commands each start a driver). */
  shutoffFile: string;
  runtimeDir: string;
  apiSocket: string;
  consoleInput: string;
  consoleOwner: string;
  vsockSocket: string;
  logFile: string;
}

export function domainPaths(layout: DriverLayout, name: string, uuid: string): DomainPaths {
  const runtimeDir = path.join(layout.stateDir, uuid);
  return {
    configFile: path.join(layout.configDir, `${name}.xml`),
    autostartLink: path.join(layout.autostartDir, `${name}.xml`),
    autostartTarget: path.join('..', `${name}.xml`),
    statusFile: path.join(layout.stateDir, `${name}.xml`),
    shutoffFile: path.join(layout.stateDir, `${name}.shutoff`),
    runtimeDir,
    apiSocket: path.join(runtimeDir, 'api.sock'),
    consoleInput: path.join(runtimeDir, 'console.in'),
    consoleOwner: path.join(runtimeDir, 'console.owner'),
    vsockSocket: path.join(runtimeDir, 'vsock.sock'),
    logFile: path.join(layout.logDir, `${name}.log`),
  };
}

/**
 * What the driver gives the plan: the vsock socket of the domain's runtime dir. No logger or
 * metrics request: Firecracker's own messages go to its stderr, which is the domain log.
 */
export function planPaths(layout: DriverLayout, def: DomainDef): PlanPaths {
  return def.vsock === undefined ? {} : { vsockUdsPath: domainPaths(layout, def.name, def.uuid).vsockSocket };
}

/** sun_path holds 108 bytes including the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;

/**
 * Refuses a UNIX socket path the kernel cannot bind. `reserve` leaves room for suffixes the
 * user of the socket appends (Firecracker's vsock adds `_PORT` for host-initiated connections).
 */
export function checkSocketPath(socketPath: string, what: string, reserve = 0): void {
  const length = Buffer.byteLength(socketPath);
  if (length + reserve > MAX_SOCKET_PATH_BYTES) {
    throw new VirError(
      'VIR_ERR_CONFIG_UNSUPPORTED',
      `${what} path '${socketPath}' is ${length} bytes long, over the ${MAX_SOCKET_PATH_BYTES - reserve}-byte limit of UNIX socket paths; use a shorter root directory`,
    );
  }
}
