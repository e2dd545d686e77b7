// buildPlan: a DomainDef becomes the ordered Firecracker API requests that configure and start
// it, for one Firecracker version. Pure: no I/O; the driver supplies paths, tap names and CIDs.
import type { DomainDef } from '../../conf/domain-def.js';
import type { FirecrackerVersion } from '../version.js';
import { planBalloon } from './balloon.js';
import { planBootSource } from './boot-source.js';
import { dialectFor } from './dialect.js';
import { planDrives } from './drives.js';
import { planEntropy } from './entropy.js';
import { planLogging } from './logging.js';
import { planMachineConfig } from './machine-config.js';
import { interfacesAllowingMmds, planMmds } from './mmds.js';
import { interfacesInAttachOrder, planInterfaces } from './network.js';
import type { PlanPaths, PlanRequest } from './types.js';
import { planVsock } from './vsock.js';

export type { JsonObject, JsonValue, PlanPaths, PlanRequest } from './types.js';
export { dialectFor, featureSince, type Dialect, type Feature } from './dialect.js';
export { withPlanDefaults } from './defaults.js';

/**
 * The requests, in order: logger, metrics, machine-config, boot-source, drives, network
 * interfaces, MMDS config and data (they need the interfaces), balloon, vsock, entropy, and
 * InstanceStart last. Refuses (VirError) what this version of Firecracker cannot do.
 */
export function buildPlan(def: DomainDef, version: FirecrackerVersion, paths: PlanPaths): PlanRequest[] {
  const dialect = dialectFor(version);
  const attached = interfacesInAttachOrder(def);
  const requests = planLogging(paths);
  requests.push(planMachineConfig(def, dialect), planBootSource(def));
  requests.push(...planDrives(def, dialect));
  requests.push(...planInterfaces(attached, interfacesAllowingMmds(def, dialect, attached)));
  requests.push(...planMmds(def, dialect, attached), ...planBalloon(def), ...planVsock(def, dialect, paths));
  requests.push(...planEntropy(def, dialect), { method: 'PUT', path: '/actions', body: { action_type: 'InstanceStart' } });
  return requests;
}
