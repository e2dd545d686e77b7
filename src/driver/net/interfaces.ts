// Host side of a domain's <interface>s: the tap devices Firecracker attaches to.
//
//   prepareInterfaces(interfaces, options) → { interfaces, created }     before spawn
//     type='ethernet' <target dev='T'>: an existing tap T is used as is and never touched; a
//       missing one is created (a persistent tap owned by no user), given the guest MAC with
//       its first byte 0xFE (libvirt's rule, so a bridge never takes the guest's address)
//       and brought up. <target managed='no'> requires T to exist.
//     type='bridge' <source bridge='B'>: a new tap (named by <target dev>, or fctapN with the
//       lowest free N, as libvirt names vnetN) is created, given the bridge's MTU, made a
//       port of B and brought up. A missing bridge fails before anything is created.
//     A name that exists but is not a tap is refused. Any failure removes every tap created
//     so far. `interfaces` is the input with targetDev filled in; `created` lists the taps
//     made here: the driver records it in the status file and hands it to releaseInterfaces
//     after the VM stopped (a restarted driver can do so too).
//   releaseInterfaces(created, options) → removes those taps; ones already gone are fine.
//
// Cost per running domain: nothing (no process, fd or watcher); a few `ip` runs at start/stop.

import type { InterfaceDef } from '../../conf/domain-def.js';
import { VirError } from '../../errors.js';
import { ipRunner, type IpOptions, type IpRunner } from './ip-command.js';
import { checkInterfaceName, isTap, listLinks, readLink, type HostLink } from './host-link.js';

export interface PrepareInterfacesOptions extends IpOptions {
  /** Prefix of generated tap names. */
  tapPrefix?: string;
}

export interface PreparedInterfaces {
  /** The interfaces, in the same order, each with targetDev set. */
  interfaces: InterfaceDef[];
  /** Taps created here, to remove after the VM stops. */
  created: string[];
}

// Names handed out in this process and not yet created: two domains starting at once must
// not pick the same fctapN (other processes are caught by `ip tuntap add` failing).
const reserved = new Set<string>();

function describe(iface: InterfaceDef, index: number): string {
  return `interface ${index} (mac ${iface.mac})`;
}

/** The host-side MAC of a tap: the guest's with the first byte 0xFE. */
export function tapMac(guestMac: string): string {
  return `fe${guestMac.slice(2)}`.toLowerCase();
}

export async function prepareInterfaces(interfaces: readonly InterfaceDef[], options: PrepareInterfacesOptions = {}): Promise<PreparedInterfaces> {
  const ip = ipRunner(options);
  const prefix = options.tapPrefix ?? 'fctap';
  const created: string[] = [];
  const held: string[] = [];
  const result: InterfaceDef[] = [];
  try {
    for (const [index, iface] of interfaces.entries()) {
      const where = describe(iface, index);
      if (iface.targetDev !== undefined) checkInterfaceName(iface.targetDev, `${where} <target dev>`);
      if (iface.type === 'ethernet') {
        result.push(await prepareEthernet(ip, iface, where, created));
      } else {
        result.push(await prepareBridged(ip, iface, where, prefix, created, held));
      }
    }
    return { interfaces: result, created };
  } catch (error) {
    await removeTaps(ip, [...created].reverse()).catch(() => undefined);
    throw error;
  } finally {
    for (const name of held) reserved.delete(name);
  }
}

async function prepareEthernet(ip: IpRunner, iface: InterfaceDef, where: string, created: string[]): Promise<InterfaceDef> {
  const name = iface.targetDev;
  if (name === undefined) {
    throw new VirError('VIR_ERR_CONFIG_UNSUPPORTED', `${where}: <interface type='ethernet'> needs <target dev='NAME'/> naming the host tap device`);
  }
  const existing = await readLink(ip, name);
  if (existing !== undefined) {
    requireTap(existing, where);
    return { ...iface };
  }
  if (iface.targetManaged === false) {
    throw new VirError('VIR_ERR_CONFIG_UNSUPPORTED', `${where}: target managed='no' but specified dev '${name}' doesn't exist`);
  }
  await createTap(ip, name, created);
  await ip(['link', 'set', 'dev', name, 'address', tapMac(iface.mac)]);
  await ip(['link', 'set', 'dev', name, 'up']);
  return { ...iface };
}

async function prepareBridged(ip: IpRunner, iface: InterfaceDef, where: string, prefix: string, created: string[], held: string[]): Promise<InterfaceDef> {
  const bridgeName = iface.sourceBridge;
  if (bridgeName === undefined) {
    throw new VirError('VIR_ERR_CONFIG_UNSUPPORTED', `${where}: <interface type='bridge'> needs <source bridge='NAME'/>`);
  }
  checkInterfaceName(bridgeName, `${where} <source bridge>`);
  const links = await listLinks(ip);
  const bridge = links.find((link) => link.name === bridgeName);
  if (bridge === undefined) {
    throw new VirError('VIR_ERR_OPERATION_FAILED', `${where}: bridge '${bridgeName}' does not exist on the host (create it first, e.g. 'ip link add ${bridgeName} type bridge')`);
  }
  if (bridge.kind !== 'bridge') {
    throw new VirError('VIR_ERR_OPERATION_FAILED', `${where}: '${bridgeName}' is not a bridge (it is a ${bridge.kind ?? 'plain'} device)`);
  }
  let name = iface.targetDev;
  if (name !== undefined) {
    const existing = links.find((link) => link.name === name);
    if (existing !== undefined) {
      requireTap(existing, where);
      throw new VirError('VIR_ERR_OPERATION_FAILED', `${where}: The ${name} interface already exists (a bridged interface gets a tap of its own: name an unused one in <target dev>, or leave it out)`);
    }
    await createTap(ip, name, created);
  } else {
    name = await createGeneratedTap(ip, prefix, links, created, held);
  }
  await ip(['link', 'set', 'dev', name, 'address', tapMac(iface.mac)]);
  if (bridge.mtu !== 1500) await ip(['link', 'set', 'dev', name, 'mtu', String(bridge.mtu)]);
  await ip(['link', 'set', 'dev', name, 'master', bridgeName]);
  await ip(['link', 'set', 'dev', name, 'up']);
  return { ...iface, targetDev: name };
}

function requireTap(link: HostLink, where: string): void {
  if (!isTap(link)) {
    const kind = link.kind === 'tun' ? `tun (${link.tunType ?? 'unknown'})` : (link.kind ?? 'plain');
    throw new VirError('VIR_ERR_OPERATION_FAILED', `${where}: host interface '${link.name}' exists but is not a tap device (it is a ${kind} device); name a tap or an unused name in <target dev>`);
  }
}

async function createTap(ip: IpRunner, name: string, created: string[]): Promise<void> {
  // Persistent (TUNSETPERSIST) and owned by no user; Firecracker attaches to it by name.
  await ip(['tuntap', 'add', 'dev', name, 'mode', 'tap']);
  created.push(name);
}

async function createGeneratedTap(ip: IpRunner, prefix: string, links: HostLink[], created: string[], held: string[]): Promise<string> {
  const taken = new Set(links.map((link) => link.name));
  for (let n = 0, attempts = 0; attempts < 64; n += 1) {
    const name = `${prefix}${n}`;
    if (Buffer.byteLength(name) > 15) break;
    if (taken.has(name) || reserved.has(name)) continue;
    attempts += 1;
    reserved.add(name);
    held.push(name);
    try {
      await createTap(ip, name, created);
      return name;
    } catch (error) {
      // Taken meanwhile by another process: try the next number.
      if ((await readLink(ip, name)) === undefined) throw error;
    }
  }
  throw new VirError('VIR_ERR_OPERATION_FAILED', `no free tap device name of the form '${prefix}N'`);
}

async function removeTaps(ip: IpRunner, names: readonly string[]): Promise<void> {
  const failures: string[] = [];
  for (const name of names) {
    try {
      await ip(['link', 'del', 'dev', name]);
    } catch (error) {
      // Already gone is what we wanted.
      if ((await readLink(ip, name).catch(() => undefined)) !== undefined) failures.push((error as Error).message);
    }
  }
  if (failures.length > 0) {
    throw new VirError('VIR_ERR_OPERATION_FAILED', `cannot remove tap device(s): ${failures.join('; ')}`);
  }
}

/** Removes the taps prepareInterfaces created; those already gone are skipped. */
export async function releaseInterfaces(created: readonly string[], options: IpOptions = {}): Promise<void> {
  await removeTaps(ipRunner(options), created);
}
