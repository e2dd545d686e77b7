// Firecracker's error texts per version. v1.16 wraps most of them in the name of the failed
// action ("Drive config error: ..."); v0.25 and v1.3 print the inner error alone, with a few
// exceptions of their own ("Load microVM snapshot error: ...", "Internal Vmm error: ...").
import type { OsError } from './os-error.js';
import type { Profile } from './profile.js';

/** VmmActionError variants, named as in rpc_interface.rs. */
export type ActionErrorKind =
  | 'BalloonConfig'
  | 'BalloonUpdate'
  | 'BootSource'
  | 'CreateSnapshot'
  | 'DriveConfig'
  | 'EntropyConfig'
  | 'PmemConfig'
  | 'MemoryHotplugConfig'
  | 'MemoryHotplugUpdate'
  | 'InternalVmm'
  | 'LoadSnapshot'
  | 'Logger'
  | 'MachineConfig'
  | 'Metrics'
  | 'Mmds'
  | 'MmdsConfig'
  | 'MmdsLimitExceeded'
  | 'NetworkConfig'
  | 'NotSupported'
  | 'StartMicrovm'
  | 'VsockConfig';

const MODERN_PREFIX: Record<ActionErrorKind, string> = {
  BalloonConfig: 'Balloon config error: ',
  BalloonUpdate: 'Balloon update error: ',
  BootSource: 'Boot source error: ',
  CreateSnapshot: 'Create snapshot error: ',
  DriveConfig: 'Drive config error: ',
  EntropyConfig: 'Entropy config error: ',
  PmemConfig: 'Pmem config error: ',
  MemoryHotplugConfig: 'Memory hotplug config error: ',
  MemoryHotplugUpdate: 'Memory hotplug update error: ',
  InternalVmm: 'Internal VMM error: ',
  LoadSnapshot: 'Load snapshot error: ',
  Logger: 'Logger error: ',
  MachineConfig: 'Machine config error: ',
  Metrics: 'Metrics error: ',
  Mmds: 'MMDS error: ',
  MmdsConfig: 'MMMDS config error: ',
  MmdsLimitExceeded: 'MMDS limit exceeded error: ',
  NetworkConfig: 'Network config error: ',
  NotSupported: 'The requested operation is not supported: ',
  StartMicrovm: 'Start microvm error: ',
  VsockConfig: 'Vsock config error: ',
};

const OLD_PREFIX: Partial<Record<ActionErrorKind, string>> = {
  InternalVmm: 'Internal Vmm error: ',
  LoadSnapshot: 'Load microVM snapshot error: ',
  NotSupported: 'The requested operation is not supported: ',
};

/** A VmmActionError: the fault_message and the HTTP status it is sent with. */
export class ActionError extends Error {
  constructor(
    readonly text: string,
    readonly status = 400,
  ) {
    super(text);
  }
}

export const POST_BOOT = 'The requested operation is not supported after starting the microVM.';
export const PRE_BOOT = 'The requested operation is not supported before starting the microVM.';

export class Texts {
  constructor(readonly profile: Profile) {}

  get modern(): boolean {
    return this.profile.modern;
  }

  /** Wraps an inner error text the way VmmActionError's Display does in this version. */
  action(kind: ActionErrorKind, inner: string): ActionError {
    const prefix = this.modern ? MODERN_PREFIX[kind] : (OLD_PREFIX[kind] ?? '');
    return new ActionError(prefix + inner, kind === 'MmdsLimitExceeded' && this.modern ? 413 : 400);
  }

  postBoot(): ActionError {
    return new ActionError(POST_BOOT);
  }

  preBoot(): ActionError {
    return new ActionError(PRE_BOOT);
  }

  // Machine configuration.
  invalidVcpuCount(): ActionError {
    if (this.modern) {
      return this.action('MachineConfig', 'The number of vCPUs must be greater than 0, less than 32 and must be 1 or an even number if SMT is enabled.');
    }
    const what = this.profile.v1 ? 'SMT' : 'hyperthreading';
    return this.action('MachineConfig', `The vCPU number is invalid! The vCPU number can only be 1 or an even number when ${what} is enabled.`);
  }

  invalidMemorySize(): ActionError {
    return this.action(
      'MachineConfig',
      this.modern ? 'The memory size (MiB) is either 0, or not a multiple of the configured page size.' : 'The memory size (MiB) is invalid.',
    );
  }

  incompatibleBalloonSize(): ActionError {
    return this.action('MachineConfig', 'The memory size (MiB) is smaller than the previously set balloon device target size.');
  }

  // Boot source.
  kernelPath(err: OsError): ActionError {
    return this.action('BootSource', `The kernel file cannot be opened: ${err.display()}`);
  }

  initrdPath(err: OsError): ActionError {
    return this.action('BootSource', `The initrd file cannot be opened due to invalid path or invalid permissions. ${err.display()}`);
  }

  missingKernel(): ActionError {
    return this.action('StartMicrovm', 'Cannot start microvm without kernel configuration.');
  }

  // Drives.
  rootAlreadyAdded(): ActionError {
    return this.action('DriveConfig', 'A root block device already exists!');
  }

  driveMissingPath(path: string, err: OsError): ActionError {
    if (this.modern) return this.driveBackingFile(path, err);
    if (this.profile.v1) return this.action('DriveConfig', `Invalid block device path: ${path}`);
    return this.action('DriveConfig', 'Invalid block device path!');
  }

  driveBackingFile(path: string, err: OsError): ActionError {
    if (this.modern) {
      return this.action('DriveConfig', `Unable to create the virtio block device: Virtio backend error: Error manipulating the backing file: ${err.display()} ${path}`);
    }
    if (this.profile.v1) {
      return this.action('DriveConfig', `Unable to create the block device: BackingFile(${err.debug()}, ${JSON.stringify(path)})`);
    }
    return this.action(
      'DriveConfig',
      `Unable to seek the block device backing file due to invalid permissions or the file was corrupted. Error number: ${err.display()}`,
    );
  }

  driveInvalidConfig(): ActionError {
    return this.action('DriveConfig', 'Unable to create the virtio block device: Invalid block config.');
  }

  driveUpdate(inner: string): ActionError {
    if (this.modern) return this.action('DriveConfig', `Unable to patch the block device: ${inner} Please verify the request arguments.`);
    if (this.profile.v1) return this.action('DriveConfig', `Unable to patch the block device: ${inner}`);
    return this.action('DriveConfig', `Error during drive update (patch): ${inner}`);
  }

  deviceNotFound(): string {
    return this.modern ? 'Failed perform action on device: Device not found' : "the device couldn't be found";
  }

  // Network.
  macInUse(mac: string): ActionError {
    return this.action('NetworkConfig', this.profile.v1 ? `The MAC address is already in use: ${mac}` : `The guest MAC address ${mac} is already in use.`);
  }

  tapInvalidName(): ActionError {
    return this.action(
      'NetworkConfig',
      this.profile.v1 ? 'Could not create the network device: Open tap device failed: Invalid interface name' : 'Could not create Network Device: TapOpen(InvalidIfname)',
    );
  }

  tapIoctl(name: string, err: OsError): ActionError {
    if (this.profile.v1) {
      return this.action(
        'NetworkConfig',
        `Could not create the network device: Open tap device failed: Error while creating ifreq structure: ${err.display()}. Invalid TUN/TAP Backend provided by ${name}. Check our documentation on setting up the network devices.`,
      );
    }
    return this.action('NetworkConfig', `Could not create Network Device: TapOpen(IoctlError(${err.debug()}))`);
  }

  invalidMtu(mtu: number): ActionError {
    return this.action('NetworkConfig', `Could not create the network device: MTU ${mtu} is out of range [68, 65535]`);
  }

  netUpdate(inner: string): ActionError {
    if (this.profile.v1) return this.action('NetworkConfig', `Unable to update the net device: ${inner}`);
    return this.action('NetworkConfig', `Error during interface update (patch): ${inner}`);
  }

  // Vsock.
  vsockBind(err: OsError): ActionError {
    if (this.modern) return this.action('VsockConfig', `Cannot create backend for vsock device: Error binding to the host-side Unix socket: ${err.display()}`);
    return this.action('VsockConfig', `Cannot create backend for vsock device: UnixBind(${err.debug()})`);
  }

  // Balloon.
  balloonNotFound(runtime: boolean): ActionError {
    if (this.modern && runtime) return this.action('InternalVmm', this.deviceNotFound());
    return this.action('BalloonConfig', 'No balloon device found.');
  }

  balloonTooManyPages(runtime: boolean): ActionError {
    if (this.modern) {
      return runtime ? this.action('BalloonUpdate', 'Balloon: Amount of pages requested cannot be greater than the guest memory size.') : this.action('BalloonConfig', 'Amount of pages requested is too large.');
    }
    return this.action('BalloonConfig', 'Amount of pages requested is too large.');
  }

  balloonStatsDisabled(): ActionError {
    if (this.modern) return this.action('InternalVmm', 'Balloon: Received stats query when stats are disabled.');
    return this.action('BalloonConfig', 'Statistics for the balloon device are not enabled');
  }

  balloonStatsChange(): ActionError {
    if (this.modern) return this.action('BalloonUpdate', 'Balloon: Statistics cannot be enabled/disabled after activation.');
    return this.action('BalloonConfig', 'Cannot enable/disable the statistics after boot.');
  }

  // Logger and metrics.
  loggerOpen(err: OsError): ActionError {
    return this.action('Logger', this.modern ? `Failed to open target file: ${err.display()}` : err.display());
  }

  loggerReinit(): ActionError {
    return this.action('Logger', 'Logger initialization failure: The component is already initialized.');
  }

  metricsOpen(err: OsError): ActionError {
    return this.action('Metrics', err.display());
  }

  metricsReinit(): ActionError {
    return this.action('Metrics', 'Reinitialization of metrics not allowed.');
  }

  // MMDS.
  mmdsNotInitialized(): ActionError {
    return this.action('Mmds', 'The MMDS data store is not initialized.');
  }

  mmdsTooBig(): ActionError {
    return this.action('MmdsLimitExceeded', "The MMDS patch request doesn't fit.");
  }

  mmdsEmptyIfaceList(): ActionError {
    return this.action('MmdsConfig', 'The list of network interface IDs that allow forwarding MMDS requests is empty.');
  }

  mmdsUnknownIface(): ActionError {
    return this.action(
      'MmdsConfig',
      'The list of network interface IDs provided contains at least one ID that does not correspond to any existing network interface.',
    );
  }

  mmdsNotLinkLocal(): ActionError {
    return this.action('MmdsConfig', 'The MMDS IPv4 address is not link local.');
  }

  // Snapshots.
  snapshotWhileRunning(): ActionError {
    return this.action('CreateSnapshot', 'Cannot save the microVM state: Operation not allowed: save/restore unavailable while running');
  }

  diffWithoutTracking(): ActionError {
    return this.action('NotSupported', 'Diff snapshots are not allowed on uVMs with dirty page tracking disabled.');
  }

  snapshotVersionFormat(): ActionError {
    return this.action('CreateSnapshot', 'Invalid microVM version format');
  }

  snapshotVersionUnsupported(): ActionError {
    return this.action('CreateSnapshot', 'Cannot translate microVM version to snapshot data version');
  }

  snapshotFile(action: string, err: OsError): ActionError {
    return this.action('CreateSnapshot', `Cannot perform ${action} on the snapshot backing file: ${err.display()}`);
  }

  memoryFile(action: string, err: OsError): ActionError {
    return this.action('CreateSnapshot', `Cannot perform ${action} on the memory backing file: ${err.display()}`);
  }

  loadNotAllowed(): ActionError {
    return this.action('LoadSnapshot', 'Loading a microVM snapshot not allowed after configuring boot-specific resources.');
  }

  loadOpenSnapshot(err: OsError): ActionError {
    if (this.profile.v1) {
      return this.action('LoadSnapshot', `Failed to restore from snapshot: Failed to get snapshot state from file: Failed to open snapshot file: ${err.display()}`);
    }
    return this.action('LoadSnapshot', `Cannot perform open on the snapshot backing file: ${err.display()}`);
  }

  /** The snapshot file is not one this version can read. */
  loadBadSnapshot(content: Buffer, reason: 'format' | 'version'): ActionError {
    if (this.modern) {
      const inner = content.length < 8 ? 'IO Error: File too short to contain CRC' : reason === 'format' ? 'An error occurred during bitcode serialization: bitcode error' : 'Invalid data version: v10.0.0';
      return this.action('LoadSnapshot', `Failed to restore from snapshot: Failed to get snapshot state from file: Failed to load snapshot state from file: ${inner}`);
    }
    const magic = content.length >= 8 ? content.readBigUInt64LE(0).toString() : '0';
    const inner = content.length < 8 ? 'Io(UnexpectedEof)' : `InvalidMagic(${magic})`;
    if (this.profile.v1) {
      return this.action('LoadSnapshot', `Failed to restore from snapshot: Failed to get snapshot state from file: Failed to load snapshot state from file: ${inner}`);
    }
    return this.action('LoadSnapshot', `Cannot deserialize the microVM state: ${inner}`);
  }

  loadMemoryFile(err: OsError): ActionError {
    if (this.modern) {
      return this.action('LoadSnapshot', `Failed to restore from snapshot: Failed to load guest memory: Error creating guest memory from file: Failed to load guest memory: ${err.display()}`);
    }
    if (this.profile.v1) {
      return this.action('LoadSnapshot', `Failed to restore from snapshot: Failed to load guest memory: Failed to load guest memory: ${err.display()}`);
    }
    return this.action('LoadSnapshot', `Cannot open the memory file: ${err.display()}`);
  }
}
