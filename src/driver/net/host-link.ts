// What the host knows about a network interface, read with `ip -j -d link show`.

import type { IpRunner } from './ip-command.js';
import { VirError } from '../../errors.js';

export interface HostLink {
  name: string;
  /** linkinfo.info_kind: 'tun', 'bridge', 'veth', …; undefined for plain devices. */
  kind: string | undefined;
  /** For kind 'tun': 'tap' or 'tun'. */
  tunType: string | undefined;
  mtu: number;
  /** The bridge this link is a port of, if any. */
  master: string | undefined;
  up: boolean;
}

interface IpLinkJson {
  ifname: string;
  mtu?: number;
  master?: string;
  flags?: string[];
  linkinfo?: { info_kind?: string; info_data?: { type?: string } };
}

/** Linux's rule for interface names (dev_valid_name): 1–15 bytes, no '/', ':' or spaces. */
export function checkInterfaceName(name: string, where: string): void {
  const bytes = Buffer.byteLength(name);
  if (bytes === 0 || bytes > 15 || name === '.' || name === '..' || /[/:\s]/.test(name)) {
    throw new VirError('VIR_ERR_CONFIG_UNSUPPORTED', `${where}: '${name}' is not a valid host interface name (1 to 15 bytes, no '/', ':' or white space)`);
  }
}

function toLink(entry: IpLinkJson): HostLink {
  return {
    name: entry.ifname,
    kind: entry.linkinfo?.info_kind,
    tunType: entry.linkinfo?.info_data?.type,
    mtu: entry.mtu ?? 1500,
    master: entry.master,
    up: entry.flags?.includes('UP') ?? false,
  };
}

/** The link called `name`, undefined when there is none. */
export async function readLink(ip: IpRunner, name: string): Promise<HostLink | undefined> {
  const all = await listLinks(ip);
  return all.find((link) => link.name === name);
}

/** Every link in the namespace. */
export async function listLinks(ip: IpRunner): Promise<HostLink[]> {
  const text = await ip(['-j', '-d', 'link', 'show']);
  let entries: IpLinkJson[];
  try {
    entries = JSON.parse(text) as IpLinkJson[];
  } catch (error) {
    throw new VirError('VIR_ERR_INTERNAL_ERROR', `cannot parse the output of 'ip -j -d link show': ${(error as Error).message}`, { cause: error });
  }
  return entries.map(toLink);
}

export function isTap(link: HostLink): boolean {
  return link.kind === 'tun' && link.tunType === 'tap';
}
