// PUT /vsock: <vsock model='virtio'>. The guest's CID and the host socket path come from the
// driver (it assigns CIDs that are auto and decides where sockets live).
import { VirError } from '../../errors.js';
import type { DomainDef } from '../../conf/domain-def.js';
import type { Dialect } from './dialect.js';
import type { JsonObject, PlanPaths, PlanRequest } from './types.js';

export function planVsock(def: DomainDef, dialect: Dialect, paths: PlanPaths): PlanRequest[] {
  const { vsock } = def;
  if (vsock === undefined) return [];
  if (vsock.cid === undefined) {
    throw new VirError('VIR_ERR_INTERNAL_ERROR', '<vsock> has no guest CID: the driver must assign one (<cid auto=\'yes\'>) before planning');
  }
  if (paths.vsockUdsPath === undefined) {
    throw new VirError('VIR_ERR_INTERNAL_ERROR', '<vsock> has no host socket path: the driver must give one (vsockUdsPath) before planning');
  }
  // v0.25 requires vsock_id; v1.x deprecated it, so it is left out there.
  const body: JsonObject = dialect.has('vsockIdOptional') ? {} : { vsock_id: 'vsock0' };
  body.guest_cid = vsock.cid;
  body.uds_path = paths.vsockUdsPath;
  return [{ method: 'PUT', path: '/vsock', body }];
}
