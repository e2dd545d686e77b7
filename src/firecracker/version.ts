// Which Firecracker we talk to: parsed from `firecracker --version` before spawn, or from
// `GET /`'s vmm_version after. The version picks the API dialect (see plan/dialect.ts).
import { VirError } from '../errors.js';

export interface FirecrackerVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** A pre-release tag as printed by development builds (`1.8.0-dev` → `dev`); display only. */
  readonly prerelease?: string;
}

/** The oldest Firecracker fcvirt drives (the seed's range starts here). */
export const MIN_SUPPORTED_VERSION: FirecrackerVersion = { major: 0, minor: 25, patch: 0 };
/** The first version fcvirt does not drive: a new major may change the API in any way. */
export const FIRST_UNSUPPORTED_VERSION: FirecrackerVersion = { major: 2, minor: 0, patch: 0 };
/** The newest version whose API fcvirt was checked against (the default of `fcvirt plan`). */
export const NEWEST_KNOWN_VERSION: FirecrackerVersion = { major: 1, minor: 16, patch: 1 };

// Nine digits keep every component a safe integer; no real version comes near.
const VERSION_PATTERN = /^v?(\d{1,9})\.(\d{1,9})\.(\d{1,9})(?:-([0-9A-Za-z.-]{1,64}))?$/;
const VERSION_LINE_PATTERN = /^Firecracker (v\S+)$/;
// How much of unparseable output goes into an error message (libvirt quotes a bounded piece too).
const QUOTE_LIMIT = 80;

export function formatVersion(version: FirecrackerVersion): string {
  const core = `${version.major}.${version.minor}.${version.patch}`;
  return version.prerelease === undefined ? core : `${core}-${version.prerelease}`;
}

/**
 * Orders versions by major, minor, patch. A pre-release counts as the release it leads to:
 * a `1.4.0-dev` build already carries 1.4.0's API.
 */
export function compareVersions(a: FirecrackerVersion, b: FirecrackerVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function versionAtLeast(version: FirecrackerVersion, minimum: FirecrackerVersion): boolean {
  return compareVersions(version, minimum) >= 0;
}

/** Parses `X.Y.Z` (a leading `v` and a `-tag` allowed); undefined when it is not one. */
export function tryParseVersion(text: string): FirecrackerVersion | undefined {
  const match = VERSION_PATTERN.exec(text.trim());
  if (match === null) return undefined;
  const [, major = '', minor = '', patch = '', prerelease] = match;
  const version = { major: Number(major), minor: Number(minor), patch: Number(patch) };
  return prerelease === undefined ? version : { ...version, prerelease };
}

/** True when fcvirt drives this version: ≥ 0.25.0 and < 2.0.0. */
export function isSupportedVersion(version: FirecrackerVersion): boolean {
  return versionAtLeast(version, MIN_SUPPORTED_VERSION) && !versionAtLeast(version, FIRST_UNSUPPORTED_VERSION);
}

/** Returns the version when fcvirt drives it; otherwise refuses, naming it and the range. */
export function checkSupportedVersion(version: FirecrackerVersion): FirecrackerVersion {
  if (!isSupportedVersion(version)) {
    throw new VirError('VIR_ERR_CONFIG_UNSUPPORTED',
      `Firecracker ${formatVersion(version)} is not supported: fcvirt supports Firecracker ` +
      `≥ ${formatVersion(MIN_SUPPORTED_VERSION)} and < ${formatVersion(FIRST_UNSUPPORTED_VERSION)}`);
  }
  return version;
}

/**
 * Parses the output of `firecracker --version` and checks the version is supported. Only the
 * first non-empty line counts: v0.25 and v1.3 print snapshot format versions after it, v1.16
 * a log line.
 */
export function parseVersionOutput(output: string): FirecrackerVersion {
  const firstLine = output.split('\n').map((line) => line.trim()).find((line) => line !== '') ?? '';
  const match = VERSION_LINE_PATTERN.exec(firstLine);
  const version = match?.[1] === undefined ? undefined : tryParseVersion(match[1]);
  if (version === undefined) throw unparseable('firecracker --version', output);
  return checkSupportedVersion(version);
}

/** Parses `vmm_version` of `GET /` ("1.3.3") and checks the version is supported. */
export function parseVmmVersion(vmmVersion: string): FirecrackerVersion {
  const version = tryParseVersion(vmmVersion);
  if (version === undefined) throw unparseable('the vmm_version of GET /', vmmVersion);
  return checkSupportedVersion(version);
}

function unparseable(source: string, text: string): VirError {
  const shown = quoteBounded(text);
  return new VirError('VIR_ERR_INTERNAL_ERROR',
    `cannot parse the Firecracker version in the output of ${source}: '${shown}'`);
}

// A single-line, bounded rendering of untrusted output: control characters escaped.
function quoteBounded(text: string): string {
  const chars = Array.from(text);
  const cut = chars.length > QUOTE_LIMIT;
  let shown = '';
  for (const char of chars.slice(0, QUOTE_LIMIT)) {
    const code = char.charCodeAt(0);
    if (char === '\n') shown += '\\n';
    else if (code < 0x20 || code === 0x7f) shown += `\\x${code.toString(16).padStart(2, '0')}`;
    else shown += char;
  }
  return cut ? `${shown}…` : shown;
}
