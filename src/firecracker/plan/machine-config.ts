// PUT /machine-config: vCPUs and memory.
import type { DomainDef } from '../../conf/domain-def.js';
import type { Dialect } from './dialect.js';
import type { JsonObject, PlanRequest } from './types.js';

/** Firecracker sizes guest memory in whole MiB; a domain's KiB round up so the guest gets no less. */
export function memorySizeMiB(def: DomainDef): number {
  return Math.ceil(def.memoryKiB / 1024);
}

export function planMachineConfig(def: DomainDef, dialect: Dialect): PlanRequest {
  // SMT stays off: Firecracker's default, and the only value aarch64 allows. v0.25 insists on
  // being told (ht_enabled is mandatory there); v1.x renamed it and rejects the old name.
  const body: JsonObject = { vcpu_count: def.vcpus, mem_size_mib: memorySizeMiB(def) };
  body[dialect.has('smt') ? 'smt' : 'ht_enabled'] = false;
  return { method: 'PUT', path: '/machine-config', body };
}
