// PUT /balloon: <memballoon model='virtio'>. The balloon starts inflated by the difference
// between <memory> and <currentMemory>, so the guest starts with its current size.
import type { DomainDef } from '../../conf/domain-def.js';
import { memorySizeMiB } from './machine-config.js';
import type { JsonObject, PlanRequest } from './types.js';

export function planBalloon(def: DomainDef): PlanRequest[] {
  const balloon = def.memballoon;
  if (balloon?.model !== 'virtio') return [];
  const body: JsonObject = {
    amount_mib: Math.max(0, memorySizeMiB(def) - Math.ceil(def.currentMemoryKiB / 1024)),
    deflate_on_oom: balloon.autodeflate ?? false,
  };
  if (balloon.statsPeriod !== undefined) body.stats_polling_interval_s = balloon.statsPeriod;
  return [{ method: 'PUT', path: '/balloon', body }];
}
