// The one error type of fcvirt. It carries libvirt's error code and domain so it can
// cross the remote protocol unchanged: virsh prints the same words as fcvirt.

/** libvirt's virErrorNumber values (include/libvirt/virterror.h), those fcvirt raises. */
export const ErrorCode = {
  VIR_ERR_OK: 0,
  VIR_ERR_INTERNAL_ERROR: 1,
  VIR_ERR_NO_MEMORY: 2,
  VIR_ERR_NO_SUPPORT: 3,
  VIR_ERR_NO_CONNECT: 5,
  VIR_ERR_INVALID_CONN: 6,
  VIR_ERR_INVALID_DOMAIN: 7,
  VIR_ERR_INVALID_ARG: 8,
  VIR_ERR_OPERATION_FAILED: 9,
  VIR_ERR_OS_TYPE: 16,
  VIR_ERR_NO_KERNEL: 17,
  VIR_ERR_NO_SOURCE: 19,
  VIR_ERR_NO_TARGET: 20,
  VIR_ERR_NO_NAME: 21,
  VIR_ERR_NO_OS: 22,
  VIR_ERR_XML_ERROR: 27,
  VIR_ERR_DOM_EXIST: 28,
  VIR_ERR_OPERATION_DENIED: 29,
  VIR_ERR_OPEN_FAILED: 30,
  VIR_ERR_READ_FAILED: 31,
  VIR_ERR_PARSE_FAILED: 32,
  VIR_ERR_WRITE_FAILED: 34,
  VIR_ERR_XML_DETAIL: 35,
  VIR_ERR_SYSTEM_ERROR: 38,
  VIR_ERR_RPC: 39,
  VIR_ERR_NO_DOMAIN: 42,
  VIR_ERR_INVALID_MAC: 44,
  VIR_ERR_AUTH_FAILED: 45,
  VIR_ERR_OPERATION_INVALID: 55,
  VIR_ERR_CONFIG_UNSUPPORTED: 67,
  VIR_ERR_OPERATION_TIMEOUT: 68,
  VIR_ERR_INVALID_DOMAIN_SNAPSHOT: 71,
  VIR_ERR_NO_DOMAIN_SNAPSHOT: 72,
  VIR_ERR_INVALID_STREAM: 73,
  VIR_ERR_ARGUMENT_UNSUPPORTED: 74,
  VIR_ERR_OPERATION_ABORTED: 78,
  VIR_ERR_NO_DOMAIN_METADATA: 80,
  VIR_ERR_OVERFLOW: 82,
  VIR_ERR_OPERATION_UNSUPPORTED: 84,
  VIR_ERR_RESOURCE_BUSY: 87,
  VIR_ERR_ACCESS_DENIED: 88,
  VIR_ERR_XML_INVALID_SCHEMA: 92,
  VIR_ERR_DEVICE_MISSING: 99,
} as const;
export type ErrorCodeName = keyof typeof ErrorCode;

/** libvirt's virErrorDomain values: where an error comes from. */
export const ErrorDomain = {
  VIR_FROM_NONE: 0,
  VIR_FROM_XML: 5,
  VIR_FROM_DOM: 6,
  VIR_FROM_RPC: 7,
  VIR_FROM_REMOTE: 13,
  VIR_FROM_DOMAIN: 20,
  VIR_FROM_STREAMS: 38,
  VIR_FROM_EVENT: 40,
  VIR_FROM_URI: 45,
} as const;
export type ErrorDomainName = keyof typeof ErrorDomain;

/** libvirt's virErrorLevel. */
export const ErrorLevel = { VIR_ERR_NONE: 0, VIR_ERR_WARNING: 1, VIR_ERR_ERROR: 2 } as const;

// libvirt's message formats (virErrorMsgStrings in src/util/virerror.c): libvirt itself
// builds the final message as format(detail), and that whole string is what crosses the
// wire and what virsh prints after "error: ".
const messageFormats: Partial<Record<number, string>> = {
  [ErrorCode.VIR_ERR_INTERNAL_ERROR]: 'internal error: %s',
  [ErrorCode.VIR_ERR_NO_MEMORY]: 'out of memory: %s',
  [ErrorCode.VIR_ERR_NO_SUPPORT]: 'this function is not supported by the connection driver: %s',
  [ErrorCode.VIR_ERR_NO_CONNECT]: 'no connection driver available for %s',
  [ErrorCode.VIR_ERR_INVALID_CONN]: 'invalid connection pointer in %s',
  [ErrorCode.VIR_ERR_INVALID_DOMAIN]: 'invalid domain pointer in %s',
  [ErrorCode.VIR_ERR_INVALID_ARG]: 'invalid argument: %s',
  [ErrorCode.VIR_ERR_OPERATION_FAILED]: 'operation failed: %s',
  [ErrorCode.VIR_ERR_OS_TYPE]: 'unknown OS type %s',
  [ErrorCode.VIR_ERR_NO_KERNEL]: 'missing kernel information: %s',
  [ErrorCode.VIR_ERR_NO_SOURCE]: 'missing source information for device %s',
  [ErrorCode.VIR_ERR_NO_TARGET]: 'missing target information for device %s',
  [ErrorCode.VIR_ERR_NO_NAME]: 'missing name information in %s',
  [ErrorCode.VIR_ERR_NO_OS]: 'missing operating system information for %s',
  [ErrorCode.VIR_ERR_XML_ERROR]: 'XML error: %s',
  [ErrorCode.VIR_ERR_DOM_EXIST]: 'domain %s exists already',
  [ErrorCode.VIR_ERR_OPERATION_DENIED]: 'operation forbidden: %s',
  [ErrorCode.VIR_ERR_OPEN_FAILED]: 'failed to open configuration file %s',
  [ErrorCode.VIR_ERR_READ_FAILED]: 'failed to read configuration file %s',
  [ErrorCode.VIR_ERR_PARSE_FAILED]: 'failed to parse configuration file %s',
  [ErrorCode.VIR_ERR_WRITE_FAILED]: 'failed to write configuration file: %s',
  [ErrorCode.VIR_ERR_XML_DETAIL]: '%s',
  [ErrorCode.VIR_ERR_SYSTEM_ERROR]: '%s',
  [ErrorCode.VIR_ERR_RPC]: '%s',
  [ErrorCode.VIR_ERR_NO_DOMAIN]: 'Domain not found: %s',
  [ErrorCode.VIR_ERR_INVALID_MAC]: 'invalid MAC address: %s',
  [ErrorCode.VIR_ERR_AUTH_FAILED]: 'authentication failed: %s',
  [ErrorCode.VIR_ERR_OPERATION_INVALID]: 'Requested operation is not valid: %s',
  [ErrorCode.VIR_ERR_CONFIG_UNSUPPORTED]: 'unsupported configuration: %s',
  [ErrorCode.VIR_ERR_OPERATION_TIMEOUT]: 'Timed out during operation: %s',
  [ErrorCode.VIR_ERR_INVALID_DOMAIN_SNAPSHOT]: 'Invalid domain snapshot: %s',
  [ErrorCode.VIR_ERR_NO_DOMAIN_SNAPSHOT]: 'Domain snapshot not found: %s',
  [ErrorCode.VIR_ERR_INVALID_STREAM]: 'invalid stream pointer in %s',
  [ErrorCode.VIR_ERR_ARGUMENT_UNSUPPORTED]: 'argument unsupported: %s',
  [ErrorCode.VIR_ERR_OPERATION_ABORTED]: 'operation aborted: %s',
  [ErrorCode.VIR_ERR_NO_DOMAIN_METADATA]: 'metadata not found: %s',
  [ErrorCode.VIR_ERR_OVERFLOW]: 'numerical overflow: %s',
  [ErrorCode.VIR_ERR_OPERATION_UNSUPPORTED]: 'Operation not supported: %s',
  [ErrorCode.VIR_ERR_RESOURCE_BUSY]: 'resource busy: %s',
  [ErrorCode.VIR_ERR_ACCESS_DENIED]: 'access denied: %s',
  [ErrorCode.VIR_ERR_XML_INVALID_SCHEMA]: 'XML document failed to validate against schema: %s',
  [ErrorCode.VIR_ERR_DEVICE_MISSING]: 'device not found: %s',
};

export interface VirErrorOptions {
  /** libvirt error domain; VIR_FROM_NONE when not given. */
  domain?: ErrorDomainName;
  /** Use `message` as the whole text instead of formatting it with the code's prefix. */
  verbatim?: boolean;
  /** What caused it, kept for logs; never shown to clients. */
  cause?: unknown;
}

/**
 * A libvirt-coded error. `message` is the complete text as libvirt would report it
 * ("unsupported configuration: …"); `detail` is the part after the code's prefix.
 */
export class VirError extends Error {
  readonly code: number;
  readonly codeName: ErrorCodeName | undefined;
  readonly domain: number;
  readonly level: number = ErrorLevel.VIR_ERR_ERROR;
  readonly detail: string;

  constructor(code: ErrorCodeName | number, detail: string, options: VirErrorOptions = {}) {
    const numeric = typeof code === 'number' ? code : ErrorCode[code];
    const format = messageFormats[numeric];
    const message = options.verbatim === true || format === undefined ? detail : format.replace('%s', detail);
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VirError';
    this.code = numeric;
    this.codeName = codeNameOf(numeric);
    this.domain = ErrorDomain[options.domain ?? 'VIR_FROM_NONE'];
    this.detail = detail;
  }

  /** Rebuild an error received as-is (e.g. from the wire): the message is already complete. */
  static fromWire(code: number, domain: number, message: string): VirError {
    const error = new VirError(code, message, { verbatim: true });
    Object.defineProperty(error, 'domain', { value: domain });
    return error;
  }
}

function codeNameOf(code: number): ErrorCodeName | undefined {
  for (const [name, value] of Object.entries(ErrorCode)) {
    if (value === code) return name as ErrorCodeName;
  }
  return undefined;
}

export function isVirError(value: unknown): value is VirError {
  return value instanceof VirError;
}
