// The driver's client for a Firecracker API socket: HTTP/1.1 over a UNIX socket, one
// keep-alive connection, one request at a time (Firecracker serves them one at a time too).
// Every failure becomes a VirError that carries Firecracker's own words and the request
// that was refused, and says so when the Firecracker process died instead of answering.
import http from 'node:http';
import { VirError } from '../errors.js';
import { socketAnswers } from '../socket-answers.js';

export type ApiMethod = 'GET' | 'PUT' | 'PATCH';

/** One API request; a request plan is an ordered list of these. */
export interface ApiRequest {
  method: ApiMethod;
  path: string;
  body?: unknown;
}

export interface ApiAnswer {
  status: number;
  /** The parsed JSON body; the raw text if it is not JSON; null when there is none. */
  body: unknown;
}

/** How a process ended, as child_process reports it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface InstanceInfo {
  app_name: string;
  id: string;
  state: 'Not started' | 'Running' | 'Paused';
  vmm_version: string;
}

export interface FirecrackerApiClientOptions {
  /** Per-request timeout in milliseconds (default 10 s). */
  timeoutMs?: number;
  /** The Firecracker version behind the socket ("0.25.2"), when already probed. */
  firecrackerVersion?: string;
  /** Settles when the Firecracker process exits: lets errors say the process died. */
  processExited?: Promise<ProcessExit>;
}

export interface CreateSnapshotOptions {
  snapshotPath: string;
  memFilePath: string;
  snapshotType?: 'Full' | 'Diff';
  /** Snapshot data format to write (v0.25 up to v1.5 only), e.g. "0.25.0". */
  snapshotVersion?: string;
}

export interface LoadSnapshotOptions {
  snapshotPath: string;
  memFilePath: string;
  resumeVm?: boolean;
  /** Keep tracking dirty pages after the load (needed for later Diff snapshots). */
  trackDirtyPages?: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** After a broken connection, how long to wait for the process exit to be reported. */
const EXIT_GRACE_MS = 300;

class RequestTimeout extends Error {}

export class FirecrackerApiClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly timeoutMs: number;
  private exit: ProcessExit | undefined;
  private version: string | undefined;

  constructor(
    readonly socketPath: string,
    private readonly options: FirecrackerApiClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.version = options.firecrackerVersion;
    void options.processExited?.then((e) => {
      this.exit = e;
    });
  }

  /** Closes the kept-alive connection. */
  close(): void {
    this.agent.destroy();
  }

  /** Sends one request and returns Firecracker's answer, whatever its status. */
  async request(method: ApiMethod, path: string, body?: unknown, options: { timeoutMs?: number } = {}): Promise<ApiAnswer> {
    const what = `${method} ${path}`;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    try {
      return await this.send(method, path, payload, timeoutMs);
    } catch (e) {
      if (e instanceof RequestTimeout) {
        throw new VirError('VIR_ERR_OPERATION_TIMEOUT', `Firecracker did not answer ${what} on ${this.socketPath} within ${timeoutMs} ms`);
      }
      throw await this.connectionError(what, e);
    }
  }

  /**
   * Sends a request plan in order and stops at the first refusal, with an error naming the
   * request and quoting Firecracker's fault_message verbatim.
   */
  async apply(plan: readonly ApiRequest[]): Promise<void> {
    for (const step of plan) await this.call(step.method, step.path, step.body);
  }

  /** A request that must succeed (2xx); its body is returned. */
  async call(method: ApiMethod, path: string, body?: unknown): Promise<unknown> {
    const answer = await this.request(method, path, body);
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    throw new VirError('VIR_ERR_OPERATION_FAILED', `Firecracker refused ${method} ${path}: ${faultText(answer)}`);
  }

  /** GET / : id, state ("Not started", "Running", "Paused") and version. */
  async getInstanceInfo(): Promise<InstanceInfo> {
    const body = await this.call('GET', '/');
    if (!isInstanceInfo(body)) throw this.unexpected('GET /', body);
    this.version ??= body.vmm_version;
    return body;
  }

  /** The Firecracker version: GET /version from v1.0 on, the instance info's vmm_version before. */
  async getVersion(): Promise<string> {
    if (this.version === undefined || majorOf(this.version) === 0) {
      return (await this.getInstanceInfo()).vmm_version;
    }
    const body = await this.call('GET', '/version');
    const version = (body as { firecracker_version?: unknown } | null)?.firecracker_version;
    if (typeof version !== 'string') throw this.unexpected('GET /version', body);
    this.version = version;
    return version;
  }

  async pause(): Promise<void> {
    await this.call('PATCH', '/vm', { state: 'Paused' });
  }

  async resume(): Promise<void> {
    await this.call('PATCH', '/vm', { state: 'Resumed' });
  }

  /** Asks the guest to shut down (x86: a ctrl-alt-del on its i8042 keyboard). */
  async sendCtrlAltDel(): Promise<void> {
    await this.call('PUT', '/actions', { action_type: 'SendCtrlAltDel' });
  }

  /** PATCH /balloon: inflates or deflates the balloon to amountMib. */
  async updateBalloon(amountMib: number): Promise<void> {
    await this.call('PATCH', '/balloon', { amount_mib: amountMib });
  }

  /**
   * GET /balloon/statistics; undefined when Firecracker has none to give (no balloon, or one
   * without a polling interval: it answers 400 then).
   */
  async getBalloonStats(): Promise<Record<string, unknown> | undefined> {
    const answer = await this.request('GET', '/balloon/statistics');
    if (answer.status < 200 || answer.status >= 300 || typeof answer.body !== 'object' || answer.body === null) return undefined;
    return answer.body as Record<string, unknown>;
  }

  async flushMetrics(): Promise<void> {
    await this.call('PUT', '/actions', { action_type: 'FlushMetrics' });
  }

  /** PUT /snapshot/create on a paused microVM; `version` is sent only where it exists. */
  async createSnapshot(options: CreateSnapshotOptions): Promise<void> {
    const body: Record<string, unknown> = {
      snapshot_type: options.snapshotType ?? 'Full',
      snapshot_path: options.snapshotPath,
      mem_file_path: options.memFilePath,
    };
    if (options.snapshotVersion !== undefined) {
      const version = await this.knownVersion();
      if (compareVersions(version, '1.6.0') >= 0) {
        throw new VirError(
          'VIR_ERR_CONFIG_UNSUPPORTED',
          `Firecracker ${version} writes snapshots only in its own format; a snapshot format version (${options.snapshotVersion}) can be chosen on versions before 1.6.0`,
        );
      }
      body.version = options.snapshotVersion;
    }
    await this.call('PUT', '/snapshot/create', body);
  }

  /**
   * PUT /snapshot/load, into a fresh process. The fields follow the version: `mem_file_path`
   * before v1.1, `mem_backend` after; `track_dirty_pages` from v1.13, `enable_diff_snapshots`
   * before. A failed load makes Firecracker exit right after answering.
   */
  async loadSnapshot(options: LoadSnapshotOptions): Promise<void> {
    const version = await this.knownVersion();
    const body: Record<string, unknown> = { snapshot_path: options.snapshotPath };
    if (compareVersions(version, '1.1.0') >= 0) body.mem_backend = { backend_type: 'File', backend_path: options.memFilePath };
    else body.mem_file_path = options.memFilePath;
    if (options.trackDirtyPages === true) {
      body[compareVersions(version, '1.13.0') >= 0 ? 'track_dirty_pages' : 'enable_diff_snapshots'] = true;
    }
    body.resume_vm = options.resumeVm ?? false;
    await this.call('PUT', '/snapshot/load', body);
  }

  private async knownVersion(): Promise<string> {
    this.version ??= (await this.getInstanceInfo()).vmm_version;
    return this.version;
  }

  private unexpected(what: string, body: unknown): VirError {
    // JSON.stringify gives undefined for undefined, whatever its declared type says.
    const text = JSON.stringify(body) as string | undefined;
    return new VirError('VIR_ERR_INTERNAL_ERROR', `unexpected answer from Firecracker to ${what}: ${truncate(text ?? 'nothing')}`);
  }

  private send(method: ApiMethod, path: string, payload: Buffer | undefined, timeoutMs: number): Promise<ApiAnswer> {
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { Accept: 'application/json' };
      if (payload !== undefined) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = payload.length;
      }
      const req = http.request({ socketPath: this.socketPath, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: parseBody(text) });
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      });
      const timer = setTimeout(() => { req.destroy(new RequestTimeout()); }, timeoutMs);
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.end(payload);
    });
  }

  /** Explains a failed exchange: the process died, nothing listens, or the connection broke. */
  private async connectionError(what: string, e: unknown): Promise<VirError> {
    const cause = e instanceof Error ? e.message : String(e);
    const exit = await this.exitSoon();
    if (exit !== undefined) {
      return new VirError('VIR_ERR_OPERATION_FAILED', `Firecracker exited (${describeExit(exit)}) before answering ${what}`, { cause: e });
    }
    const code = (e as { code?: unknown } | undefined)?.code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED') {
      return new VirError('VIR_ERR_OPERATION_FAILED', `cannot reach Firecracker's API socket ${this.socketPath} for ${what}: ${cause}`, { cause: e });
    }
    return new VirError('VIR_ERR_OPERATION_FAILED', `connection to Firecracker's API socket ${this.socketPath} broke during ${what}: ${cause}`, { cause: e });
  }

  private async exitSoon(): Promise<ProcessExit | undefined> {
    const exited = this.options.processExited;
    if (this.exit !== undefined || exited === undefined) return this.exit;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => { resolve(undefined); }, EXIT_GRACE_MS);
    });
    const result = await Promise.race([exited, grace]);
    clearTimeout(timer);
    return result;
  }
}

export interface WaitForApiSocketOptions {
  /** Absolute time (milliseconds since the epoch, as Date.now()) after which to give up. */
  deadline: number;
  /** Settles when the Firecracker process exits: waiting stops at once. */
  processExited?: Promise<ProcessExit>;
  /** Delay between connection attempts (default 10 ms). */
  intervalMs?: number;
}

/**
 * Waits until Firecracker accepts connections on its API socket. The socket file can exist
 * before Firecracker listens, so only a successful connect counts; if the process exits
 * first, this fails at once with how it ended.
 */
export async function waitForApiSocket(socketPath: string, options: WaitForApiSocketOptions): Promise<void> {
  const interval = options.intervalMs ?? 10;
  let exit: ProcessExit | undefined;
  let wake: (() => void) | undefined;
  void options.processExited?.then((e) => {
    exit = e;
    wake?.();
  });
  for (;;) {
    if (exit !== undefined) {
      throw new VirError('VIR_ERR_OPERATION_FAILED', `Firecracker exited (${describeExit(exit)}) before its API socket ${socketPath} accepted connections`);
    }
    if (await socketAnswers(socketPath)) return;
    const left = options.deadline - Date.now();
    if (left <= 0) {
      throw new VirError('VIR_ERR_OPERATION_TIMEOUT', `Firecracker's API socket ${socketPath} did not accept connections in time`);
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, Math.min(interval, left));
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
    wake = undefined;
  }
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Firecracker's own words: its fault_message, else whatever it sent. */
function faultText(answer: ApiAnswer): string {
  const body = answer.body;
  if (typeof body === 'object' && body !== null && typeof (body as { fault_message?: unknown }).fault_message === 'string') {
    return (body as { fault_message: string }).fault_message;
  }
  if (typeof body === 'string' && body !== '') return body;
  if (body !== null) return JSON.stringify(body);
  return `HTTP status ${answer.status} without a message`;
}

function isInstanceInfo(body: unknown): body is InstanceInfo {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return typeof b.id === 'string' && typeof b.state === 'string' && typeof b.vmm_version === 'string';
}

export function describeExit(exit: ProcessExit): string {
  return exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${exit.code ?? 'unknown'}`;
}

function majorOf(version: string): number {
  return Number(version.split('.')[0]);
}

/** Compares dotted numeric versions ("1.13.0" > "1.3.3"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map(Number);
  const pb = b.split(/[.+-]/).map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function truncate(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
