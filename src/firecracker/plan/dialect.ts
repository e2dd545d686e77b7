// What each Firecracker version accepts, as data: the API features newer than 0.25.0 and the
// first version that has each. Concern modules ask the dialect instead of comparing versions,
// so a new version difference is one more row here, not a fork of the plan.
import { VirError } from '../../errors.js';
import { checkSupportedVersion, formatVersion, versionAtLeast, type FirecrackerVersion } from '../version.js';

export const featureSince = {
  /** machine-config: `smt` replaces the mandatory `ht_enabled` (CHANGELOG 1.0.0). */
  smt: { major: 1, minor: 0, patch: 0 },
  /** drives: `io_engine` Sync/Async. */
  ioEngine: { major: 1, minor: 0, patch: 0 },
  /**
   * MMDS: `/mmds/config` takes `network_interfaces` (required) and `version` (V1/V2);
   * `allow_mmds_requests` on the interfaces is gone.
   */
  mmdsConfigInterfaces: { major: 1, minor: 0, patch: 0 },
  /** vsock: `vsock_id` no longer required (deprecated). */
  vsockIdOptional: { major: 1, minor: 0, patch: 0 },
  /** PUT /entropy (virtio-rng). */
  entropy: { major: 1, minor: 4, patch: 0 },
} as const satisfies Record<string, FirecrackerVersion>;

export type Feature = keyof typeof featureSince;

export interface Dialect {
  readonly version: FirecrackerVersion;
  has: (feature: Feature) => boolean;
  /**
   * Refuses what this version cannot do, in the one shape every such refusal has:
   * "<what> needs Firecracker ≥ X, found Y".
   */
  require: (feature: Feature, what: string) => void;
}

class VersionDialect implements Dialect {
  constructor(readonly version: FirecrackerVersion) {}

  has(feature: Feature): boolean {
    return versionAtLeast(this.version, featureSince[feature]);
  }

  require(feature: Feature, what: string): void {
    if (!this.has(feature)) throw needsVersion(what, featureSince[feature], this.version);
  }
}

/** The dialect of a supported version; refuses versions fcvirt does not drive. */
export function dialectFor(version: FirecrackerVersion): Dialect {
  checkSupportedVersion(version);
  return new VersionDialect(version);
}

export function needsVersion(what: string, minimum: FirecrackerVersion, found: FirecrackerVersion): VirError {
  return new VirError('VIR_ERR_CONFIG_UNSUPPORTED',
    `${what} needs Firecracker ≥ ${formatVersion(minimum)}, found ${formatVersion(found)}`);
}
