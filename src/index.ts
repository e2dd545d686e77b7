// fcvirt's public TypeScript API.
export { VirError, ErrorCode, ErrorDomain, isVirError } from './errors.js';
export type { ErrorCodeName, ErrorDomainName } from './errors.js';
export type * from './conf/domain-def.js';
export { FC_XML_NAMESPACE } from './conf/domain-def.js';
export type * from './api/connection.js';
export * from './api/constants.js';
export { openConnection, openConnection as connect, defaultUri, type OpenOptions } from './connect.js';
