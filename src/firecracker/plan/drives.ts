// PUT /drives/{id}: one request per <disk>, the root drive first, then in target order
// (vda < vdb < … < vdz < vdaa). Firecracker keeps its root drive first whatever the request
// order, and the guest names block devices in that order, so the root drive is /dev/vda.
import { VirError } from '../../errors.js';
import type { DiskDef, DomainDef } from '../../conf/domain-def.js';
import type { Dialect } from './dialect.js';
import { compareDiskTargets, inOrder } from './device-order.js';
import { hasKernelParameter } from './kernel-cmdline.js';
import { diskRateLimiter } from './rate-limiter.js';
import { ResourceIdAllocator } from './resource-ids.js';
import type { JsonObject, PlanRequest } from './types.js';

/**
 * The disk that becomes Firecracker's root device: the one <root> names; without <root>, the
 * first disk in target order, unless the guest boots otherwise (an <initrd>, or a `root=` in
 * <cmdline>), in which case none is.
 */
export function rootDisk(def: DomainDef): DiskDef | undefined {
  const { root } = def.os;
  if (root !== undefined) {
    const disk = def.disks.find((candidate) => candidate.target === root || `/dev/${candidate.target}` === root);
    if (disk === undefined) {
      throw new VirError('VIR_ERR_XML_ERROR',
        `<root>${root}</root> names no disk: no <disk> has <target dev='${root.replace(/^\/dev\//, '')}'>`);
    }
    return disk;
  }
  if (def.os.initrd !== undefined || hasKernelParameter(def.os.cmdline, 'root')) return undefined;
  // The first in target order (of equal targets, the first written).
  let first: DiskDef | undefined;
  for (const disk of def.disks) {
    if (first === undefined || compareDiskTargets(disk.target, first.target) < 0) first = disk;
  }
  return first;
}

/** Disks in attach order: the root disk first, then by target. */
export function disksInAttachOrder(def: DomainDef): { disk: DiskDef; isRoot: boolean }[] {
  const root = rootDisk(def);
  const order = (a: DiskDef, b: DiskDef): number => Number(b === root) - Number(a === root) || compareDiskTargets(a.target, b.target);
  const disks = def.disks.slice();
  // Usually written in order already; the sort is stable, so it would change nothing then.
  if (!inOrder(disks, order)) disks.sort(order);
  return disks.map((disk) => ({ disk, isRoot: disk === root }));
}

/** cache → cache_type. Firecracker either ignores flushes (Unsafe) or honours them (Writeback). */
function cacheType(disk: DiskDef): string | undefined {
  switch (disk.cache) {
    // Firecracker's own default then applies: Unsafe (flushes acknowledged, not performed).
    case undefined:
    case 'default':
      return undefined;
    case 'unsafe':
      return 'Unsafe';
    // Firecracker has no O_DIRECT: 'none' is served through the host page cache, with the
    // guest's flushes honoured, which is what 'writeback' promises and 'none' needs for safety.
    case 'none':
    case 'writeback':
      return 'Writeback';
    case 'writethrough':
    case 'directsync':
      throw new VirError('VIR_ERR_CONFIG_UNSUPPORTED',
        `disk '${disk.target}': cache='${disk.cache}' is not supported: Firecracker cannot write through ` +
        "to the image on every write; use cache='writeback' or 'none' (flushes honoured) or 'unsafe'");
  }
}

/** io → io_engine: v0.25 has only synchronous I/O, v1.x chooses Sync or Async (io_uring). */
function ioEngine(disk: DiskDef, dialect: Dialect): string | undefined {
  switch (disk.io) {
    case undefined:
      return undefined;
    case 'threads':
      return dialect.has('ioEngine') ? 'Sync' : undefined;
    case 'native':
    case 'io_uring':
      dialect.require('ioEngine', `io='${disk.io}'`);
      return 'Async';
  }
}

export function planDrives(def: DomainDef, dialect: Dialect): PlanRequest[] {
  const ids = new ResourceIdAllocator();
  return disksInAttachOrder(def).map(({ disk, isRoot }) => {
    const id = ids.allocate(disk.target);
    const body: JsonObject = {
      drive_id: id,
      path_on_host: disk.source,
      is_root_device: isRoot,
      is_read_only: disk.readonly,
    };
    const cache = cacheType(disk);
    if (cache !== undefined) body.cache_type = cache;
    const engine = ioEngine(disk, dialect);
    if (engine !== undefined) body.io_engine = engine;
    const limiter = diskRateLimiter(disk);
    if (limiter !== undefined) body.rate_limiter = limiter;
    return { method: 'PUT', path: `/drives/${id}`, body };
  });
}
