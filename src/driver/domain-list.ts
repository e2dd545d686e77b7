// The driver's domains, found by uuid, name or id, with libvirt's rules for adding a
// definition (virDomainObjListAdd): a uuid belongs to one name and a name to one uuid.

import { DomainState, ListDomainsFlags } from '../api/constants.js';
import { VirError } from '../errors.js';
import type { DomainDef } from '../conf/domain-def.js';
import { DomainObject } from './domain-object.js';

export class DomainList {
  private readonly byUuid = new Map<string, DomainObject>();
  private readonly byName = new Map<string, DomainObject>();

  get size(): number {
    return this.byUuid.size;
  }

  all(): DomainObject[] {
    return [...this.byUuid.values()];
  }

  findByUuid(uuid: string): DomainObject | undefined {
    // Keys are dashed lowercase, as uuids arrive from the protocol and the API's own handles.
    return this.byUuid.get(uuid) ?? this.byUuid.get(normaliseUuid(uuid));
  }

  findByName(name: string): DomainObject | undefined {
    return this.byName.get(name);
  }

  findById(id: number): DomainObject | undefined {
    if (id < 0) return undefined;
    for (const domain of this.byUuid.values()) {
      if (domain.id === id) return domain;
    }
    return undefined;
  }

  /**
   * The domain a new definition would update, or undefined when it is new. Refuses a uuid
   * known under another name and a name known under another uuid, with libvirt's words;
   * with `refuseActive` (createXML), also a domain that is already running.
   */
  findForDefinition(def: DomainDef, refuseActive: boolean): DomainObject | undefined {
    const sameUuid = this.byUuid.get(def.uuid);
    if (sameUuid !== undefined) {
      if (sameUuid.name !== def.name) {
        throw new VirError('VIR_ERR_OPERATION_FAILED', `domain '${sameUuid.name}' is already defined with uuid ${sameUuid.uuid}`);
      }
      if (refuseActive && sameUuid.isActive()) {
        throw new VirError('VIR_ERR_OPERATION_INVALID', `domain '${sameUuid.name}' is already active`);
      }
      return sameUuid;
    }
    const sameName = this.byName.get(def.name);
    if (sameName !== undefined) {
      throw new VirError('VIR_ERR_OPERATION_FAILED', `domain '${def.name}' already exists with uuid ${sameName.uuid}`);
    }
    return undefined;
  }

  /** Adds a new domain; the caller checked with findForDefinition first. */
  add(def: DomainDef, persistent: boolean): DomainObject {
    if (this.byUuid.has(def.uuid) || this.byName.has(def.name)) {
      throw new VirError('VIR_ERR_INTERNAL_ERROR', `domain '${def.name}' (${def.uuid}) is already in the domain list`);
    }
    const domain = new DomainObject(def, persistent);
    this.byUuid.set(def.uuid, domain);
    this.byName.set(def.name, domain);
    return domain;
  }

  remove(domain: DomainObject): void {
    if (this.byUuid.get(domain.uuid) === domain) this.byUuid.delete(domain.uuid);
    if (this.byName.get(domain.name) === domain) this.byName.delete(domain.name);
    domain.removed = true;
  }
}

/** Dashed lowercase, from a uuid written dashed or not; unchanged when it is not a uuid. */
export function normaliseUuid(uuid: string): string {
  const hex = uuid.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) return uuid;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** virConnectListAllDomains' filters, as libvirt's virDomainObjMatchFilter applies them. */
export function matchesListFlags(domain: DomainObject, flags: number): boolean {
  const F = ListDomainsFlags;
  const group = (a: number, b: number, isA: boolean): boolean => {
    if ((flags & (a | b)) === 0 || (flags & (a | b)) === (a | b)) return true;
    return (flags & a) !== 0 ? isA : !isA;
  };
  if (!group(F.ACTIVE, F.INACTIVE, domain.isActive())) return false;
  if (!group(F.PERSISTENT, F.TRANSIENT, domain.persistent)) return false;
  if ((flags & (F.RUNNING | F.PAUSED | F.SHUTOFF | F.OTHER)) !== 0) {
    const state = domain.state;
    const matches = ((flags & F.RUNNING) !== 0 && state === DomainState.RUNNING)
      || ((flags & F.PAUSED) !== 0 && state === DomainState.PAUSED)
      || ((flags & F.SHUTOFF) !== 0 && state === DomainState.SHUTOFF)
      || ((flags & F.OTHER) !== 0 && state !== DomainState.RUNNING && state !== DomainState.PAUSED && state !== DomainState.SHUTOFF);
    if (!matches) return false;
  }
  // fcvirt has no managed save, snapshots nor checkpoints.
  if ((flags & F.MANAGEDSAVE) !== 0 && (flags & F.NO_MANAGEDSAVE) === 0) return false;
  if (!group(F.AUTOSTART, F.NO_AUTOSTART, domain.autostart)) return false;
  if ((flags & F.HAS_SNAPSHOT) !== 0 && (flags & F.NO_SNAPSHOT) === 0) return false;
  if ((flags & F.HAS_CHECKPOINT) !== 0 && (flags & F.NO_CHECKPOINT) === 0) return false;
  return true;
}
