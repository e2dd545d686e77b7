// What the driver decides at start, as `fcvirt plan` assumes it: tap names for bridge
// interfaces and a CID for an auto vsock. The driver replaces these with its own choices (free
// tap names, free CIDs). Paths are the driver's too (driver/paths.ts: planPaths).
import type { DomainDef } from '../../conf/domain-def.js';
import { interfacesInAttachOrder } from './network.js';

/** The first CID a guest may have (0–2 are reserved: hypervisor, local, host). */
const FIRST_GUEST_CID = 3;

/**
 * `def` with what the driver fills in before planning: bridge interfaces without a
 * <target dev> get fctap0, fctap1, … in attach order (skipping names the domain already uses),
 * and a vsock without a CID gets 3. A copy when anything is filled in; `def` is never changed.
 */
export function withPlanDefaults(def: DomainDef): DomainDef {
  const needsTap = def.interfaces.some((iface) => iface.type === 'bridge' && iface.targetDev === undefined);
  const needsCid = def.vsock !== undefined && def.vsock.cid === undefined;
  // Nothing to fill in (the common case): the def itself, as nothing is changed.
  if (!needsTap && !needsCid) return def;
  const used = new Set(def.interfaces.flatMap((iface) => (iface.targetDev === undefined ? [] : [iface.targetDev])));
  const tapNames = new Map<object, string>();
  let next = 0;
  for (const { iface } of interfacesInAttachOrder(def)) {
    if (iface.type !== 'bridge' || iface.targetDev !== undefined) continue;
    while (used.has(`fctap${next}`)) next++;
    tapNames.set(iface, `fctap${next}`);
    used.add(`fctap${next}`);
  }
  const interfaces = def.interfaces.map((iface) => {
    const tap = tapNames.get(iface);
    return tap === undefined ? iface : { ...iface, targetDev: tap };
  });
  const vsock = def.vsock === undefined || def.vsock.cid !== undefined ? def.vsock : { ...def.vsock, cid: FIRST_GUEST_CID };
  return { ...def, interfaces, ...(vsock === undefined ? {} : { vsock }) };
}
