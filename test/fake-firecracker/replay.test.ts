// Replays what real Firecracker v0.25.2, v1.3.3 and v1.16.1 binaries answered
// (test/data/firecracker-trace/) against the test double, each record in a fresh process
// of the same version: status codes, bodies and fault messages must be identical.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { testData } from '../helpers/paths.js';
import {
  FAKE_VERSIONS, RawConnection, normaliseLog, spawnFake, startFake, waitFor, waitForApi,
  type FakeProcess, type FakeVersion, type RawResponse,
} from '../helpers/fake-firecracker.js';
import { socketAnswers } from '../../src/socket-answers.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface Step {
  request: { method: string; path: string; body?: Json; raw?: string };
  response: { status: number | null; body?: Json; error?: string; process_exit?: number | null; stderr_tail?: string; stdout_tail?: string };
}

interface TraceRecord {
  kind: 'cli' | 'api' | 'boot' | 'snapshot' | 'process';
  scenario?: string;
  argv?: string[];
  exit?: number;
  stdout?: string;
  stderr?: string;
  steps?: Step[];
  create_steps?: Step[];
  load_steps?: Step[];
  exit_code_if_exited?: number | null;
  stderr_tail?: string;
  second_instance_same_socket?: { exit: number; stderr: string; stdout: string };
  sigterm_exit?: number;
}

interface BodyEntry {
  versions: string[];
  kind: string;
  scenario: string;
  steps: string;
  step: number;
  raw: string;
}

const bytes = JSON.parse(fs.readFileSync(testData('firecracker-trace', 'request-bytes.json'), 'utf8')) as {
  placeholderLengths: Record<string, number>;
  bodies: BodyEntry[];
};

function loadTrace(version: FakeVersion): TraceRecord[] {
  return fs
    .readFileSync(testData('firecracker-trace', `v${version}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as TraceRecord);
}

/**
 * A scratch directory shaped like the recorder's: ${WORK} is 21 bytes long, ${KERNEL} and
 * ${DATADISK} live in it, so every serde_json column comes out as recorded.
 */
class Work {
  readonly base: string;
  readonly work: string;
  readonly map: [string, string][];

  constructor() {
    this.base = fs.mkdtempSync('/tmp/fr');
    const workLength = bytes.placeholderLengths['${WORK}'] ?? 21;
    const pad = workLength - this.base.length - 1;
    if (pad < 1) throw new Error(`temporary directory ${this.base} too long to stand for \${WORK}`);
    this.work = path.join(this.base, 'w'.repeat(pad));
    fs.mkdirSync(this.work);
    const kernel = path.join(this.work, 'vmlinux');
    const rootfs = path.join(this.work, 'rootfs.ext4');
    const datadisk = path.join(this.work, 'data.ext4');
    fs.writeFileSync(kernel, Buffer.alloc(4096, 0x7f));
    for (const disk of [rootfs, datadisk]) {
      fs.writeFileSync(disk, '');
      fs.truncateSync(disk, 8 * 1024 * 1024);
    }
    assert.equal(kernel.length, bytes.placeholderLengths['${KERNEL}']);
    assert.equal(datadisk.length, bytes.placeholderLengths['${DATADISK}']);
    // Longest first, so ${WORK} is mapped back only where no file placeholder matched.
    this.map = [
      ['${KERNEL}', kernel],
      ['${ROOTFS}', rootfs],
      ['${DATADISK}', datadisk],
      ['${MISSING}', path.join(this.work, 'missing')],
      ['${WORK}', this.work],
    ];
  }

  path(placeholder: string): string {
    return this.map.find(([p]) => p === placeholder)?.[1] ?? '';
  }

  fill(text: string): string {
    let out = text;
    for (const [p, real] of this.map) out = out.split(p).join(real);
    return out;
  }

  unfill(text: string): string {
    let out = text;
    for (const [p, real] of this.map) out = out.split(real).join(p);
    return out;
  }

  cleanup(): void {
    fs.rmSync(this.base, { recursive: true, force: true });
  }
}

/** Python's json.dumps with its default separators, as the recorder sent bodies. */
function pyDumps(value: Json): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (Array.isArray(value)) return `[${value.map(pyDumps).join(', ')}]`;
  return `{${Object.entries(value).map(([k, v]) => `${pyDumps(k)}: ${pyDumps(v)}`).join(', ')}}`;
}

function fillJson(work: Work, value: Json): Json {
  return JSON.parse(work.fill(JSON.stringify(value))) as Json;
}

/** The bytes the recorder sent for a step. */
function requestBody(version: FakeVersion, work: Work, record: TraceRecord, stepsKey: string, index: number, step: Step): string | undefined {
  const entry = bytes.bodies.find(
    (b) => b.versions.includes(version) && b.kind === record.kind && b.scenario === record.scenario && b.steps === stepsKey && b.step === index,
  );
  if (entry !== undefined) {
    const raw = work.fill(entry.raw);
    assert.deepEqual(JSON.parse(raw), fillJson(work, step.request.body ?? null), `reconstructed bytes of ${record.scenario ?? ''} step ${index} must hold the recorded body`);
    return raw;
  }
  if (step.request.raw !== undefined) return step.request.raw;
  const expected = step.response.body;
  if (typeof expected === 'object' && expected !== null && !Array.isArray(expected)) {
    const fault = expected.fault_message;
    if (typeof fault === 'string' && / at line \d+ column \d+/.test(fault)) {
      assert.fail(`${record.scenario ?? ''} step ${index}: the answer depends on the bytes; add them to request-bytes.json`);
    }
  }
  if (step.request.body === undefined || step.request.body === null) return undefined;
  return pyDumps(fillJson(work, step.request.body));
}

function compare(work: Work, actual: RawResponse, step: Step, where: string): void {
  assert.equal(actual.status, step.response.status, `${where}: status (answer ${actual.body ?? ''})`);
  const expected = step.response.body;
  if (expected === null || expected === undefined) {
    assert.equal(actual.body, null, `${where}: no body`);
    return;
  }
  assert.notEqual(actual.body, null, `${where}: a body`);
  const text = work.unfill(actual.body ?? '');
  if (typeof expected === 'string') {
    // micro_http's own error: not JSON, and the connection is dropped.
    assert.equal(text, expected, `${where}: body`);
  } else {
    assert.deepEqual(JSON.parse(text), expected, `${where}: body`);
  }
}

class Session {
  private conn: RawConnection | undefined;

  constructor(
    readonly version: FakeVersion,
    readonly work: Work,
    readonly fake: FakeProcess,
    readonly socket: string,
  ) {}

  async run(record: TraceRecord, stepsKey: 'steps' | 'create_steps' | 'load_steps'): Promise<void> {
    const steps = record[stepsKey] ?? [];
    for (const [i, step] of steps.entries()) {
      const where = `v${this.version} ${record.kind} ${record.scenario ?? ''} ${stepsKey}[${i}] ${step.request.method} ${step.request.path}`;
      if (step.response.error !== undefined) {
        await this.expectGone(record, step, where);
        continue;
      }
      const body = requestBody(this.version, this.work, record, stepsKey, i, step);
      this.conn ??= await RawConnection.open(this.socket);
      const answer = await this.conn.request(step.request.method, this.work.fill(step.request.path), body);
      compare(this.work, answer, step, where);
      if (typeof step.response.body === 'string') {
        assert.ok(await this.conn.closedByServer(), `${where}: the connection is dropped`);
      }
      if (answer.closed || typeof step.response.body === 'string') {
        this.conn.close();
        this.conn = undefined;
      }
    }
  }

  /** The process exited after answering: the next connection is refused. */
  private async expectGone(record: TraceRecord, step: Step, where: string): Promise<void> {
    this.conn?.close();
    this.conn = undefined;
    const code = await this.fake.exitCode();
    const expectedExit = step.response.process_exit ?? record.exit_code_if_exited;
    if (expectedExit !== null && expectedExit !== undefined) assert.equal(code, expectedExit, `${where}: exit code`);
    assert.equal(step.response.error, 'ConnectionRefusedError');
    assert.equal(await socketAnswers(this.socket), false, `${where}: connection refused`);
    for (const [stream, tail] of [['stderr', step.response.stderr_tail], ['stdout', step.response.stdout_tail]] as const) {
      if (tail === undefined) continue;
      const ours = normaliseLog(this.work.unfill(this.fake[stream]));
      assert.ok(ours.endsWith(normaliseLog(tail)), `${where}: ${stream} ends like the recording\n--- ours:\n${ours}\n--- recorded tail:\n${tail}`);
    }
  }

  close(): void {
    this.conn?.close();
  }
}

async function withProcess(version: FakeVersion, work: Work, fn: (s: Session) => Promise<void>): Promise<FakeProcess> {
  const { fake, socket } = await startFake(version, work.work);
  const session = new Session(version, work, fake, socket);
  try {
    await fn(session);
  } finally {
    session.close();
    await fake.stop();
  }
  return fake;
}

/** Each recorded ERROR/WARN line of the older versions' stderr appears in ours, in order. */
function assertLogLines(work: Work, ours: string, recordedTail: string, where: string): void {
  const lines = normaliseLog(work.unfill(ours)).split('\n');
  let from = 0;
  for (const line of normaliseLog(recordedTail).split('\n')) {
    if (line === '' || line.includes('Got a spurious notification')) continue;
    const at = lines.indexOf(line, from);
    assert.notEqual(at, -1, `${where}: log line missing or out of order: ${line}\n--- ours:\n${lines.join('\n')}`);
    from = at + 1;
  }
}

/** Each record gets its own scratch directory, so records can run side by side. */
async function inWork(fn: (work: Work) => Promise<void>): Promise<void> {
  const work = new Work();
  try {
    await fn(work);
  } finally {
    work.cleanup();
  }
}

for (const version of FAKE_VERSIONS) {
  const trace = loadTrace(version);
  describe(`replay of the v${version} trace`, { concurrency: 3 }, () => {
    for (const record of trace.filter((r) => r.kind === 'cli')) {
      const argv = record.argv ?? [];
      test(`cli ${argv.join(' ')}`, () => inWork(async (work) => {
        const fake = spawnFake(version, argv.map((a) => work.fill(a)));
        fake.child.stdin?.end();
        const code = await fake.exitCode();
        assert.equal(code, record.exit, `exit code; stderr: ${fake.stderr}`);
        assert.equal(normaliseLog(work.unfill(fake.stdout)), normaliseLog(record.stdout ?? ''), 'stdout');
        assert.equal(normaliseLog(work.unfill(fake.stderr)), normaliseLog(record.stderr ?? ''), 'stderr');
      }));
    }

    for (const record of trace.filter((r) => r.kind === 'api')) {
      test(`api ${record.scenario ?? ''}`, () => inWork(async (work) => {
        await withProcess(version, work, (s) => s.run(record, 'steps'));
      }));
    }

    for (const record of trace.filter((r) => r.kind === 'boot')) {
      test(`boot ${record.scenario ?? ''}`, () => inWork(async (work) => {
        const fake = await withProcess(version, work, (s) => s.run(record, 'steps'));
        if (version === '1.16.1') assert.equal(fake.stderr, '', 'v1.16 logs on stdout');
        else assertLogLines(work, fake.stderr, record.stderr_tail ?? '', `boot ${record.scenario ?? ''}`);
      }));
    }

    const missingFile = trace.find((r) => r.kind === 'snapshot' && r.scenario === 'load-missing-file');
    if (missingFile !== undefined) {
      test('snapshot load-missing-file: answers, then exits', () => inWork(async (work) => {
        // See request-bytes.json "state": v1.16.1 had logged into ${MISSING} earlier.
        if (version === '1.16.1') {
          fs.writeFileSync(work.path('${MISSING}'), '2026-12-04T16:59:10.000000000 [anonymous-instance:fc_api] The API server received a Get request on "/".\n');
        }
        await withProcess(version, work, (s) => s.run(missingFile, 'steps'));
      }));
    }

    const roundtrip = trace.find((r) => r.kind === 'snapshot' && r.scenario === 'full-snapshot-roundtrip');
    if (roundtrip !== undefined) {
      test('snapshot full-snapshot-roundtrip: create, then load in a fresh process', () => inWork(async (work) => {
        await withProcess(version, work, (s) => s.run(roundtrip, 'create_steps'));
        const loaded = await withProcess(version, work, async (s) => {
          await s.run(roundtrip, 'load_steps');
          // The last step is SendCtrlAltDel: the restored guest resets and the VMM exits 0.
          assert.equal(await s.fake.exitCode(), 0);
        });
        assert.equal(loaded.exit?.code, 0);
      }));
    }

    const proc = trace.find((r) => r.kind === 'process');
    if (proc?.second_instance_same_socket !== undefined) {
      const second = proc.second_instance_same_socket;
      test('process: a second instance on a socket in use, then SIGTERM', () => inWork(async (work) => {
        const dir = fs.mkdtempSync(path.join(work.work, 'tmp'));
        const socket = path.join(dir, 'api.sock');
        const first = spawnFake(version, ['--api-sock', socket]);
        try {
          await waitForApi(first, socket);
          const other = spawnFake(version, ['--api-sock', socket]);
          assert.equal(await other.exitCode(), second.exit);
          const recordedSocket = /\$\{WORK\}\/tmp\w+\/api\.sock/.exec(second.stderr + second.stdout)?.[0];
          const norm = (text: string): string => {
            const t = recordedSocket === undefined ? text : text.split(socket).join(recordedSocket);
            return normaliseLog(work.unfill(t));
          };
          assert.equal(norm(other.stderr), normaliseLog(second.stderr));
          assert.equal(norm(other.stdout), normaliseLog(second.stdout));
          first.child.kill('SIGTERM');
          assert.equal(await first.exitCode(), proc.sigterm_exit);
        } finally {
          await first.stop();
        }
      }));
    }

    test('the double stays usable: several connections at once, keep-alive', () => inWork(async (work) => {
      await withProcess(version, work, async (s) => {
        const a = await RawConnection.open(s.socket);
        const b = await RawConnection.open(s.socket);
        try {
          for (let i = 0; i < 3; i++) {
            assert.equal((await a.request('GET', '/')).status, 200);
            assert.equal((await b.request('GET', '/machine-config')).status, 200);
          }
        } finally {
          a.close();
          b.close();
        }
        await waitFor(() => s.fake.exit === undefined, 'the double to keep running', 100);
      });
    }));
  });
}
