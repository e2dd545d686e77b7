// fcvirt's public TypeScript API.
export { VirError, ErrorCode, ErrorDomain, isVirError } from './errors.js';
export type { ErrorCodeName, ErrorDomainName } from './errors.js';
export type * from './conf/domain-def.js';
export { FC_XML_NAMESPACE } from './conf/domain-def.js';
export type * from './api/connection.js';
export * from './api/constants.js';
export { openConnection, openConnection as connect, defaultUri, type OpenOptions } from './connect.js';

// The pure domain layer: domain XML ⇄ DomainDef, and the checks a def must pass.
export { formatDomainXML, parseDomainXML, validateDomainDef } from './conf/index.js';

// DomainDef → the Firecracker API requests that start it, for one Firecracker version.
export { buildPlan, withPlanDefaults } from './firecracker/plan/index.js';
export type { JsonObject, JsonValue, PlanPaths, PlanRequest } from './firecracker/plan/index.js';
export {
  NEWEST_KNOWN_VERSION,
  compareVersions,
  formatVersion,
  isSupportedVersion,
  parseVersionOutput,
  parseVmmVersion,
  tryParseVersion,
} from './firecracker/version.js';
export type { FirecrackerVersion } from './firecracker/version.js';
