// Firecracker's API server: each HTTP request is routed on (method, first path segment,
// body present or not), its body deserialised (parsed_request.rs and request/*.rs), then
// handed to the VMM; errors become `{"fault_message": ...}` and every request is logged.
import type { ApiRequest, ApiResponse, Handled } from './http-server.js';
import type { FcLogger } from './log.js';
import { ActionError } from './messages.js';
import type { Metrics } from './metrics.js';
import type { Profile } from './profile.js';
import type { Balloon, BootSource, Drive, MmdsConfig, NetIface, Obj, Vsock } from './resources.js';
import { normaliseMac } from './resources.js';
import { SerdeError, asSerde, rustDebugStr, toJson } from './serde-json.js';
import { deserialize, type Schema } from './serde-schema.js';
import type { Schemas } from './schemas.js';
import { parseValue, type LoadParams, type MachineUpdate, type Vmm, type VmmAction } from './vmm.js';

/** parsed_request.rs's RequestError: the fault_message, its status, and its Debug form. */
class RequestError extends Error {
  constructor(
    readonly text: string,
    readonly debug: string,
    readonly status = 400,
  ) {
    super(text);
  }
}

const generic = (text: string): RequestError => new RequestError(text, `Generic(BadRequest, ${rustDebugStr(text)})`);
const emptyId = (): RequestError => new RequestError('The ID cannot be empty.', 'EmptyID');
const invalidId = (): RequestError => new RequestError('API Resource IDs can only contain alphanumeric characters and underscores.', 'InvalidID');
const invalidPath = (path: string, method: string): RequestError =>
  new RequestError(`Invalid request method and/or path: ${method} ${path}.`, `InvalidPathMethod(${rustDebugStr(path)}, ${methodDebug(method)})`);
const serde = (err: SerdeError): RequestError =>
  new RequestError(
    `An error occurred when deserializing the json body of a request: ${err.toString()}.`,
    `SerdeJson(Error(${rustDebugStr(err.text)}, line: ${err.line}, column: ${err.column}))`,
  );

const ID_MISMATCH = 'The id from the path does not match the id from the body!';

function methodDebug(method: string): string {
  return method.charAt(0) + method.slice(1).toLowerCase();
}

interface Parsed {
  action: VmmAction;
  deprecation?: string;
}

export interface ApiContext {
  profile: Profile;
  schemas: Schemas;
  vmm: Vmm;
  logger: FcLogger;
  metrics: Metrics;
  /** Ends the process after the answer was written (a failed snapshot load). */
  exitAfterAnswer(code: number): void;
}

export class ApiServer {
  constructor(private readonly ctx: ApiContext) {}

  handle(request: ApiRequest): Handled {
    const { logger, profile } = this.ctx;
    const path = absPath(request.uri);
    logger.log('INFO', 'fc_api', '', `The API server received a ${describe(request.method, path, request.body)}.`);
    let parsed: Parsed;
    try {
      parsed = this.parse(request, path);
    } catch (e) {
      const err = e instanceof RequestError ? e : serde(asSerde(e));
      logger.log('ERROR', 'fc_api', profile.origin.apiParseError, profile.modern ? err.debug : err.text);
      return { response: fault(err.status, err.text) };
    }
    let response: ApiResponse;
    try {
      const data = this.ctx.vmm.handle(parsed.action);
      if (data === null) {
        logger.log('INFO', 'fc_api', '', 'The request was executed successfully. Status code: 204 No Content.');
        response = { status: 204 };
      } else {
        logger.log('INFO', 'fc_api', '', 'The request was executed successfully. Status code: 200 OK.');
        response = { status: 200, body: data.body };
      }
    } catch (e) {
      if (!(e instanceof ActionError)) throw e;
      const status = e.status === 413 ? '413 Payload too large' : '400 Bad Request';
      logger.log('ERROR', 'fc_api', profile.origin.apiActionError, `Received Error. Status code: ${status}. Message: ${e.text}`);
      response = fault(e.status, e.text);
    }
    if (parsed.deprecation !== undefined && profile.v1) {
      logger.log('WARN', 'fc_api', profile.origin.deprecation, parsed.deprecation);
      response.deprecation = true;
    }
    const fatal = this.ctx.vmm.fatalExit;
    if (fatal !== undefined) return { response, afterWrite: () => { this.ctx.exitAfterAnswer(fatal); } };
    return { response };
  }

  private parse(request: ApiRequest, path: string): Parsed {
    const { profile } = this.ctx;
    const tokens = pathTokens(path);
    const first = tokens[0] ?? '';
    const second = tokens[1];
    const body = request.body;
    const m = request.method;
    if (m === 'GET') {
      if (body !== undefined) throw generic('GET request cannot have a body.');
      switch (first) {
        case '':
          return sync({ type: 'GetVmInstanceInfo' });
        case 'balloon':
          return this.getBalloon(tokens);
        case 'version':
          if (profile.v1) return sync({ type: 'GetVmmVersion' });
          break;
        case 'vm':
          if (second === 'config') return sync({ type: 'GetFullVmConfig' });
          break;
        case 'machine-config':
          return sync({ type: 'GetVmMachineConfig' });
        case 'mmds':
          return sync({ type: 'GetMMDS' });
        case 'hotplug':
          if (profile.modern && second === 'memory') return sync({ type: 'GetMemoryHotplugStatus' });
          break;
      }
      throw invalidPath(first, m);
    }
    if (m === 'PUT') {
      if (body === undefined) throw generic('Empty PUT request.');
      return this.put(first, tokens, body);
    }
    if (m === 'PATCH') {
      if (profile.modern && first === 'balloon') return this.patchBalloon(tokens, body);
      if (body === undefined) throw generic('Empty PATCH request.');
      return this.patch(first, tokens, body);
    }
    // DELETE, known to v1.16's micro_http: hot-unplug.
    if (['drives', 'pmem', 'network-interfaces'].includes(first) && body === undefined) {
      if (second === undefined) throw emptyId();
      return sync({ type: 'HotUnplugDevice', id: checkedId(second) });
    }
    if (body !== undefined) throw generic('Empty Delete request.');
    throw invalidPath(first, m);
  }

  private read(schema: Schema, body: Buffer): Obj {
    return deserialize(body, schema) as Obj;
  }

  private put(first: string, tokens: string[], body: Buffer): Parsed {
    const { profile, schemas: s } = this.ctx;
    const second = tokens[1];
    switch (first) {
      case 'actions': {
        const { action_type: type } = this.read(s.action, body);
        if (type === 'InstanceStart') return sync({ type: 'StartMicroVm' });
        if (type === 'FlushMetrics') return sync({ type: 'FlushMetrics' });
        return sync({ type: 'SendCtrlAltDel' });
      }
      case 'balloon':
        return sync({ type: 'SetBalloonDevice', cfg: balloon(this.read(s.balloon, body)) });
      case 'boot-source':
        return sync({ type: 'ConfigureBootSource', cfg: this.read(s.bootSource, body) as unknown as BootSource });
      case 'drives': {
        const id = requireId(second);
        const cfg = this.read(s.drive, body);
        if (cfg.drive_id !== id) throw generic(ID_MISMATCH);
        return sync({ type: 'InsertBlockDevice', cfg: drive(cfg) });
      }
      case 'logger':
        return sync({ type: 'ConfigureLogger', cfg: this.read(s.logger, body) });
      case 'machine-config':
        return this.putMachineConfig(body);
      case 'metrics':
        return sync({ type: 'ConfigureMetrics', path: this.read(s.metrics, body).metrics_path as string });
      case 'mmds':
        if (second === undefined) return sync({ type: 'PutMMDS', value: parseValue(body) });
        if (second === 'config') return this.mmdsConfig(body);
        throw generic(`Unrecognized PUT request path \`${second}\`.`);
      case 'network-interfaces': {
        const id = requireId(second);
        const cfg = this.read(s.net, body);
        if (cfg.iface_id !== id) throw generic(ID_MISMATCH);
        return sync({ type: 'InsertNetworkDevice', cfg: netIface(cfg) });
      }
      case 'snapshot':
        if (second === 'create') return sync({ type: 'CreateSnapshot', cfg: this.read(s.snapshotCreate, body) });
        if (second === 'load') return this.snapshotLoad(body);
        if (second === undefined) throw generic('Missing snapshot operation type.');
        throw invalidPath(`/snapshot/${second}`, 'PUT');
      case 'vsock': {
        const cfg = this.read(s.vsock, body);
        const parsed = sync({ type: 'SetVsockDevice', cfg: cfg as unknown as Vsock });
        if (profile.modern && cfg.vsock_id !== null) parsed.deprecation = 'PUT /vsock: vsock_id field is deprecated.';
        return parsed;
      }
    }
    if (profile.modern && s.entropy && s.serial && s.pmem && s.hotplugMemory && s.cpuConfig) {
      switch (first) {
        case 'entropy':
          return sync({ type: 'SetEntropyDevice', cfg: this.read(s.entropy, body) });
        case 'serial':
          return sync({ type: 'ConfigureSerial', cfg: this.read(s.serial, body) });
        case 'pmem': {
          const id = requireId(second);
          const cfg = this.read(s.pmem, body);
          if (cfg.id !== id) throw generic(ID_MISMATCH);
          return sync({ type: 'InsertPmemDevice', cfg });
        }
        case 'hotplug':
          if (second === 'memory') return sync({ type: 'SetMemoryHotplugDevice', cfg: this.read(s.hotplugMemory, body) });
          break;
        case 'cpu-config':
          return sync({ type: 'PutCpuConfiguration', cfg: this.read(s.cpuConfig, body) });
      }
    }
    throw invalidPath(first, 'PUT');
  }

  private patch(first: string, tokens: string[], body: Buffer): Parsed {
    const { profile, schemas: s } = this.ctx;
    const second = tokens[1];
    switch (first) {
      case 'balloon':
        if (second === 'statistics') {
          return sync({ type: 'UpdateBalloonStatistics', interval: this.read(s.balloonStatsUpdate, body).stats_polling_interval_s as number });
        }
        if (second !== undefined) throw generic(`Unrecognized PATCH request path \`${second}\`.`);
        return sync({ type: 'UpdateBalloon', amount_mib: this.read(s.balloonUpdate, body).amount_mib as number });
      case 'drives': {
        const id = requireId(second);
        const cfg = this.read(s.drivePatch, body);
        if (cfg.drive_id !== id) throw generic(ID_MISMATCH);
        if (!profile.modern && cfg.path_on_host === null && cfg.rate_limiter === null) {
          throw generic('Please specify at least one property to patch: path_on_host, rate_limiter.');
        }
        return sync({ type: 'UpdateBlockDevice', cfg });
      }
      case 'machine-config':
        return this.patchMachineConfig(body);
      case 'mmds':
        return sync({ type: 'PatchMMDS', value: parseValue(body) });
      case 'network-interfaces': {
        const id = requireId(second);
        const cfg = this.read(s.netPatch, body);
        if (cfg.iface_id !== id) throw generic(ID_MISMATCH);
        return sync({ type: 'UpdateNetworkInterface', cfg });
      }
      case 'vm': {
        const { state } = this.read(s.vmState, body);
        return sync({ type: state === 'Paused' ? 'Pause' : 'Resume' });
      }
    }
    if (profile.modern && s.pmemPatch && s.hotplugMemoryUpdate) {
      if (first === 'pmem') {
        const id = requireId(second);
        const cfg = this.read(s.pmemPatch, body);
        if (cfg.id !== id) throw generic(ID_MISMATCH);
        return sync({ type: 'UpdatePmemDevice', cfg });
      }
      if (first === 'hotplug' && second === 'memory') {
        return sync({ type: 'UpdateMemoryHotplugSize', size: this.read(s.hotplugMemoryUpdate, body).requested_size_mib as bigint });
      }
    }
    throw invalidPath(first, 'PATCH');
  }

  private getBalloon(tokens: string[]): Parsed {
    const second = tokens[1];
    if (second === undefined) return sync({ type: 'GetBalloonConfig' });
    if (second === 'statistics') return sync({ type: 'GetBalloonStats' });
    if (this.ctx.profile.modern && second === 'hinting') {
      const third = tokens[2];
      if (third === 'status') return sync({ type: 'GetFreePageHintingStatus' });
      throw generic(`Unrecognized GET request path \`/hinting/${third ?? ''}\`.`);
    }
    throw generic(`Unrecognized GET request path \`${second}\`.`);
  }

  /** v1.16: PATCH /balloon/hinting/start may come without a body. */
  private patchBalloon(tokens: string[], body: Buffer | undefined): Parsed {
    const s = this.ctx.schemas;
    const second = tokens[1];
    if (second === 'statistics' && body !== undefined) {
      return sync({ type: 'UpdateBalloonStatistics', interval: this.read(s.balloonStatsUpdate, body).stats_polling_interval_s as number });
    }
    if (second === 'hinting') {
      const third = tokens[2];
      if (third === 'start') {
        if (body !== undefined && s.balloonHintingStart) this.read(s.balloonHintingStart, body);
        return sync({ type: 'StartFreePageHinting' });
      }
      if (third === 'stop') return sync({ type: 'StopFreePageHinting' });
      throw generic(`Unrecognized PATCH request path \`/hinting/${third ?? ''}\`.`);
    }
    if (body === undefined) throw generic('Empty PATCH request.');
    return sync({ type: 'UpdateBalloon', amount_mib: this.read(s.balloonUpdate, body).amount_mib as number });
  }

  private putMachineConfig(body: Buffer): Parsed {
    const { profile, schemas: s } = this.ctx;
    const cfg = this.read(s.machineConfigPut, body);
    if (!profile.v1) {
      if (cfg.vcpu_count === null || cfg.mem_size_mib === null || cfg.ht_enabled === null) throw generic('Missing mandatory fields.');
      return sync({ type: 'SetVmConfiguration', update: machineUpdate(cfg, 'ht_enabled') });
    }
    const update = machineUpdate(cfg, 'smt');
    const parsed = sync({ type: 'SetVmConfiguration', update });
    if (profile.modern && cfg.cpu_template !== null) parsed.deprecation = 'PUT /machine-config: cpu_template field is deprecated.';
    return parsed;
  }

  private patchMachineConfig(body: Buffer): Parsed {
    const { profile, schemas: s } = this.ctx;
    const cfg = this.read(s.machineConfigPatch, body);
    const keys = profile.v1
      ? ['vcpu_count', 'mem_size_mib', 'smt', 'cpu_template', 'track_dirty_pages', 'huge_pages']
      : ['vcpu_count', 'mem_size_mib', 'cpu_template', 'ht_enabled'];
    if (keys.every((k) => cfg[k] === null || cfg[k] === undefined)) throw generic('Empty PATCH request.');
    const update = machineUpdate(cfg, profile.v1 ? 'smt' : 'ht_enabled');
    const parsed = sync({ type: 'SetVmConfiguration', update });
    if (profile.modern && cfg.cpu_template !== null) parsed.deprecation = 'PATCH /machine-config: cpu_template field is deprecated.';
    return parsed;
  }

  private mmdsConfig(body: Buffer): Parsed {
    const { profile, schemas: s } = this.ctx;
    const cfg = this.read(s.mmdsConfig, body);
    const config: MmdsConfig = {
      version: (cfg.version as string | undefined) ?? 'V1',
      network_interfaces: (cfg.network_interfaces as string[] | undefined) ?? [],
      ipv4_address: cfg.ipv4_address as string | null,
      imds_compat: (cfg.imds_compat as boolean | undefined) ?? false,
    };
    const parsed = sync({ type: 'SetMmdsConfiguration', cfg: config });
    if (profile.v1 && config.version === 'V1') parsed.deprecation = 'PUT /mmds/config: V1 is deprecated. Use V2 instead.';
    return parsed;
  }

  private snapshotLoad(body: Buffer): Parsed {
    const { profile, schemas: s } = this.ctx;
    const cfg = this.read(s.snapshotLoad, body);
    let params: LoadParams;
    let deprecation: string | undefined;
    if (!profile.v1) {
      params = {
        snapshot_path: cfg.snapshot_path as string,
        mem_backend_path: cfg.mem_file_path as string,
        mem_backend_type: 'File',
        track_dirty_pages: cfg.enable_diff_snapshots as boolean,
        resume_vm: cfg.resume_vm as boolean,
        network_overrides: [],
        vsock_override: null,
      };
    } else {
      const memFile = cfg.mem_file_path as string | null;
      const backend = cfg.mem_backend as Obj | null;
      // These two are serde_json custom errors without a position.
      if (memFile !== null && backend !== null) throw serde(new SerdeError('too many fields: either `mem_backend` or `mem_file_path` exclusively is required'));
      if (memFile === null && backend === null) throw serde(new SerdeError('missing field: either `mem_backend` or `mem_file_path` is required'));
      const diff = cfg.enable_diff_snapshots as boolean;
      if (profile.modern && (memFile !== null || diff)) deprecation = 'PUT /snapshot/load: mem_file_path and enable_diff_snapshots fields are deprecated.';
      else if (memFile !== null) deprecation = 'PUT /snapshot/load: mem_file_path field is deprecated.';
      params = {
        snapshot_path: cfg.snapshot_path as string,
        mem_backend_path: memFile ?? (backend?.backend_path as string),
        mem_backend_type: memFile !== null ? 'File' : (backend?.backend_type as string),
        track_dirty_pages: diff || cfg.track_dirty_pages === true,
        resume_vm: cfg.resume_vm as boolean,
        network_overrides: (cfg.network_overrides as { iface_id: string; host_dev_name: string }[] | undefined) ?? [],
        vsock_override: ((cfg.vsock_override as Obj | null | undefined)?.uds_path as string | undefined) ?? null,
      };
    }
    const parsed = sync({ type: 'LoadSnapshot', cfg: params });
    if (deprecation !== undefined) parsed.deprecation = deprecation;
    return parsed;
  }
}

function sync(action: VmmAction): Parsed {
  return { action };
}

function fault(status: number, message: string): ApiResponse {
  return { status, body: toJson({ fault_message: message }) };
}

/** micro_http's Uri::get_abs_path. */
export function absPath(uri: string): string {
  if (uri.startsWith('http://')) {
    const rest = uri.slice('http://'.length);
    const slash = rest.indexOf('/');
    return slash === -1 ? '' : rest.slice(slash);
  }
  return uri.startsWith('/') ? uri : '';
}

/** `trim_start_matches('/')` then `split_terminator('/')`. */
export function pathTokens(path: string): string[] {
  const trimmed = path.replace(/^\/+/, '');
  if (trimmed === '') return [];
  const tokens = trimmed.split('/');
  if (tokens[tokens.length - 1] === '') tokens.pop();
  return tokens;
}

/** Resource ids: letters and digits in the Unicode sense, and underscores. */
export function checkedId(id: string): string {
  if (id === '') throw emptyId();
  if (!/^[\p{Alphabetic}\p{N}_]+$/u.test(id)) throw invalidId();
  return id;
}

function requireId(id: string | undefined): string {
  if (id === undefined) throw emptyId();
  return checkedId(id);
}

/** The request as parsed_request.rs describes it in the log. */
function describe(method: string, path: string, body: Buffer | undefined): string {
  const what = `${methodDebug(method)} request on ${rustDebugStr(path)}`;
  if (body === undefined || path === '/mmds') return what;
  if (path === '/cpu-config') return `${what}. To view the CPU template received by the API, configure log-level to DEBUG`;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body);
  return `${what} with body ${rustDebugStr(text)}`;
}

function machineUpdate(cfg: Obj, smtKey: string): MachineUpdate {
  return {
    vcpu_count: cfg.vcpu_count as number | null,
    mem_size_mib: cfg.mem_size_mib as bigint | null,
    smt: cfg[smtKey] as boolean | null,
    cpu_template: (cfg.cpu_template as string | null | undefined) ?? null,
    track_dirty_pages: cfg.track_dirty_pages as boolean | null,
    huge_pages: (cfg.huge_pages as string | null | undefined) ?? null,
  };
}

function drive(cfg: Obj): Drive {
  return {
    drive_id: cfg.drive_id as string,
    path_on_host: (cfg.path_on_host as string | null | undefined) ?? null,
    is_root_device: cfg.is_root_device as boolean,
    partuuid: (cfg.partuuid as string | null | undefined) ?? null,
    is_read_only: (cfg.is_read_only as boolean | null | undefined) ?? false,
    cache_type: (cfg.cache_type as string | undefined) ?? 'Unsafe',
    rate_limiter: (cfg.rate_limiter as Obj | null | undefined) ?? null,
    io_engine: (cfg.io_engine as string | null | undefined) ?? 'Sync',
    socket: (cfg.socket as string | null | undefined) ?? null,
  };
}

function netIface(cfg: Obj): NetIface {
  const mac = cfg.guest_mac as string | null;
  return {
    iface_id: cfg.iface_id as string,
    host_dev_name: cfg.host_dev_name as string,
    guest_mac: mac === null ? null : normaliseMac(mac),
    mtu: (cfg.mtu as number | null | undefined) ?? null,
    rx_rate_limiter: cfg.rx_rate_limiter as Obj | null,
    tx_rate_limiter: cfg.tx_rate_limiter as Obj | null,
    allow_mmds_requests: (cfg.allow_mmds_requests as boolean | undefined) ?? false,
  };
}

function balloon(cfg: Obj): Balloon {
  return {
    amount_mib: cfg.amount_mib as number,
    deflate_on_oom: cfg.deflate_on_oom as boolean,
    stats_polling_interval_s: cfg.stats_polling_interval_s as number,
    free_page_hinting: (cfg.free_page_hinting as boolean | undefined) ?? false,
    free_page_reporting: (cfg.free_page_reporting as boolean | undefined) ?? false,
  };
}
