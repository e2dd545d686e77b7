// The request bodies each Firecracker version accepts, field for field in the Rust structs'
// declaration order (serde lists fields in that order in "expected one of ..."), with their
// defaults, deny_unknown_fields and the validations done while deserialising.
import type { Profile } from './profile.js';
import {
  bool, checked, checkedHere, dflt, opt, option, path, req, str, struct, u16, u32, u64, u8, unitEnum, usize, value, vec,
  type Schema,
} from './serde-schema.js';

export interface Schemas {
  action: Schema;
  machineConfigPut: Schema;
  machineConfigPatch: Schema;
  bootSource: Schema;
  drive: Schema;
  drivePatch: Schema;
  net: Schema;
  netPatch: Schema;
  vsock: Schema;
  balloon: Schema;
  balloonUpdate: Schema;
  balloonStatsUpdate: Schema;
  logger: Schema;
  metrics: Schema;
  mmdsConfig: Schema;
  mmdsData: Schema;
  snapshotCreate: Schema;
  snapshotLoad: Schema;
  vmState: Schema;
  // v1.16 only
  entropy?: Schema;
  serial?: Schema;
  pmem?: Schema;
  pmemPatch?: Schema;
  hotplugMemory?: Schema;
  hotplugMemoryUpdate?: Schema;
  cpuConfig?: Schema;
  balloonHintingStart?: Schema;
}

export const MAX_SUPPORTED_VCPUS = 32;

export function isValidMac(text: unknown): boolean {
  return typeof text === 'string' && /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(text);
}

export function isValidIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

const mac = checked(str, (v) => (isValidMac(v) ? undefined : 'The provided MAC address is invalid.'));
const ipv4 = checkedHere({ kind: 'string', expecting: 'IPv4 address' }, (v) =>
  typeof v === 'string' && isValidIpv4(v) ? undefined : 'invalid IPv4 address syntax',
);

function tokenBucket(): Schema {
  return struct('TokenBucketConfig', [req('size', u64), opt('one_time_burst', u64), req('refill_time', u64)], false);
}

function rateLimiter(): Schema {
  return struct('RateLimiterConfig', [opt('bandwidth', tokenBucket()), opt('ops', tokenBucket())]);
}

const actionType = unitEnum('FlushMetrics', 'InstanceStart', 'SendCtrlAltDel');
const vmState = struct('Vm', [req('state', unitEnum('Paused', 'Resumed'))]);
const snapshotType = unitEnum('Diff', 'Full');
const cacheType = unitEnum('Unsafe', 'Writeback');
const fileEngine = unitEnum('Async', 'Sync');
const balloonUpdate = struct('BalloonUpdateConfig', [req('amount_mib', u32)]);
const balloonStatsUpdate = struct('BalloonUpdateStatsConfig', [req('stats_polling_interval_s', u16)]);
const metrics = struct('MetricsConfig', [req('metrics_path', path)], false);
const bootSource = struct('BootSourceConfig', [req('kernel_image_path', str), opt('initrd_path', str), opt('boot_args', str)]);
const drivePatch = struct('BlockDeviceUpdateConfig', [req('drive_id', str), opt('path_on_host', str), opt('rate_limiter', rateLimiter())]);
const netPatch = struct('NetworkInterfaceUpdateConfig', [
  req('iface_id', str), opt('rx_rate_limiter', rateLimiter()), opt('tx_rate_limiter', rateLimiter()),
]);

function oldLoggerLevel(): Schema {
  return checked(str, (v) =>
    typeof v === 'string' && ['error', 'warning', 'info', 'debug'].includes(v.toLowerCase())
      ? undefined
      : `unknown variant \`${String(v)}\`, expected one of \`Error\`, \`Warning\`, \`Info\`, \`Debug\``,
  );
}

/** v0.25: every machine-config field optional; `vcpu_count` checked against the maximum. */
function vcpuCount025(): Schema {
  return checked(option(u8), (v) =>
    typeof v === 'number' && v > MAX_SUPPORTED_VCPUS
      ? `invalid value: integer \`${v}\`, expected number of vCPUs exceeds the maximum limitation`
      : undefined,
  );
}

/** v1.3: `vcpu_count` must be 1..=32 already while deserialising. */
function vcpuCount13(of: Schema): Schema {
  return checked(of, (v) => {
    // Rust compares Option<u8>: an explicit null is "less than" Some(1).
    if (v === null) return 'invalid value: vcpu_num, expected number of vCPUs should be larger than 0';
    if (typeof v !== 'number') return undefined;
    if (v > MAX_SUPPORTED_VCPUS) return 'invalid value: vcpu_num, expected number of vCPUs exceeds the maximum limitation';
    if (v < 1) return 'invalid value: vcpu_num, expected number of vCPUs should be larger than 0';
    return undefined;
  });
}

export function schemasFor(profile: Profile): Schemas {
  if (profile.version === '0.25.2') {
    return {
      action: struct('ActionBody', [req('action_type', actionType)]),
      machineConfigPut: struct('VmConfig', [
        dflt('vcpu_count', vcpuCount025(), null),
        opt('mem_size_mib', usize),
        opt('ht_enabled', bool),
        opt('cpu_template', unitEnum('C3', 'T2')),
        dflt('track_dirty_pages', bool, false),
      ]),
      machineConfigPatch: struct('VmConfig', [
        dflt('vcpu_count', vcpuCount025(), null),
        opt('mem_size_mib', usize),
        opt('ht_enabled', bool),
        opt('cpu_template', unitEnum('C3', 'T2')),
        dflt('track_dirty_pages', bool, false),
      ]),
      bootSource,
      drive: struct('BlockDeviceConfig', [
        req('drive_id', str), req('path_on_host', str), req('is_root_device', bool), opt('partuuid', str),
        req('is_read_only', bool), dflt('cache_type', cacheType, 'Unsafe'), opt('rate_limiter', rateLimiter()),
      ]),
      drivePatch,
      net: struct('NetworkInterfaceConfig', [
        req('iface_id', str), req('host_dev_name', str), opt('guest_mac', mac), opt('rx_rate_limiter', rateLimiter()),
        opt('tx_rate_limiter', rateLimiter()), dflt('allow_mmds_requests', bool, false),
      ]),
      netPatch,
      vsock: struct('VsockDeviceConfig', [req('vsock_id', str), req('guest_cid', u32), req('uds_path', str)]),
      balloon: struct('BalloonDeviceConfig', [req('amount_mib', u32), req('deflate_on_oom', bool), dflt('stats_polling_interval_s', u16, 0)]),
      balloonUpdate,
      balloonStatsUpdate,
      logger: struct('LoggerConfig', [
        req('log_path', path), dflt('level', oldLoggerLevel(), 'Warning'), dflt('show_level', bool, false), dflt('show_log_origin', bool, false),
      ]),
      metrics,
      mmdsConfig: struct('MmdsConfig', [opt('ipv4_address', ipv4)]),
      mmdsData: value,
      snapshotCreate: struct('CreateSnapshotParams', [
        dflt('snapshot_type', snapshotType, 'Full'), req('snapshot_path', path), req('mem_file_path', path), opt('version', str),
      ]),
      snapshotLoad: struct('LoadSnapshotParams', [
        req('snapshot_path', path), req('mem_file_path', path), dflt('enable_diff_snapshots', bool, false), dflt('resume_vm', bool, false),
      ]),
      vmState,
    };
  }
  const memBackend = struct('MemBackendConfig', [req('backend_path', path), req('backend_type', unitEnum('File', 'Uffd'))]);
  if (profile.version === '1.3.3') {
    const template = unitEnum('C3', 'T2', 'T2S', 'None', 'T2CL', 'T2A');
    return {
      action: struct('ActionBody', [req('action_type', actionType)]),
      machineConfigPut: struct('VmConfig', [
        req('vcpu_count', vcpuCount13(u8)), req('mem_size_mib', usize), dflt('smt', bool, false),
        dflt('cpu_template', template, 'None'), dflt('track_dirty_pages', bool, false),
      ]),
      machineConfigPatch: struct('VmUpdateConfig', [
        dflt('vcpu_count', vcpuCount13(option(u8)), null), opt('mem_size_mib', usize), dflt('smt', option(bool), null),
        dflt('cpu_template', option(template), null), opt('track_dirty_pages', bool),
      ]),
      bootSource,
      drive: struct('BlockDeviceConfig', [
        req('drive_id', str), req('path_on_host', str), req('is_root_device', bool), opt('partuuid', str),
        req('is_read_only', bool), dflt('cache_type', cacheType, 'Unsafe'), opt('rate_limiter', rateLimiter()),
        dflt('io_engine', fileEngine, 'Sync'),
      ]),
      drivePatch,
      net: struct('NetworkInterfaceConfig', [
        req('iface_id', str), req('host_dev_name', str), opt('guest_mac', mac), opt('rx_rate_limiter', rateLimiter()),
        opt('tx_rate_limiter', rateLimiter()),
      ]),
      netPatch,
      vsock: struct('VsockDeviceConfig', [dflt('vsock_id', option(str), null), req('guest_cid', u32), req('uds_path', str)]),
      balloon: struct('BalloonDeviceConfig', [req('amount_mib', u32), req('deflate_on_oom', bool), dflt('stats_polling_interval_s', u16, 0)]),
      balloonUpdate,
      balloonStatsUpdate,
      logger: struct('LoggerConfig', [
        req('log_path', path), dflt('level', oldLoggerLevel(), 'Warning'), dflt('show_level', bool, false), dflt('show_log_origin', bool, false),
      ]),
      metrics,
      mmdsConfig: struct('MmdsConfig', [dflt('version', unitEnum('V1', 'V2'), 'V1'), req('network_interfaces', vec(str)), opt('ipv4_address', ipv4)]),
      mmdsData: value,
      snapshotCreate: struct('CreateSnapshotParams', [
        dflt('snapshot_type', snapshotType, 'Full'), req('snapshot_path', path), req('mem_file_path', path), opt('version', str),
      ]),
      snapshotLoad: struct('LoadSnapshotConfig', [
        req('snapshot_path', path), opt('mem_file_path', path), opt('mem_backend', memBackend),
        dflt('enable_diff_snapshots', bool, false), dflt('resume_vm', bool, false),
      ]),
      vmState,
    };
  }
  const template = unitEnum('C3', 'T2', 'T2S', 'None', 'T2CL', 'T2A');
  const levelFilter = checked(str, (v) =>
    typeof v === 'string' && ['off', 'trace', 'debug', 'info', 'warn', 'warning', 'error'].includes(v.toLowerCase())
      ? undefined
      : 'Invalid LevelFilter',
  );
  return {
    action: struct('ActionBody', [req('action_type', actionType)]),
    machineConfigPut: struct('MachineConfig', [
      req('vcpu_count', u8), req('mem_size_mib', usize), dflt('smt', bool, false), dflt('cpu_template', option(template), null),
      dflt('track_dirty_pages', bool, false), dflt('huge_pages', unitEnum('None', '2M'), 'None'),
    ]),
    machineConfigPatch: struct('MachineConfigUpdate', [
      dflt('vcpu_count', option(u8), null), dflt('mem_size_mib', option(usize), null), dflt('smt', option(bool), null),
      dflt('cpu_template', option(template), null), dflt('track_dirty_pages', option(bool), null),
      dflt('huge_pages', option(unitEnum('None', '2M')), null),
    ]),
    bootSource,
    drive: struct('BlockDeviceConfig', [
      req('drive_id', str), opt('partuuid', str), req('is_root_device', bool), dflt('cache_type', cacheType, 'Unsafe'),
      opt('is_read_only', bool), opt('path_on_host', str), opt('rate_limiter', rateLimiter()), opt('io_engine', fileEngine),
      opt('socket', str),
    ]),
    drivePatch,
    net: struct('NetworkInterfaceConfig', [
      req('iface_id', str), req('host_dev_name', str), opt('guest_mac', mac), opt('mtu', u16),
      opt('rx_rate_limiter', rateLimiter()), opt('tx_rate_limiter', rateLimiter()),
    ]),
    netPatch,
    vsock: struct('VsockDeviceConfig', [dflt('vsock_id', option(str), null), req('guest_cid', u32), req('uds_path', str)]),
    balloon: struct('BalloonDeviceConfig', [
      req('amount_mib', u32), req('deflate_on_oom', bool), dflt('stats_polling_interval_s', u16, 0),
      dflt('free_page_hinting', bool, false), dflt('free_page_reporting', bool, false),
    ]),
    balloonUpdate,
    balloonStatsUpdate,
    logger: struct('LoggerConfig', [
      opt('log_path', path), opt('level', levelFilter), opt('show_level', bool), opt('show_log_origin', bool), opt('module', str),
    ]),
    metrics,
    mmdsConfig: struct('MmdsConfig', [
      dflt('version', unitEnum('V1', 'V2'), 'V1'), req('network_interfaces', vec(str)), opt('ipv4_address', ipv4),
      dflt('imds_compat', bool, false),
    ]),
    mmdsData: value,
    snapshotCreate: struct('CreateSnapshotParams', [dflt('snapshot_type', snapshotType, 'Full'), req('snapshot_path', path), req('mem_file_path', path)]),
    snapshotLoad: struct('LoadSnapshotConfig', [
      req('snapshot_path', path), opt('mem_file_path', path), opt('mem_backend', memBackend),
      dflt('enable_diff_snapshots', bool, false), dflt('track_dirty_pages', bool, false), dflt('resume_vm', bool, false),
      dflt('network_overrides', vec(struct('NetworkOverride', [req('iface_id', str), req('host_dev_name', str)], false)), []),
      opt('vsock_override', struct('VsockOverride', [req('uds_path', str)], false)),
      dflt('clock_realtime', bool, false),
    ]),
    vmState,
    entropy: struct('EntropyDeviceConfig', [opt('rate_limiter', rateLimiter())]),
    serial: struct('SerialConfig', [opt('serial_out_path', path), opt('rate_limiter', tokenBucket())]),
    pmem: struct('PmemConfig', [
      req('id', str), req('path_on_host', str), dflt('root_device', bool, false), dflt('read_only', bool, false),
      opt('rate_limiter', rateLimiter()),
    ]),
    pmemPatch: struct('PmemDeviceUpdateConfig', [req('id', str), opt('rate_limiter', rateLimiter())]),
    hotplugMemory: struct('MemoryHotplugConfig', [req('total_size_mib', usize), dflt('block_size_mib', usize, 2n), dflt('slot_size_mib', usize, 128n)]),
    hotplugMemoryUpdate: struct('MemoryHotplugSizeUpdate', [req('requested_size_mib', usize)]),
    cpuConfig: struct('CustomCpuTemplate', [
      dflt('kvm_capabilities', vec(value), []), dflt('vcpu_features', vec(value), []), dflt('cpuid_modifiers', vec(value), []),
      dflt('msr_modifiers', vec(value), []), dflt('reg_modifiers', vec(value), []),
    ]),
    balloonHintingStart: struct('StartHintingCmd', [dflt('acknowledge_on_stop', bool, true)], false),
  };
}
