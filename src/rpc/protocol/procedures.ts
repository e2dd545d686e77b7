// The procedure table: every remote procedure fcvirt speaks, declared once with its number,
// name, argument and return codecs, and whether a read-only connection is refused it. The
// server dispatches through it and the client calls through it, so the two cannot disagree.
// Layouts are remote_protocol.x 9.0.0's `remote_<name>_args` / `remote_<name>_ret`.

import type { DomainInfo, DomainRef, DomainStateInfo, MemoryStat, NodeInfo } from '../../api/connection.js';
import { type Codec, voidCodec } from '../xdr.js';
import {
  Proc,
  REMOTE_AUTH_TYPE_LIST_MAX,
  REMOTE_DOMAIN_LIST_MAX,
  REMOTE_DOMAIN_MEMORY_STATS_MAX,
  REMOTE_DOMAIN_MESSAGES_MAX,
  REMOTE_SECURITY_DOI_MAX,
  REMOTE_SECURITY_LABEL_LIST_MAX,
  REMOTE_SECURITY_LABEL_MAX,
  REMOTE_SECURITY_MODEL_MAX,
} from './constants.js';
import {
  domainCodec,
  intCodec,
  nonnullString,
  optionalDomain,
  optionalString,
  uhyperNumber,
  uintCodec,
  uuidCodec,
} from './types.js';

export interface Procedure<A, R> {
  readonly proc: number;
  /** REMOTE_PROC_ name without the prefix. */
  readonly name: string;
  readonly args: Codec<A>;
  readonly ret: Codec<R>;
  /** Refused on a read-only connection (libvirt's virCheckReadOnlyGoto). */
  readonly mutates: boolean;
  /** The call opens a stream identified by its serial. */
  readonly stream?: boolean;
}

// Helpers that build the struct codecs tersely; each field is one XDR item in order.
type Fields<T> = { [K in keyof T]: Codec<T[K]> };

function struct<T extends object>(fields: Fields<T>): Codec<T> {
  const entries = Object.entries(fields) as [keyof T & string, Codec<unknown>][];
  return {
    encode(writer, value) {
      for (const [key, codec] of entries) codec.encode(writer, value[key]);
    },
    decode(reader) {
      const value: Partial<Record<keyof T, unknown>> = {};
      for (const [key, codec] of entries) value[key] = codec.decode(reader);
      return value as T;
    },
  };
}

function array<T>(codec: Codec<T>, max: number): Codec<T[]> {
  return {
    encode: (writer, values) => writer.array(values, max, codec.encode),
    decode: (reader) => reader.array(max, codec.decode),
  };
}

const boolInt: Codec<boolean> = {
  encode: (writer, value) => writer.int(value ? 1 : 0),
  decode: (reader) => reader.int() !== 0,
};

function charArray(max: number): Codec<string> {
  return { encode: (writer, value) => writer.chars(value, max), decode: (reader) => reader.chars(max) };
}

function proc<A, R>(
  number: number,
  name: string,
  args: Codec<A>,
  ret: Codec<R>,
  options: { mutates?: boolean; stream?: boolean } = {},
): Procedure<A, R> {
  return { proc: number, name, args, ret, mutates: options.mutates ?? false, stream: options.stream ?? false };
}

const dom = struct<{ dom: DomainRef }>({ dom: domainCodec });
const domFlags = struct<{ dom: DomainRef; flags: number }>({ dom: domainCodec, flags: uintCodec });

const nodeInfo: Codec<NodeInfo> = {
  encode(writer, value) {
    writer.fixedChars(value.model, 32);
    writer.uhyper(BigInt(value.memoryKiB));
    writer.int(value.cpus).int(value.mhz).int(value.nodes).int(value.sockets).int(value.cores).int(value.threads);
  },
  decode(reader) {
    const model = reader.fixedChars(32);
    const memoryKiB = Number(reader.uhyper());
    return {
      model,
      memoryKiB,
      cpus: reader.int(),
      mhz: reader.int(),
      nodes: reader.int(),
      sockets: reader.int(),
      cores: reader.int(),
      threads: reader.int(),
    };
  },
};

const domainInfo: Codec<DomainInfo> = {
  encode(writer, value) {
    writer.uint(value.state);
    writer.uhyper(BigInt(value.maxMemKiB));
    writer.uhyper(BigInt(value.memoryKiB));
    writer.uint(value.nrVirtCpu);
    writer.uhyper(value.cpuTimeNs);
  },
  decode(reader) {
    return {
      state: reader.uint(),
      maxMemKiB: Number(reader.uhyper()),
      memoryKiB: Number(reader.uhyper()),
      nrVirtCpu: reader.uint(),
      cpuTimeNs: reader.uhyper(),
    };
  },
};

export interface SecurityLabel {
  label: string;
  enforcing: number;
}

export const procedures = {
  connectOpen: proc(Proc.CONNECT_OPEN, 'CONNECT_OPEN', struct({ name: optionalString, flags: uintCodec }), voidCodec),
  connectClose: proc(Proc.CONNECT_CLOSE, 'CONNECT_CLOSE', voidCodec, voidCodec),
  connectGetType: proc(Proc.CONNECT_GET_TYPE, 'CONNECT_GET_TYPE', voidCodec, struct({ type: nonnullString })),
  connectGetVersion: proc(Proc.CONNECT_GET_VERSION, 'CONNECT_GET_VERSION', voidCodec, struct({ hvVer: uhyperNumber })),
  nodeGetInfo: proc(Proc.NODE_GET_INFO, 'NODE_GET_INFO', voidCodec, nodeInfo),
  connectGetCapabilities: proc(
    Proc.CONNECT_GET_CAPABILITIES,
    'CONNECT_GET_CAPABILITIES',
    voidCodec,
    struct({ capabilities: nonnullString }),
  ),
  domainCreate: proc(Proc.DOMAIN_CREATE, 'DOMAIN_CREATE', dom, voidCodec, { mutates: true }),
  domainCreateXML: proc(
    Proc.DOMAIN_CREATE_XML,
    'DOMAIN_CREATE_XML',
    struct({ xmlDesc: nonnullString, flags: uintCodec }),
    dom,
    { mutates: true },
  ),
  domainDefineXML: proc(Proc.DOMAIN_DEFINE_XML, 'DOMAIN_DEFINE_XML', struct({ xml: nonnullString }), dom, {
    mutates: true,
  }),
  domainDestroy: proc(Proc.DOMAIN_DESTROY, 'DOMAIN_DESTROY', dom, voidCodec, { mutates: true }),
  domainGetXMLDesc: proc(Proc.DOMAIN_GET_XML_DESC, 'DOMAIN_GET_XML_DESC', domFlags, struct({ xml: nonnullString })),
  domainGetAutostart: proc(Proc.DOMAIN_GET_AUTOSTART, 'DOMAIN_GET_AUTOSTART', dom, struct({ autostart: boolInt })),
  domainGetInfo: proc(Proc.DOMAIN_GET_INFO, 'DOMAIN_GET_INFO', dom, domainInfo),
  domainGetMaxMemory: proc(Proc.DOMAIN_GET_MAX_MEMORY, 'DOMAIN_GET_MAX_MEMORY', dom, struct({ memory: uhyperNumber })),
  domainSetMemory: proc(Proc.DOMAIN_SET_MEMORY, 'DOMAIN_SET_MEMORY', struct({ dom: domainCodec, memory: uhyperNumber }), voidCodec, { mutates: true }),
  domainSetMemoryFlags: proc(
    Proc.DOMAIN_SET_MEMORY_FLAGS,
    'DOMAIN_SET_MEMORY_FLAGS',
    struct({ dom: domainCodec, memory: uhyperNumber, flags: uintCodec }),
    voidCodec,
    { mutates: true },
  ),
  domainMemoryStats: proc(
    Proc.DOMAIN_MEMORY_STATS,
    'DOMAIN_MEMORY_STATS',
    struct({ dom: domainCodec, maxStats: uintCodec, flags: uintCodec }),
    struct({ stats: array(struct<MemoryStat>({ tag: intCodec, val: uhyperNumber }), REMOTE_DOMAIN_MEMORY_STATS_MAX) }),
  ),
  domainGetMaxVcpus: proc(Proc.DOMAIN_GET_MAX_VCPUS, 'DOMAIN_GET_MAX_VCPUS', dom, struct({ num: intCodec })),
  domainGetVcpusFlags: proc(Proc.DOMAIN_GET_VCPUS_FLAGS, 'DOMAIN_GET_VCPUS_FLAGS', domFlags, struct({ num: intCodec })),
  connectGetMaxVcpus: proc(Proc.CONNECT_GET_MAX_VCPUS, 'CONNECT_GET_MAX_VCPUS', struct({ type: optionalString }), struct({ maxVcpus: intCodec })),
  domainGetOSType: proc(Proc.DOMAIN_GET_OS_TYPE, 'DOMAIN_GET_OS_TYPE', dom, struct({ type: nonnullString })),
  connectListDefinedDomains: proc(
    Proc.CONNECT_LIST_DEFINED_DOMAINS,
    'CONNECT_LIST_DEFINED_DOMAINS',
    struct({ maxnames: intCodec }),
    struct({ names: array(nonnullString, REMOTE_DOMAIN_LIST_MAX) }),
  ),
  domainLookupByID: proc(Proc.DOMAIN_LOOKUP_BY_ID, 'DOMAIN_LOOKUP_BY_ID', struct({ id: intCodec }), dom),
  domainLookupByName: proc(Proc.DOMAIN_LOOKUP_BY_NAME, 'DOMAIN_LOOKUP_BY_NAME', struct({ name: nonnullString }), dom),
  domainLookupByUUID: proc(Proc.DOMAIN_LOOKUP_BY_UUID, 'DOMAIN_LOOKUP_BY_UUID', struct({ uuid: uuidCodec }), dom),
  connectNumOfDefinedDomains: proc(
    Proc.CONNECT_NUM_OF_DEFINED_DOMAINS,
    'CONNECT_NUM_OF_DEFINED_DOMAINS',
    voidCodec,
    struct({ num: intCodec }),
  ),
  domainReboot: proc(Proc.DOMAIN_REBOOT, 'DOMAIN_REBOOT', domFlags, voidCodec, { mutates: true }),
  domainResume: proc(Proc.DOMAIN_RESUME, 'DOMAIN_RESUME', dom, voidCodec, { mutates: true }),
  domainSetAutostart: proc(
    Proc.DOMAIN_SET_AUTOSTART,
    'DOMAIN_SET_AUTOSTART',
    struct({ dom: domainCodec, autostart: boolInt }),
    voidCodec,
    { mutates: true },
  ),
  domainShutdown: proc(Proc.DOMAIN_SHUTDOWN, 'DOMAIN_SHUTDOWN', dom, voidCodec, { mutates: true }),
  domainSuspend: proc(Proc.DOMAIN_SUSPEND, 'DOMAIN_SUSPEND', dom, voidCodec, { mutates: true }),
  domainUndefine: proc(Proc.DOMAIN_UNDEFINE, 'DOMAIN_UNDEFINE', dom, voidCodec, { mutates: true }),
  connectListDomains: proc(
    Proc.CONNECT_LIST_DOMAINS,
    'CONNECT_LIST_DOMAINS',
    struct({ maxids: intCodec }),
    struct({ ids: array(intCodec, REMOTE_DOMAIN_LIST_MAX) }),
  ),
  connectNumOfDomains: proc(Proc.CONNECT_NUM_OF_DOMAINS, 'CONNECT_NUM_OF_DOMAINS', voidCodec, struct({ num: intCodec })),
  connectGetHostname: proc(
    Proc.CONNECT_GET_HOSTNAME,
    'CONNECT_GET_HOSTNAME',
    voidCodec,
    struct({ hostname: nonnullString }),
  ),
  connectSupportsFeature: proc(
    Proc.CONNECT_SUPPORTS_FEATURE,
    'CONNECT_SUPPORTS_FEATURE',
    struct({ feature: intCodec }),
    struct({ supported: boolInt }),
  ),
  authList: proc(Proc.AUTH_LIST, 'AUTH_LIST', voidCodec, struct({ types: array(intCodec, REMOTE_AUTH_TYPE_LIST_MAX) })),
  connectGetURI: proc(Proc.CONNECT_GET_URI, 'CONNECT_GET_URI', voidCodec, struct({ uri: nonnullString })),
  domainGetSecurityLabel: proc(
    Proc.DOMAIN_GET_SECURITY_LABEL,
    'DOMAIN_GET_SECURITY_LABEL',
    dom,
    struct({ label: charArray(REMOTE_SECURITY_LABEL_MAX), enforcing: intCodec }),
  ),
  nodeGetSecurityModel: proc(
    Proc.NODE_GET_SECURITY_MODEL,
    'NODE_GET_SECURITY_MODEL',
    voidCodec,
    struct({ model: charArray(REMOTE_SECURITY_MODEL_MAX), doi: charArray(REMOTE_SECURITY_DOI_MAX) }),
  ),
  connectIsSecure: proc(Proc.CONNECT_IS_SECURE, 'CONNECT_IS_SECURE', voidCodec, struct({ secure: boolInt })),
  domainIsActive: proc(Proc.DOMAIN_IS_ACTIVE, 'DOMAIN_IS_ACTIVE', dom, struct({ active: boolInt })),
  domainIsPersistent: proc(Proc.DOMAIN_IS_PERSISTENT, 'DOMAIN_IS_PERSISTENT', dom, struct({ persistent: boolInt })),
  connectGetLibVersion: proc(
    Proc.CONNECT_GET_LIB_VERSION,
    'CONNECT_GET_LIB_VERSION',
    voidCodec,
    struct({ libVer: uhyperNumber }),
  ),
  domainHasManagedSaveImage: proc(
    Proc.DOMAIN_HAS_MANAGED_SAVE_IMAGE,
    'DOMAIN_HAS_MANAGED_SAVE_IMAGE',
    domFlags,
    struct({ result: boolInt }),
  ),
  domainSnapshotNum: proc(Proc.DOMAIN_SNAPSHOT_NUM, 'DOMAIN_SNAPSHOT_NUM', domFlags, struct({ num: intCodec })),
  domainCreateWithFlags: proc(Proc.DOMAIN_CREATE_WITH_FLAGS, 'DOMAIN_CREATE_WITH_FLAGS', domFlags, dom, {
    mutates: true,
  }),
  domainOpenConsole: proc(
    Proc.DOMAIN_OPEN_CONSOLE,
    'DOMAIN_OPEN_CONSOLE',
    struct({ dom: domainCodec, devName: optionalString, flags: uintCodec }),
    voidCodec,
    { mutates: true, stream: true },
  ),
  domainGetState: proc(
    Proc.DOMAIN_GET_STATE,
    'DOMAIN_GET_STATE',
    domFlags,
    struct<DomainStateInfo>({ state: intCodec, reason: intCodec }),
  ),
  domainUndefineFlags: proc(Proc.DOMAIN_UNDEFINE_FLAGS, 'DOMAIN_UNDEFINE_FLAGS', domFlags, voidCodec, {
    mutates: true,
  }),
  domainDestroyFlags: proc(Proc.DOMAIN_DESTROY_FLAGS, 'DOMAIN_DESTROY_FLAGS', domFlags, voidCodec, { mutates: true }),
  domainShutdownFlags: proc(Proc.DOMAIN_SHUTDOWN_FLAGS, 'DOMAIN_SHUTDOWN_FLAGS', domFlags, voidCodec, {
    mutates: true,
  }),
  connectListAllDomains: proc(
    Proc.CONNECT_LIST_ALL_DOMAINS,
    'CONNECT_LIST_ALL_DOMAINS',
    struct({ needResults: intCodec, flags: uintCodec }),
    struct({ domains: array(domainCodec, REMOTE_DOMAIN_LIST_MAX), ret: uintCodec }),
  ),
  domainGetSecurityLabelList: proc(
    Proc.DOMAIN_GET_SECURITY_LABEL_LIST,
    'DOMAIN_GET_SECURITY_LABEL_LIST',
    dom,
    struct({
      labels: array(
        struct<SecurityLabel>({ label: charArray(REMOTE_SECURITY_LABEL_MAX), enforcing: intCodec }),
        REMOTE_SECURITY_LABEL_LIST_MAX,
      ),
      ret: intCodec,
    }),
  ),
  connectDomainEventCallbackRegisterAny: proc(
    Proc.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
    'CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY',
    struct({ eventID: intCodec, dom: optionalDomain }),
    struct({ callbackID: intCodec }),
  ),
  connectDomainEventCallbackDeregisterAny: proc(
    Proc.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
    'CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY',
    struct({ callbackID: intCodec }),
    voidCodec,
  ),
  domainDefineXMLFlags: proc(
    Proc.DOMAIN_DEFINE_XML_FLAGS,
    'DOMAIN_DEFINE_XML_FLAGS',
    struct({ xml: nonnullString, flags: uintCodec }),
    dom,
    { mutates: true },
  ),
  connectRegisterCloseCallback: proc(
    Proc.CONNECT_REGISTER_CLOSE_CALLBACK,
    'CONNECT_REGISTER_CLOSE_CALLBACK',
    voidCodec,
    voidCodec,
  ),
  connectUnregisterCloseCallback: proc(
    Proc.CONNECT_UNREGISTER_CLOSE_CALLBACK,
    'CONNECT_UNREGISTER_CLOSE_CALLBACK',
    voidCodec,
    voidCodec,
  ),
  domainGetMessages: proc(
    Proc.DOMAIN_GET_MESSAGES,
    'DOMAIN_GET_MESSAGES',
    domFlags,
    struct({ msgs: array(nonnullString, REMOTE_DOMAIN_MESSAGES_MAX) }),
  ),
} as const;

export type Procedures = typeof procedures;
export type ProcedureKey = keyof Procedures;
export type ArgsOf<K extends ProcedureKey> = Procedures[K]['args'] extends Codec<infer A> ? A : never;
export type RetOf<K extends ProcedureKey> = Procedures[K]['ret'] extends Codec<infer R> ? R : never;

/** The table by procedure number. */
export const proceduresByNumber: ReadonlyMap<number, Procedure<unknown, unknown>> = new Map(
  Object.values(procedures).map((entry) => [entry.proc, entry as Procedure<unknown, unknown>]),
);

// Server-to-client event messages (type MESSAGE, serial 0).
export const lifecycleEventMessage = struct<{
  callbackID: number;
  dom: DomainRef;
  event: number;
  detail: number;
}>({ callbackID: intCodec, dom: domainCodec, event: intCodec, detail: intCodec });

export const rebootEventMessage = struct<{ callbackID: number; dom: DomainRef }>({
  callbackID: intCodec,
  dom: domainCodec,
});

export const connectionClosedMessage = struct<{ reason: number }>({ reason: intCodec });

/** One declaration, typed by its key. */
export function procedure<K extends ProcedureKey>(key: K): Procedure<ArgsOf<K>, RetOf<K>> {
  // ArgsOf/RetOf are read off this very entry; the checker only loses that through the union.
  return procedures[key] as unknown as Procedure<ArgsOf<K>, RetOf<K>>;
}
