// PUT /entropy: <rng model='virtio'>, Firecracker ≥ 1.4.0. Firecracker's device draws from
// the host kernel's CSPRNG (through its crypto library), whatever <backend> names; /dev/random
// and /dev/urandom are that same source, any other device it cannot read.
import { VirError } from '../../errors.js';
import type { DomainDef } from '../../conf/domain-def.js';
import type { Dialect } from './dialect.js';
import type { JsonObject, PlanRequest } from './types.js';

const KERNEL_RANDOM_SOURCES = new Set(['/dev/urandom', '/dev/random']);

export function planEntropy(def: DomainDef, dialect: Dialect): PlanRequest[] {
  const { rng } = def;
  if (rng === undefined) return [];
  dialect.require('entropy', '<rng>');
  if (rng.backendPath !== undefined && !KERNEL_RANDOM_SOURCES.has(rng.backendPath)) {
    throw new VirError('VIR_ERR_CONFIG_UNSUPPORTED',
      `<rng> <backend model='random'>${rng.backendPath}</backend> is not supported: Firecracker's entropy device ` +
      'draws from the host kernel\'s random source; use /dev/urandom or <backend model=\'builtin\'/>');
  }
  const body: JsonObject = {};
  if (rng.rateBytes !== undefined && rng.rateBytes > 0) {
    body.rate_limiter = { bandwidth: { size: rng.rateBytes, refill_time: rng.ratePeriodMs ?? 1000 } };
  }
  return [{ method: 'PUT', path: '/entropy', body }];
}
