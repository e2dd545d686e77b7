// Running the Firecracker test double from tests: spawn it, wait for its API socket, talk raw
// HTTP to it (exact bytes in, exact bytes out), and clean up every process and directory.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './paths.js';
import { socketAnswers } from '../../src/socket-answers.js';

export const FAKE_FIRECRACKER = path.join(repoRoot, 'test', 'fake-firecracker', 'firecracker');
export const FAKE_VERSIONS = ['0.25.2', '1.3.3', '1.16.1'] as const;
export type FakeVersion = (typeof FAKE_VERSIONS)[number];

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class FakeProcess {
  stdout = '';
  stderr = '';
  exit: Exit | undefined;
  readonly exited: Promise<Exit>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('latin1');
    child.stderr?.setEncoding('latin1');
    child.stdout?.on('data', (d: string) => { this.stdout += d; });
    child.stderr?.on('data', (d: string) => { this.stderr += d; });
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  /** The exit as the traces record it: the code, or minus the signal number. */
  async exitCode(): Promise<number> {
    const e = await this.exited;
    if (e.signal !== null) return -(os.constants.signals[e.signal]);
    return e.code ?? 0;
  }

  write(text: string | Buffer): void {
    this.child.stdin?.write(text);
  }

  /** Kills it if it still runs and waits for it. */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<Exit> {
    if (this.exit === undefined) this.child.kill(signal);
    return this.exited;
  }
}

export function spawnFake(version: FakeVersion, args: string[], env: Record<string, string> = {}): FakeProcess {
  const child = spawn(FAKE_FIRECRACKER, args, {
    env: { ...process.env, FCVIRT_FAKE_FIRECRACKER_VERSION: version, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new FakeProcess(child);
}

/** Polls `condition` until it holds, failing with `what` at the deadline. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Ready means a connect succeeds; a process that dies first fails the wait at once. */
export async function waitForApi(fake: FakeProcess, socketPath: string): Promise<void> {
  await waitFor(async () => {
    if (fake.exit !== undefined) throw new Error(`the double exited (${JSON.stringify(fake.exit)}) before listening: ${fake.stderr}${fake.stdout}`);
    return socketAnswers(socketPath);
  }, `the API socket ${socketPath}`);
}

/** Starts a double on a fresh socket in `dir` and waits until it accepts connections. */
export async function startFake(version: FakeVersion, dir: string, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<{ fake: FakeProcess; socket: string }> {
  const socket = path.join(dir, `fc-${Math.random().toString(36).slice(2, 8)}.sock`);
  const fake = spawnFake(version, ['--api-sock', socket, ...extraArgs], env);
  await waitForApi(fake, socket);
  return { fake, socket };
}

export interface RawResponse {
  status: number;
  statusLine: string;
  headers: [string, string][];
  /** The body text, or null when the answer had none. */
  body: string | null;
  /** The server closed the connection after answering. */
  closed: boolean;
}

/** One HTTP/1.1 connection to the API socket; requests go one after the other. */
export class RawConnection {
  private readonly socket: net.Socket;
  private buffer = Buffer.alloc(0);
  private closed = false;
  private waiter: (() => void) | undefined;
  private error: Error | undefined;

  private constructor(socketPath: string) {
    this.socket = net.connect(socketPath);
    this.socket.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.waiter?.();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    this.socket.on('error', (e) => {
      this.error = e;
      this.waiter?.();
    });
  }

  static async open(socketPath: string): Promise<RawConnection> {
    const c = new RawConnection(socketPath);
    await new Promise<void>((resolve, reject) => {
      c.socket.once('connect', () => { resolve(); });
      c.socket.once('error', reject);
    });
    return c;
  }

  async request(method: string, target: string, body?: string | Buffer): Promise<RawResponse> {
    let head = `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n`;
    const payload = body === undefined ? undefined : Buffer.from(body);
    if (payload !== undefined) head += `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\n`;
    this.socket.write(payload === undefined ? `${head}\r\n` : Buffer.concat([Buffer.from(`${head}\r\n`), payload]));
    return this.readResponse();
  }

  private async readResponse(): Promise<RawResponse> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const parsed = this.tryParse();
      if (parsed !== undefined) return parsed;
      if (this.error !== undefined) throw this.error;
      if (this.closed) throw new Error('connection closed before a complete answer');
      if (Date.now() > deadline) throw new Error('no answer within 10 s');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 100);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  private tryParse(): RawResponse | undefined {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end === -1) return undefined;
    const lines = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
    const statusLine = lines[0] ?? '';
    const headers = lines.slice(1).map((l): [string, string] => {
      const i = l.indexOf(':');
      return [l.slice(0, i), l.slice(i + 1).trim()];
    });
    const length = headers.find(([k]) => k.toLowerCase() === 'content-length');
    const bodyLength = length === undefined ? 0 : Number(length[1]);
    if (this.buffer.length < end + 4 + bodyLength) return undefined;
    const body = length === undefined ? null : this.buffer.subarray(end + 4, end + 4 + bodyLength).toString('utf8');
    this.buffer = this.buffer.subarray(end + 4 + bodyLength);
    return { status: Number(statusLine.split(' ')[1]), statusLine, headers, body, closed: this.closed };
  }

  /** Waits briefly for the server to close its side; true if it did. */
  async closedByServer(timeoutMs = 2000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** One request on its own connection. */
export async function rawRequest(socketPath: string, method: string, target: string, body?: string | Buffer): Promise<RawResponse> {
  const c = await RawConnection.open(socketPath);
  try {
    return await c.request(method, target, body);
  } finally {
    c.close();
  }
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix = 'fcvirt-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => { fs.rmSync(dir, { recursive: true, force: true }); } };
}

/** Replaces the timestamps of Firecracker log lines so runs can be compared. */
export function normaliseLog(text: string): string {
  return text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}/g, '<TIME>');
}

/** Files a guest needs (kernel, root disk) and the requests that boot it, in the version's dialect. */
export function bootRequests(version: FakeVersion, dir: string, bootArgs = 'console=ttyS0 reboot=k panic=1 pci=off'): [string, string, string][] {
  const kernel = path.join(dir, 'vmlinux');
  const rootfs = path.join(dir, 'rootfs.ext4');
  if (!fs.existsSync(kernel)) fs.writeFileSync(kernel, 'kernel');
  if (!fs.existsSync(rootfs)) {
    fs.writeFileSync(rootfs, '');
    fs.truncateSync(rootfs, 1024 * 1024);
  }
  const smt = version === '0.25.2' ? '"ht_enabled": false' : '"smt": false';
  return [
    ['PUT', '/machine-config', `{"vcpu_count": 1, "mem_size_mib": 128, ${smt}}`],
    ['PUT', '/boot-source', JSON.stringify({ kernel_image_path: kernel, boot_args: bootArgs })],
    ['PUT', '/drives/rootfs', JSON.stringify({ drive_id: 'rootfs', path_on_host: rootfs, is_root_device: true, is_read_only: false })],
    ['PUT', '/actions', '{"action_type": "InstanceStart"}'],
  ];
}

/** Sends requests that must all succeed. */
export async function expectOk(socketPath: string, requests: [string, string, string?][]): Promise<void> {
  for (const [method, target, body] of requests) {
    const answer = await rawRequest(socketPath, method, target, body);
    if (answer.status >= 300) throw new Error(`${method} ${target} answered ${answer.status}: ${answer.body ?? ''}`);
  }
}
