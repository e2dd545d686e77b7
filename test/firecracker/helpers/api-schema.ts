// The request bodies each Firecracker version accepts, field by field, from the appendix of
// firecracker-api.md (generated from the swagger files of v0.25.2, v1.0.0 and v1.16.1) and
// checked against what the real binaries answered. Firecracker rejects unknown fields
// (serde deny_unknown_fields), so a plan is checked against this before anything is sent.
// Only the endpoints a plan uses are listed.
import { compareVersions, type FirecrackerVersion } from '../../../src/firecracker/version.js';
import type { JsonValue, PlanRequest } from '../../../src/firecracker/plan/index.js';

type FieldType =
  | 'string' | 'integer' | 'boolean' | 'string[]'
  | { enum: readonly string[] }
  | 'RateLimiter' | 'TokenBucket';

interface FieldSpec {
  type: FieldType;
  required?: boolean;
}

type Definition = Readonly<Record<string, FieldSpec>>;

export interface ApiSchema {
  name: string;
  /** Endpoint (path with `{id}` for resource ids) → the definition its PUT body follows. */
  endpoints: Readonly<Record<string, Definition | 'any-object'>>;
}

const req = (type: FieldType): FieldSpec => ({ type, required: true });
const opt = (type: FieldType): FieldSpec => ({ type });

const tokenBucket: Definition = { size: req('integer'), refill_time: req('integer'), one_time_burst: opt('integer') };
const rateLimiter: Definition = { bandwidth: opt('TokenBucket'), ops: opt('TokenBucket') };
const logLevels = ['Error', 'Warning', 'Info', 'Debug'];
const actions = { action_type: req({ enum: ['FlushMetrics', 'InstanceStart', 'SendCtrlAltDel'] }) };

export const schemaV0_25_2: ApiSchema = {
  name: 'v0.25.2',
  endpoints: {
    '/logger': { log_path: req('string'), level: opt({ enum: logLevels }), show_level: opt('boolean'), show_log_origin: opt('boolean') },
    '/metrics': { metrics_path: req('string') },
    '/machine-config': {
      vcpu_count: req('integer'), mem_size_mib: req('integer'), ht_enabled: req('boolean'),
      cpu_template: opt({ enum: ['C3', 'T2'] }), track_dirty_pages: opt('boolean'),
    },
    '/boot-source': { kernel_image_path: req('string'), initrd_path: opt('string'), boot_args: opt('string') },
    '/drives/{id}': {
      drive_id: req('string'), path_on_host: req('string'), is_root_device: req('boolean'), is_read_only: req('boolean'),
      partuuid: opt('string'), cache_type: opt('string'), rate_limiter: opt('RateLimiter'),
    },
    '/network-interfaces/{id}': {
      iface_id: req('string'), host_dev_name: req('string'), guest_mac: opt('string'),
      rx_rate_limiter: opt('RateLimiter'), tx_rate_limiter: opt('RateLimiter'), allow_mmds_requests: opt('boolean'),
    },
    '/mmds/config': { ipv4_address: opt('string') },
    '/mmds': 'any-object',
    '/balloon': { amount_mib: req('integer'), deflate_on_oom: req('boolean'), stats_polling_interval_s: opt('integer') },
    '/vsock': { vsock_id: req('string'), guest_cid: req('integer'), uds_path: req('string') },
    '/actions': actions,
  },
};

export const schemaV1_0_0: ApiSchema = {
  name: 'v1.0.0',
  endpoints: {
    '/logger': schemaV0_25_2.endpoints['/logger'] ?? {},
    '/metrics': { metrics_path: req('string') },
    '/machine-config': {
      vcpu_count: req('integer'), mem_size_mib: req('integer'), smt: opt('boolean'),
      cpu_template: opt({ enum: ['C3', 'T2'] }), track_dirty_pages: opt('boolean'),
    },
    '/boot-source': { kernel_image_path: req('string'), initrd_path: opt('string'), boot_args: opt('string') },
    '/drives/{id}': {
      drive_id: req('string'), path_on_host: req('string'), is_root_device: req('boolean'), is_read_only: req('boolean'),
      partuuid: opt('string'), cache_type: opt({ enum: ['Unsafe', 'Writeback'] }), io_engine: opt({ enum: ['Sync', 'Async'] }),
      rate_limiter: opt('RateLimiter'),
    },
    '/network-interfaces/{id}': {
      iface_id: req('string'), host_dev_name: req('string'), guest_mac: opt('string'),
      rx_rate_limiter: opt('RateLimiter'), tx_rate_limiter: opt('RateLimiter'),
    },
    '/mmds/config': { network_interfaces: req('string[]'), version: opt({ enum: ['V1', 'V2'] }), ipv4_address: opt('string') },
    '/mmds': 'any-object',
    '/balloon': { amount_mib: req('integer'), deflate_on_oom: req('boolean'), stats_polling_interval_s: opt('integer') },
    '/vsock': { vsock_id: opt('string'), guest_cid: req('integer'), uds_path: req('string') },
    '/actions': actions,
  },
};

export const schemaV1_16_1: ApiSchema = {
  name: 'v1.16.1',
  endpoints: {
    '/logger': {
      log_path: opt('string'), level: opt({ enum: [...logLevels, 'Trace', 'Off'] }), show_level: opt('boolean'),
      show_log_origin: opt('boolean'), module: opt('string'),
    },
    '/metrics': { metrics_path: req('string') },
    '/machine-config': {
      vcpu_count: req('integer'), mem_size_mib: req('integer'), smt: opt('boolean'),
      cpu_template: opt({ enum: ['C3', 'T2', 'T2S', 'T2CL', 'T2A', 'V1N1', 'None'] }), track_dirty_pages: opt('boolean'),
      huge_pages: opt({ enum: ['None', '2M'] }),
    },
    '/boot-source': { kernel_image_path: req('string'), initrd_path: opt('string'), boot_args: opt('string') },
    '/drives/{id}': {
      drive_id: req('string'), path_on_host: opt('string'), is_root_device: req('boolean'), is_read_only: opt('boolean'),
      partuuid: opt('string'), cache_type: opt({ enum: ['Unsafe', 'Writeback'] }), io_engine: opt({ enum: ['Sync', 'Async'] }),
      rate_limiter: opt('RateLimiter'), socket: opt('string'),
    },
    '/network-interfaces/{id}': {
      iface_id: req('string'), host_dev_name: req('string'), guest_mac: opt('string'), mtu: opt('integer'),
      rx_rate_limiter: opt('RateLimiter'), tx_rate_limiter: opt('RateLimiter'),
    },
    '/mmds/config': {
      network_interfaces: req('string[]'), version: opt({ enum: ['V1', 'V2'] }), ipv4_address: opt('string'), imds_compat: opt('boolean'),
    },
    '/mmds': 'any-object',
    '/balloon': {
      amount_mib: req('integer'), deflate_on_oom: req('boolean'), stats_polling_interval_s: opt('integer'),
      free_page_hinting: opt('boolean'), free_page_reporting: opt('boolean'),
    },
    '/vsock': { vsock_id: opt('string'), guest_cid: req('integer'), uds_path: req('string') },
    '/entropy': { rate_limiter: opt('RateLimiter') },
    '/actions': actions,
  },
};

/**
 * The strictest recorded schema that still describes `version`: fields the plan uses appeared
 * in 1.0.0 (io_engine, smt, mmds network_interfaces) or 1.4.0 (/entropy), so 1.0.0's table
 * stands for 1.0–1.3 and 1.16.1's for 1.4 and later.
 */
export function schemaFor(version: FirecrackerVersion): ApiSchema {
  if (compareVersions(version, { major: 1, minor: 0, patch: 0 }) < 0) return schemaV0_25_2;
  if (compareVersions(version, { major: 1, minor: 4, patch: 0 }) < 0) return schemaV1_0_0;
  return schemaV1_16_1;
}

const RESOURCE_ID = /^[A-Za-z0-9_]+$/;

/** Every way `request` would be refused by the version `schema` describes; empty when none. */
export function schemaViolations(schema: ApiSchema, request: PlanRequest): string[] {
  const where = `${request.method} ${request.path}`;
  if (request.method !== 'PUT') return [`${where}: a plan only configures (PUT)`];
  const resource = /^\/(drives|network-interfaces)\/([^/]*)$/.exec(request.path);
  const endpoint = resource === null ? request.path : `/${resource[1] ?? ''}/{id}`;
  const definition = schema.endpoints[endpoint];
  if (definition === undefined) return [`${where}: no such endpoint in ${schema.name}`];
  if (definition === 'any-object') return [];
  const problems = checkObject(`${where} body`, definition, request.body);
  if (resource !== null) {
    const id = resource[2] ?? '';
    const bodyId = request.body[resource[1] === 'drives' ? 'drive_id' : 'iface_id'];
    if (!RESOURCE_ID.test(id)) problems.push(`${where}: id '${id}' has characters Firecracker refuses`);
    if (bodyId !== id) problems.push(`${where}: the id in the path differs from the body's (${JSON.stringify(bodyId)})`);
  }
  return problems;
}

function checkObject(where: string, definition: Definition, value: JsonValue): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${where}: not an object`];
  const problems: string[] = [];
  for (const [field, fieldValue] of Object.entries(value)) {
    const spec = definition[field];
    if (spec === undefined) problems.push(`${where}: unknown field \`${field}\``);
    else problems.push(...checkValue(`${where}.${field}`, spec.type, fieldValue));
  }
  for (const [field, spec] of Object.entries(definition)) {
    if (spec.required === true && !(field in value)) problems.push(`${where}: missing field \`${field}\``);
  }
  return problems;
}

function checkValue(where: string, type: FieldType, value: JsonValue): string[] {
  if (typeof type === 'object') {
    return typeof value === 'string' && type.enum.includes(value) ? [] : [`${where}: ${JSON.stringify(value)} is not one of ${type.enum.join(', ')}`];
  }
  switch (type) {
    case 'string':
      return typeof value === 'string' ? [] : [`${where}: not a string`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${where}: not a boolean`];
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? [] : [`${where}: not an unsigned integer`];
    case 'string[]':
      return Array.isArray(value) && value.every((item) => typeof item === 'string') ? [] : [`${where}: not an array of strings`];
    case 'RateLimiter':
      return checkObject(where, rateLimiter, value);
    case 'TokenBucket':
      return checkObject(where, tokenBucket, value);
  }
}
