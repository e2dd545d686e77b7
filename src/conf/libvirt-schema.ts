// What libvirt's domain schema knows, per place in the document (from libvirt's
// src/conf/schemas/domaincommon.rng and the features libvirt added since: crypto, pstore,
// throttlegroups). An element or attribute listed here but not read by fcvirt is one libvirt
// knows and Firecracker cannot honour: refused. One not listed is unknown to libvirt: ignored,
// as libvirt does, unless the caller asked for schema validation.

const virtioOptions = ['iommu', 'ats', 'packed', 'page_per_vq'];
const deviceCommon = ['alias', 'address', 'acpi', 'boot'];

const knownChildren: Record<string, readonly string[]> = {
  domain: [
    'name', 'uuid', 'genid', 'title', 'description', 'metadata', 'cpu', 'sysinfo', 'bootloader',
    'bootloader_args', 'os', 'clock', 'memory', 'maxMemory', 'currentMemory', 'memoryBacking',
    'vcpu', 'vcpus', 'iothreads', 'iothreadids', 'defaultiothread', 'blkiotune', 'memtune',
    'cputune', 'numatune', 'resource', 'features', 'on_reboot', 'on_poweroff', 'on_crash',
    'on_lockfailure', 'pm', 'perf', 'idmap', 'devices', 'seclabel', 'keywrap', 'launchSecurity',
    'throttlegroups',
  ],
  devices: [
    'emulator', 'disk', 'controller', 'lease', 'filesystem', 'interface', 'input', 'sound', 'audio',
    'hostdev', 'graphics', 'video', 'console', 'parallel', 'serial', 'channel', 'smartcard', 'hub',
    'redirdev', 'redirfilter', 'rng', 'tpm', 'shmem', 'memory', 'watchdog', 'memballoon', 'nvram',
    'panic', 'iommu', 'vsock', 'crypto', 'pstore',
  ],
  os: [
    'type', 'firmware', 'loader', 'nvram', 'kernel', 'initrd', 'root', 'cmdline', 'dtb', 'shim',
    'boot', 'bootmenu', 'smbios', 'bios', 'acpi', 'init', 'initarg', 'initenv', 'initdir',
    'inituser', 'initgroup',
  ],
  clock: ['timer'],
  disk: [
    'driver', 'mirror', 'auth', 'target', 'backenddomain', 'readonly', 'shareable', 'transient',
    'serial', 'encryption', 'iotune', 'geometry', 'blockio', 'wwn', 'vendor', 'product', 'source',
    'backingStore', 'throttlefilters', ...deviceCommon,
  ],
  'disk/source': ['slices', 'seclabel', 'encryption', 'reservations', 'host', 'auth', 'config', 'snapshot', 'initiator', 'cookies', 'ssl', 'readahead', 'timeout', 'identity', 'reconnect', 'address'],
  'disk/driver': ['metadata_cache', 'iothreads'],
  iotune: [
    'total_bytes_sec', 'read_bytes_sec', 'write_bytes_sec', 'total_iops_sec', 'read_iops_sec',
    'write_iops_sec', 'total_bytes_sec_max', 'read_bytes_sec_max', 'write_bytes_sec_max',
    'total_iops_sec_max', 'read_iops_sec_max', 'write_iops_sec_max', 'size_iops_sec', 'group_name',
    'total_bytes_sec_max_length', 'read_bytes_sec_max_length', 'write_bytes_sec_max_length',
    'total_iops_sec_max_length', 'read_iops_sec_max_length', 'write_iops_sec_max_length',
  ],
  interface: [
    'source', 'virtualport', 'link', 'mtu', 'coalesce', 'target', 'guest', 'mac', 'ip', 'route',
    'script', 'downscript', 'backenddomain', 'model', 'backend', 'driver', 'filterref', 'tune',
    'rom', 'bandwidth', 'vlan', 'port', 'teaming', 'portForward', ...deviceCommon,
  ],
  'interface/source': ['local', 'address', 'reconnect', 'ip', 'route', 'interface', 'vendor', 'product'],
  bandwidth: ['inbound', 'outbound'],
  chardev: ['source', 'protocol', 'log', 'target', ...deviceCommon],
  'chardev/source': ['seclabel', 'clipboard', 'mouse', 'reconnect'],
  'chardev/target': ['model'],
  memballoon: ['stats', 'driver', ...deviceCommon],
  vsock: ['cid', 'driver', ...deviceCommon],
  rng: ['backend', 'driver', 'rate', ...deviceCommon],
  'rng/backend': ['source', 'protocol'],
};

const knownAttributes: Record<string, readonly string[]> = {
  domain: ['type', 'id'],
  memory: ['unit', 'dumpCore'],
  currentMemory: ['unit'],
  vcpu: ['placement', 'cpuset', 'current'],
  os: ['firmware'],
  'os/type': ['arch', 'machine'],
  clock: ['offset', 'adjustment', 'timezone', 'basis', 'start'],
  disk: ['type', 'device', 'model', 'snapshot', 'rawio', 'sgio'],
  'disk/driver': [
    'name', 'type', 'cache', 'error_policy', 'rerror_policy', 'io', 'ioeventfd', 'event_idx',
    'copy_on_read', 'discard', 'iothread', 'detect_zeroes', 'queues', 'queue_size',
    'discard_no_unref', 'statistics', ...virtioOptions,
  ],
  'disk/source': ['file', 'dev', 'dir', 'protocol', 'name', 'query', 'pool', 'volume', 'mode', 'index', 'startupPolicy', 'tls', 'tlsHostname', 'namespace', 'managed', 'type', 'path'],
  'disk/target': ['dev', 'bus', 'tray', 'removable', 'rotation_rate'],
  interface: ['type', 'trustGuestRxFilters', 'managed'],
  'interface/source': ['bridge', 'network', 'portgroup', 'portid', 'dev', 'mode', 'address', 'port', 'name', 'type', 'path', 'switchid', 'connectionid', 'portgroupid', 'missing'],
  'interface/target': ['dev', 'managed'],
  'interface/guest': ['dev', 'actual'],
  'interface/mac': ['address', 'type', 'check'],
  'interface/model': ['type'],
  'bandwidth/rate': ['average', 'peak', 'burst', 'floor'],
  chardev: ['type', 'tty'],
  'chardev/source': ['mode', 'path', 'host', 'service', 'channel', 'master', 'slave', 'append', 'tls'],
  'chardev/target': ['type', 'port', 'name', 'state', 'address'],
  memballoon: ['model', 'autodeflate', 'freePageReporting'],
  'memballoon/stats': ['period'],
  vsock: ['model'],
  'vsock/cid': ['auto', 'address'],
  rng: ['model'],
  'rng/backend': ['model', 'type'],
  'rng/rate': ['bytes', 'period'],
  alias: ['name'],
};

const childSets = new Map<string, ReadonlySet<string>>(
  Object.entries(knownChildren).map(([context, names]) => [context, new Set(names)]),
);
const attributeSets = new Map<string, ReadonlySet<string>>(
  Object.entries(knownAttributes).map(([context, names]) => [context, new Set(names)]),
);

/** True when libvirt's schema allows an element `name` at `context` (e.g. 'devices', 'disk'). */
export function isKnownChild(context: string, name: string): boolean {
  return childSets.get(context)?.has(name) ?? false;
}

/** True when libvirt's schema allows attribute `name` on the element at `context`. */
export function isKnownAttribute(context: string, name: string): boolean {
  return attributeSets.get(context)?.has(name) ?? false;
}

/** Why Firecracker cannot have some libvirt elements, for the refusal message. */
export const unsupportedReasons: Readonly<Record<string, string>> = {
  graphics: 'Firecracker microVMs have no display',
  video: 'Firecracker microVMs have no display',
  input: 'Firecracker microVMs have no input devices',
  sound: 'Firecracker microVMs have no sound devices',
  audio: 'Firecracker microVMs have no sound devices',
  controller: 'Firecracker attaches its virtio devices over MMIO, without controllers',
  hostdev: 'Firecracker has no device passthrough',
  filesystem: 'Firecracker has no shared filesystems',
  channel: 'use <vsock> for host-guest communication',
  parallel: 'Firecracker has only one serial port',
  features: 'Firecracker has a fixed machine model',
  cpu: 'CPU models and templates are not configurable through this driver',
  maxMemory: 'memory hotplug is not supported by this driver',
  iothreads: 'Firecracker manages its own I/O threads',
  cputune: 'vCPU pinning and scheduling are not supported by this driver',
  numatune: 'Firecracker guests have a single NUMA node',
  memoryBacking: 'memory backing options are not supported by this driver',
};
