// The live definition of a domain being started: a copy of its definition with what the
// driver decides at start filled in, as libvirt's qemuProcessPrepareDomain does — the domain
// id, device aliases, the vsock CID when it is `auto`. (Tap names of bridge interfaces are
// filled by the networking code when it creates them.)

import type { DomainDef } from '../conf/domain-def.js';
import { VirError } from '../errors.js';

/** The first CID a guest may have: 0–2 are the hypervisor, local and host. */
export const FIRST_GUEST_CID = 3;

export interface LiveDefOptions {
  id: number;
  /** CIDs of the other running domains. */
  cidsInUse: ReadonlySet<number>;
  /** The host's architecture in libvirt's spelling ('x86_64', 'aarch64'). */
  hostArch: string;
}

/** libvirt's name for Node's process.arch. */
export function hostArchitecture(nodeArch: string = process.arch): string {
  switch (nodeArch) {
    case 'x64': return 'x86_64';
    case 'arm64': return 'aarch64';
    default: return nodeArch;
  }
}

function diskIndex(target: string): number {
  // vda → 0, vdz → 25, vdaa → 26: libvirt's virDiskNameToIndex.
  let index = 0;
  for (const char of target.slice(2)) index = index * 26 + (char.charCodeAt(0) - 96);
  return index - 1;
}

export function prepareLiveDef(def: DomainDef, options: LiveDefOptions): DomainDef {
  if (def.os.arch !== options.hostArch) {
    throw new VirError(
      'VIR_ERR_CONFIG_UNSUPPORTED',
      `domain architecture '${def.os.arch}' cannot run on this ${options.hostArch} host: Firecracker runs guests of the host's own architecture (<type arch>)`,
    );
  }
  const live = structuredClone(def);
  live.id = options.id;
  for (const disk of live.disks) disk.alias = `virtio-disk${diskIndex(disk.target)}`;
  live.interfaces.forEach((iface, index) => { iface.alias = `net${index}`; });
  if (live.serial !== undefined) live.serial.alias = 'serial0';
  if (live.memballoon !== undefined && live.memballoon.model !== 'none') live.memballoon.alias = 'balloon0';
  if (live.rng !== undefined) live.rng.alias = 'rng0';
  if (live.vsock !== undefined) {
    live.vsock.alias = 'vsock0';
    if (live.vsock.cid === undefined || live.vsock.autoCid === true) {
      let cid = FIRST_GUEST_CID;
      while (options.cidsInUse.has(cid)) cid++;
      live.vsock.cid = cid;
    }
  }
  return live;
}
