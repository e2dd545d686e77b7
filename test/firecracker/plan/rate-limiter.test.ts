import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DiskIoTune, InterfaceDef } from '../../../src/conf/domain-def.js';
import { bandwidthRateLimiter, bucketAtRate, diskRateLimiter } from '../../../src/firecracker/plan/rate-limiter.js';
import { disk, ethernet } from '../helpers/domain.js';
import { assertVirError } from '../helpers/assertions.js';

const tune = (iotune: DiskIoTune): unknown => diskRateLimiter(disk('vda', { iotune }));

test('an average alone is a bucket of one second\'s worth, refilled every second', () => {
  assert.deepEqual(tune({ totalBytesSec: 1000000 }), { bandwidth: { size: 1000000, refill_time: 1000 } });
  assert.deepEqual(tune({ totalIopsSec: 200 }), { ops: { size: 200, refill_time: 1000 } });
});

test('a max holds the burst (max × length) and refills at the average rate', () => {
  // 10 MB/s average, bursts of 50 MB/s for 3 s: 150 MB of capacity, refilled in 15 s.
  assert.deepEqual(tune({ totalBytesSec: 10000000, totalBytesSecMax: 50000000, totalBytesSecMaxLength: 3 }),
    { bandwidth: { size: 150000000, refill_time: 15000 } });
  // Length defaults to one second.
  assert.deepEqual(tune({ totalIopsSec: 300, totalIopsSecMax: 1000 }), { ops: { size: 1000, refill_time: 3333 } });
  // The refill time is rounded to the nearest millisecond.
  assert.deepEqual(tune({ totalIopsSec: 3, totalIopsSecMax: 5 }), { ops: { size: 5, refill_time: 1667 } });
});

test('0 means no limit, as in libvirt', () => {
  assert.equal(tune({ totalBytesSec: 0, totalIopsSec: 0 }), undefined);
  assert.deepEqual(tune({ totalBytesSec: 0, totalIopsSec: 7 }), { ops: { size: 7, refill_time: 1000 } });
});

test('iotune refusals: max without average, max below average, length without max', () => {
  assertVirError(() => tune({ totalBytesSecMax: 100 }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: disk \'vda\': <iotune> total_bytes_sec_max needs total_bytes_sec: ' +
    'Firecracker limits a burst only on top of an average rate');
  assertVirError(() => tune({ totalIopsSecMax: 100, totalIopsSecMaxLength: 2 }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: disk \'vda\': <iotune> total_iops_sec_max needs total_iops_sec: ' +
    'Firecracker limits a burst only on top of an average rate');
  assertVirError(() => tune({ totalBytesSec: 100, totalBytesSecMax: 50 }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: disk \'vda\': <iotune> total_bytes_sec_max (50) cannot be smaller than total_bytes_sec (100)');
  assertVirError(() => tune({ totalIopsSec: 100, totalIopsSecMaxLength: 5 }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    'unsupported configuration: disk \'vda\': <iotune> total_iops_sec_max_length needs total_iops_sec_max');
});

const iface: InterfaceDef = ethernet('tap0', 'eth0');

test('bandwidth: average A KiB/s alone is A KiB refilled every second', () => {
  assert.deepEqual(bandwidthRateLimiter(iface, 'inbound', { average: 1000 }), { bandwidth: { size: 1024000, refill_time: 1000 } });
});

test('bandwidth: a burst B KiB is the capacity, refilled at exactly A KiB/s', () => {
  assert.deepEqual(bandwidthRateLimiter(iface, 'outbound', { average: 1000, burst: 4000 }), { bandwidth: { size: 4096000, refill_time: 4000 } });
  assert.deepEqual(bandwidthRateLimiter(iface, 'outbound', { average: 3000, burst: 1000 }), { bandwidth: { size: 1024000, refill_time: 333 } });
});

test('bandwidth: average 0 means no limit, as in libvirt', () => {
  assert.equal(bandwidthRateLimiter(iface, 'inbound', { average: 0, burst: 10 }), undefined);
  assert.equal(bandwidthRateLimiter(iface, 'inbound', undefined), undefined);
});

test('bandwidth: a peak rate is refused, naming the interface and direction', () => {
  assertVirError(() => bandwidthRateLimiter(iface, 'inbound', { average: 1000, peak: 2000 }), 'VIR_ERR_CONFIG_UNSUPPORTED',
    "unsupported configuration: interface 'eth0': <bandwidth><inbound peak='2000'> is not supported: " +
    'Firecracker cannot cap a peak rate separately from the average; use average and burst');
});

test('a refill time never rounds down to 0, which would disable the bucket', () => {
  assert.deepEqual(bucketAtRate(1, 1000000), { size: 1, refill_time: 1 });
});
