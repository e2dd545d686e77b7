// The microVM metadata service (<fc:mmds>): which interfaces reach it, at which address, with
// which protocol version, and its initial content. v1.x names the interfaces in
// PUT /mmds/config; v0.25 marks each interface (allow_mmds_requests) and knows only V1.
import { VirError } from '../../errors.js';
import type { DomainDef, MmdsDef } from '../../conf/domain-def.js';
import type { Dialect } from './dialect.js';
import type { AttachedInterface } from './network.js';
import type { JsonObject, JsonValue, PlanRequest } from './types.js';

/** The iface ids of the interfaces <fc:mmds> lists, in its order. */
export function mmdsInterfaceIds(mmds: MmdsDef, attached: AttachedInterface[]): string[] {
  if (mmds.interfaces.length === 0) {
    throw new VirError('VIR_ERR_XML_ERROR', '<fc:mmds> lists no interface: add <fc:interface dev=\'…\'/> naming an interface\'s <guest dev>');
  }
  return mmds.interfaces.map((guestDev) => {
    const found = attached.find(({ iface }) => iface.guestDev === guestDev);
    if (found === undefined) {
      throw new VirError('VIR_ERR_XML_ERROR',
        `<fc:interface dev='${guestDev}'> in <fc:mmds> names no interface: no <interface> has <guest dev='${guestDev}'>`);
    }
    return found.ifaceId;
  });
}

const noInterfaces: ReadonlySet<string> = new Set();

/** The iface ids that carry v0.25's allow_mmds_requests (none on v1.x). */
export function interfacesAllowingMmds(def: DomainDef, dialect: Dialect, attached: AttachedInterface[]): ReadonlySet<string> {
  if (def.mmds === undefined || dialect.has('mmdsConfigInterfaces')) return noInterfaces;
  return new Set(mmdsInterfaceIds(def.mmds, attached));
}

// Firecracker accepts only a link-local address (169.254.0.0/16) for MMDS.
function checkAddress(address: string): void {
  if (!/^169\.254\.(\d{1,3})\.(\d{1,3})$/.test(address) || address.split('.').some((part) => Number(part) > 255)) {
    throw new VirError('VIR_ERR_CONFIG_UNSUPPORTED',
      `<fc:mmds address='${address}'> is not supported: Firecracker serves MMDS only on a link-local IPv4 address (169.254.0.0/16)`);
  }
}

function mmdsData(text: string): JsonObject {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new VirError('VIR_ERR_XML_ERROR', `<fc:data> in <fc:mmds> is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  // The store is a tree the guest walks by path: its root must be an object.
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new VirError('VIR_ERR_CONFIG_UNSUPPORTED', '<fc:data> in <fc:mmds> must hold a JSON object: it is the root of the metadata tree');
  }
  return data as { [key: string]: JsonValue };
}

export function planMmds(def: DomainDef, dialect: Dialect, attached: AttachedInterface[]): PlanRequest[] {
  const { mmds } = def;
  if (mmds === undefined) return [];
  if (mmds.address !== undefined) checkAddress(mmds.address);
  const requests: PlanRequest[] = [];
  if (dialect.has('mmdsConfigInterfaces')) {
    const body: JsonObject = { network_interfaces: mmdsInterfaceIds(mmds, attached), version: mmds.version };
    if (mmds.address !== undefined) body.ipv4_address = mmds.address;
    requests.push({ method: 'PUT', path: '/mmds/config', body });
  } else {
    if (mmds.version === 'V2') dialect.require('mmdsConfigInterfaces', "<fc:mmds version='V2'>");
    if (mmds.address !== undefined) requests.push({ method: 'PUT', path: '/mmds/config', body: { ipv4_address: mmds.address } });
  }
  if (mmds.data !== undefined) requests.push({ method: 'PUT', path: '/mmds', body: mmdsData(mmds.data) });
  return requests;
}
