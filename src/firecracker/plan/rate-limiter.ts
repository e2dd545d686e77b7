// libvirt's rate limits (<iotune>, <bandwidth>, <rng><rate>) as Firecracker token buckets.
// A bucket holds `size` tokens (bytes or operations) and refills completely every
// `refill_time` ms: its average rate is size / refill_time, its burst capacity is size.
import { VirError } from '../../errors.js';
import type { DiskDef, BandwidthDef, InterfaceDef } from '../../conf/domain-def.js';
import type { JsonObject } from './types.js';

export interface TokenBucketBody extends JsonObject {
  size: number;
  refill_time: number;
}

/**
 * A bucket of `size` tokens refilled at `rate` tokens/s. Firecracker takes whole
 * milliseconds; a refill time of 0 would disable the bucket, so it is at least 1 ms.
 */
export function bucketAtRate(size: number, rate: number): TokenBucketBody {
  return { size, refill_time: Math.max(1, Math.round((size * 1000) / rate)) };
}

/** libvirt's "0 means no limit" (iotune, bandwidth average): undefined for 0 or absent. */
function limit(value: number | undefined): number | undefined {
  return value === undefined || value === 0 ? undefined : value;
}

/**
 * One <iotune> pair (bytes or iops) as a bucket: the average alone → size = average, refilled
 * every second; with a max M for L seconds (default 1) → capacity M×L for the burst, refilled
 * at the average rate. Refused as QEMU refuses them: a max without its average, a max below
 * it, a length without a max.
 */
function ioTuneBucket(disk: DiskDef, name: string, average: number | undefined, max: number | undefined,
  maxLength: number | undefined): TokenBucketBody | undefined {
  const rate = limit(average);
  const burst = limit(max);
  const seconds = limit(maxLength);
  const where = `disk '${disk.target}'`;
  if (seconds !== undefined && burst === undefined) {
    throw new VirError('VIR_ERR_CONFIG_UNSUPPORTED', `${where}: <iotune> ${name}_max_length needs ${name}_max`);
  }
  if (burst === undefined) return rate === undefined ? undefined : { size: rate, refill_time: 1000 };
  if (rate === undefined) {
    throw new VirError('VIR_ERR_CONFIG_UNSUPPORTED',
      `${where}: <iotune> ${name}_max needs ${name}: Firecracker limits a burst only on top of an average rate`);
  }
  if (burst < rate) {
    throw new VirError('VIR_ERR_CONFIG_UNSUPPORTED',
      `${where}: <iotune> ${name}_max (${burst}) cannot be smaller than ${name} (${rate})`);
  }
  return bucketAtRate(burst * (seconds ?? 1), rate);
}

/** A disk's <iotune> as a Firecracker rate_limiter, or undefined when it sets no limit. */
export function diskRateLimiter(disk: DiskDef): JsonObject | undefined {
  const tune = disk.iotune;
  if (tune === undefined) return undefined;
  const bandwidth = ioTuneBucket(disk, 'total_bytes_sec', tune.totalBytesSec, tune.totalBytesSecMax, tune.totalBytesSecMaxLength);
  const ops = ioTuneBucket(disk, 'total_iops_sec', tune.totalIopsSec, tune.totalIopsSecMax, tune.totalIopsSecMaxLength);
  return rateLimiter(bandwidth, ops);
}

/**
 * One direction of an interface's <bandwidth> (average A KiB/s, burst B KiB) as a rate_limiter:
 * capacity B KiB (A KiB when no burst), refilled at exactly A KiB/s. A peak rate is refused:
 * a token bucket caps the average and the burst, not a second, higher rate.
 */
export function bandwidthRateLimiter(iface: InterfaceDef, direction: 'inbound' | 'outbound',
  bandwidth: BandwidthDef | undefined): JsonObject | undefined {
  if (bandwidth === undefined) return undefined;
  if (bandwidth.peak !== undefined) {
    throw new VirError('VIR_ERR_CONFIG_UNSUPPORTED',
      `interface '${describeInterface(iface)}': <bandwidth><${direction} peak='${bandwidth.peak}'> is not supported: ` +
      'Firecracker cannot cap a peak rate separately from the average; use average and burst');
  }
  const average = limit(bandwidth.average);
  if (average === undefined) return undefined;
  const size = (limit(bandwidth.burst) ?? average) * 1024;
  return rateLimiter(bucketAtRate(size, average * 1024), undefined);
}

/** How messages name an interface: its guest name, else its tap, else its MAC. */
export function describeInterface(iface: InterfaceDef): string {
  return iface.guestDev ?? iface.targetDev ?? iface.mac;
}

function rateLimiter(bandwidth: TokenBucketBody | undefined, ops: TokenBucketBody | undefined): JsonObject | undefined {
  if (bandwidth === undefined && ops === undefined) return undefined;
  const body: JsonObject = {};
  if (bandwidth !== undefined) body.bandwidth = bandwidth;
  if (ops !== undefined) body.ops = ops;
  return body;
}
