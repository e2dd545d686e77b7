// PUT /network-interfaces/{id}: one request per <interface>. The guest's kernel names the
// devices eth0, eth1, … in attach order, so <guest dev> decides the order: interfaces with a
// guest name in natural order (eth2 < eth10), then those without, in document order.
import { VirError } from '../../errors.js';
import type { DomainDef, InterfaceDef } from '../../conf/domain-def.js';
import { compareNatural, inOrder } from './device-order.js';
import { bandwidthRateLimiter, describeInterface } from './rate-limiter.js';
import { ResourceIdAllocator } from './resource-ids.js';
import type { JsonObject, PlanRequest } from './types.js';

export interface AttachedInterface {
  iface: InterfaceDef;
  /** The iface_id: the <guest dev> made a valid id, else net<N> (N the attach index). */
  ifaceId: string;
}

function byGuestName(a: InterfaceDef, b: InterfaceDef): number {
  return compareNatural(a.guestDev ?? '', b.guestDev ?? '');
}

export function interfacesInAttachOrder(def: DomainDef): AttachedInterface[] {
  const named: InterfaceDef[] = [];
  const unnamed: InterfaceDef[] = [];
  for (const iface of def.interfaces) (iface.guestDev === undefined ? unnamed : named).push(iface);
  // Array.prototype.sort is stable: equal names keep document order. They usually come in
  // order already, and then there is nothing to sort.
  if (!inOrder(named, byGuestName)) named.sort(byGuestName);
  const ids = new ResourceIdAllocator();
  const attached: AttachedInterface[] = [];
  for (const iface of named) attached.push({ iface, ifaceId: ids.allocate(iface.guestDev ?? `net${attached.length}`) });
  for (const iface of unnamed) attached.push({ iface, ifaceId: ids.allocate(iface.guestDev ?? `net${attached.length}`) });
  return attached;
}

/**
 * `allowMmds` lists the iface ids that get v0.25's `allow_mmds_requests` (later versions
 * name them in PUT /mmds/config instead).
 */
export function planInterfaces(attached: AttachedInterface[], allowMmds: ReadonlySet<string>): PlanRequest[] {
  return attached.map(({ iface, ifaceId }) => {
    if (iface.targetDev === undefined) {
      throw new VirError('VIR_ERR_INTERNAL_ERROR',
        `interface '${describeInterface(iface)}' has no tap name: the driver must name its tap (<target dev>) before planning`);
    }
    const body: JsonObject = { iface_id: ifaceId, host_dev_name: iface.targetDev, guest_mac: iface.mac };
    // libvirt's inbound is traffic to the guest: what the guest receives (rx).
    const rx = bandwidthRateLimiter(iface, 'inbound', iface.inbound);
    if (rx !== undefined) body.rx_rate_limiter = rx;
    const tx = bandwidthRateLimiter(iface, 'outbound', iface.outbound);
    if (tx !== undefined) body.tx_rate_limiter = tx;
    if (allowMmds.has(ifaceId)) body.allow_mmds_requests = true;
    return { method: 'PUT', path: `/network-interfaces/${ifaceId}`, body };
  });
}
