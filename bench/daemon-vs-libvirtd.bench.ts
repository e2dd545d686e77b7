// virtfcd against libvirt's own C daemon, measured in the same run on the same machine with the
// same python-libvirt client (bench/libvirt-client.py):
//
//   simple calls  lookupByName(NAME).info() on a running domain, one client, back to back
//                 libvirtd: its `test` driver's running domain "test"; virtfcd: one of its
//                 domains, started; target: virtfcd ≥ 1.0 × libvirtd's rate
//   listing       listAllDomains() with 1,000 defined domains on each
//                 target: virtfcd ≤ 1.0 × libvirtd's time
//   start         what the protocol adds to a start: python-libvirt's dom.create() through
//                 virtfcd against the driver's time for the same start (virtfcd --verbose logs
//                 it); target: < 2 ms
//
// Rounds alternate between the two daemons so that machine noise hits both alike; the verdicts
// are on the median of the per-round ratios. Needs root (libvirtd runs as the user nobody in a private temp dir), Debian's
// libvirt-daemon and python3-libvirt: see bench/daemon-vs-libvirtd.md. Run:
// npm run bench -- libvirtd (FCVIRT_BENCH_ROUNDS, FCVIRT_BENCH_SECONDS, FCVIRT_BENCH_DOMAINS,
// FCVIRT_BENCH_STARTS tune it).

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openConnection } from '../src/connect.js';
import { RemoteConnection } from '../src/rpc/client/remote-connection.js';
import { benchBackend, benchDomainXml, median } from './driver-bench-support.js';
import type { Scenario } from './harness.js';
import { LIBVIRTD, startLibvirtd } from './libvirtd.js';
import { socketAnswers } from '../src/socket-answers.js';

const execFileAsync = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const CLIENT = path.join(repoRoot, 'bench', 'libvirt-client.py');
const VIRTFCD = path.join(repoRoot, 'dist', 'src', 'daemon', 'virtfcd.js');
const PYTHON = '/usr/bin/python3';

const ROUNDS = Number(process.env.FCVIRT_BENCH_ROUNDS ?? 10);
const SECONDS = Number(process.env.FCVIRT_BENCH_SECONDS ?? 1);
const DOMAINS = Number(process.env.FCVIRT_BENCH_DOMAINS ?? 1000);
const STARTS = Number(process.env.FCVIRT_BENCH_STARTS ?? 30);
const LIST_RUNS = 10;

async function client<T>(uri: string, ...args: string[]): Promise<T> {
  const { stdout } = await execFileAsync(PYTHON, [CLIENT, uri, ...args], { maxBuffer: 16 * 1024 * 1024, timeout: 600_000 });
  return JSON.parse(stdout) as T;
}

interface Virtfcd {
  uri: string;
  root: string;
  stop(): Promise<void>;
}

async function startVirtfcd(root: string, backendPath: string, args: string[] = [], logFile?: string): Promise<Virtfcd> {
  const log = logFile === undefined ? 'inherit' : await fs.open(logFile, 'w');
  const child: ChildProcess = spawn(process.execPath, [VIRTFCD, '--root', root, ...args], {
    stdio: ['ignore', 'ignore', log === 'inherit' ? log : log.fd],
    env: { ...process.env, PATH: `${backendPath}:${process.env.PATH ?? ''}` },
  });
  if (log !== 'inherit') await log.close();
  const socket = path.join(root, 'run/libvirt/virtfcd-sock');
  const deadline = Date.now() + 20_000;
  while (!(await socketAnswers(socket))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('virtfcd did not start');
    await delay(20);
  }
  return {
    uri: `fc:///system?socket=${socket}`,
    root,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** SIGKILLs every Firecracker whose API socket lies under `directory`. */
async function killFirecrackersUnder(directory: string): Promise<void> {
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const args = await fs.readFile(`/proc/${entry}/cmdline`, 'latin1').then((text) => text.split('\0'), (): string[] => []);
    const socket = args[args.indexOf('--api-sock') + 1];
    if (args.includes('--api-sock') && socket?.startsWith(`${directory}/`) === true) {
      try {
        process.kill(Number(entry), 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
}

/** libvirt's test driver: a minimal persistent domain. */
const TEST_DOMAIN = `<domain type='test'>
  <name>@NAME@</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
</domain>
`;

function ratioLine(label: string, value: number, target: string, met: boolean): string {
  return `    ${label.padEnd(10)}${value.toFixed(3)}  target ${target}: ${met ? 'met' : 'NOT met'}`;
}

async function run(): Promise<string[]> {
  const missing = [
    ...(process.getuid?.() === 0 ? [] : ['root (libvirtd is run as the user nobody, firecracker domains under a temp root)']),
    ...(existsSync(LIBVIRTD) ? [] : [`${LIBVIRTD} (apt-get install --no-install-recommends libvirt-daemon)`]),
    ...(existsSync(VIRTFCD) ? [] : [`${VIRTFCD} (npm run build)`]),
  ];
  try {
    await execFileAsync(PYTHON, ['-c', 'import libvirt']);
  } catch {
    missing.push(`python3-libvirt for ${PYTHON} (apt-get install python3-libvirt)`);
  }
  if (missing.length > 0) return [`  not run: it needs ${missing.join('; ')}. See bench/daemon-vs-libvirtd.md.`];
  const lines: string[] = [];

  const backend = benchBackend();
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'fcvb-'));
  // Run in order; each step pushed to the front, so the last set up is the first undone. VMs
  // outlive virtfcd by design: any still running under the work dir is killed before it goes.
  const cleanups: (() => Promise<void>)[] = [() => killFirecrackersUnder(work), () => fs.rm(work, { recursive: true, force: true })];
  try {
    const libvirtd = await startLibvirtd();
    cleanups.unshift(() => libvirtd.stop());
    // The test driver keeps test:///default's domains only while a connection holds it open.
    const holder = await RemoteConnection.open(libvirtd.uri);
    cleanups.unshift(() => holder.close());
    const virtfcd = await startVirtfcd(path.join(work, 'd'), path.dirname(backend.emulator));
    cleanups.unshift(() => virtfcd.stop());
    lines.push(`  Firecracker: ${backend.name}; ${DOMAINS} domains; ${ROUNDS} rounds`);

    // The same population on both: DOMAINS defined domains, and one running domain to query.
    const testTemplate = path.join(work, 'test-domain.xml');
    await fs.writeFile(testTemplate, TEST_DOMAIN);
    const fcTemplate = path.join(work, 'fc-domain.xml');
    await fs.writeFile(fcTemplate, benchDomainXml(backend, '@NAME@'));
    await client(libvirtd.uri, 'define', testTemplate, 'bench', String(DOMAINS));
    await client(virtfcd.uri, 'define', fcTemplate, 'bench', String(DOMAINS));
    const target = await openConnection(virtfcd.uri);
    const running = await target.lookupByName('bench-0');
    await running.create();
    cleanups.unshift(() => target.close());
    cleanups.unshift(() => running.destroy());

    // Warm-up (JIT, caches), not measured.
    for (const [uri, name] of [[libvirtd.uri, 'test'], [virtfcd.uri, 'bench-0']] as const) {
      await client(uri, 'rate', name, '1');
      await client(uri, 'list', String(LIST_RUNS));
    }
    // Rounds: one rate and one listing of each daemon, the order swapped every round; each
    // round's ratio compares measurements taken moments apart, so load that comes and goes
    // on the machine moves both, and the verdict is on the median of those ratios.
    const rates: [number[], number[]] = [[], []];
    const lists: [number[], number[]] = [[], []];
    const rateRatios: number[] = [];
    const listRatios: number[] = [];
    const sides = [[0, libvirtd.uri, 'test'], [1, virtfcd.uri, 'bench-0']] as const;
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? sides : ([sides[1], sides[0]] as const);
      const rate: [number, number] = [0, 0];
      const list: [number, number] = [0, 0];
      for (const [index, uri, name] of order) {
        const measured = await client<{ calls: number; seconds: number }>(uri, 'rate', name, String(SECONDS));
        rate[index] = measured.calls / measured.seconds;
        const listed = await client<{ times_ms: number[]; count: number }>(uri, 'list', String(LIST_RUNS));
        if (listed.count < DOMAINS) throw new Error(`${uri} listed ${listed.count} domains, expected ${DOMAINS} or more`);
        list[index] = median(listed.times_ms);
      }
      rates[0].push(rate[0]);
      rates[1].push(rate[1]);
      lists[0].push(list[0]);
      lists[1].push(list[1]);
      rateRatios.push(rate[1] / rate[0]);
      listRatios.push(list[1] / list[0]);
    }
    const rateRatio = median(rateRatios);
    const listRatio = median(listRatios);
    lines.push(
      `  simple calls: lookupByName(NAME).info() on a running domain, back to back (${ROUNDS} rounds of ${SECONDS} s; medians)`,
      `    libvirtd  ${Math.round(median(rates[0])).toLocaleString('en-US')} ops/s (one op: lookupByName + info, two calls)`,
      `    virtfcd   ${Math.round(median(rates[1])).toLocaleString('en-US')} ops/s`,
      ratioLine('ratio', rateRatio, '≥ 1.0', rateRatio >= 1),
      `  listAllDomains() with ${DOMAINS} defined domains (${ROUNDS} rounds of ${LIST_RUNS} listings; medians)`,
      `    libvirtd  ${median(lists[0]).toFixed(2)} ms`,
      `    virtfcd   ${median(lists[1]).toFixed(2)} ms`,
      ratioLine('ratio', listRatio, '≤ 1.0', listRatio <= 1),
    );

    // Start: the same starts seen from both ends. The client times dom.create() (which
    // returns once InstanceStart is acknowledged and the domain recorded; libvirt's client
    // library then looks the domain up again by uuid, also counted); a virtfcd with --verbose
    // logs how long each DOMAIN_CREATE took inside the daemon, which is the driver's time.
    const logFile = path.join(work, 'virtfcd-verbose.log');
    const verbose = await startVirtfcd(path.join(work, 's'), path.dirname(backend.emulator), ['--verbose'], logFile);
    cleanups.unshift(() => verbose.stop());
    const starter = await openConnection(verbose.uri);
    await starter.defineXML(benchDomainXml(backend, 'starter'));
    await starter.close();
    const client_ms = (await client<{ times_ms: number[] }>(verbose.uri, 'start', 'starter', String(STARTS))).times_ms;
    const driver_ms = [...(await fs.readFile(logFile, 'utf8')).matchAll(/: DOMAIN_CREATE \(virDomainCreate\) ([\d.]+) ms: ok$/gm)].map((match) => Number(match[1]));
    if (driver_ms.length !== client_ms.length) throw new Error(`virtfcd logged ${driver_ms.length} starts, the client made ${client_ms.length}`);
    const added = client_ms.map((total, index) => total - (driver_ms[index] ?? 0));
    const addedMedian = median(added);
    lines.push(
      `  start: python-libvirt dom.create() against the driver's time for the same start (${STARTS} starts, median)`,
      `    driver, in the daemon     ${median(driver_ms).toFixed(2)} ms`,
      `    client, through virtfcd   ${median(client_ms).toFixed(2)} ms`,
      `    added by the protocol     ${addedMedian.toFixed(2)} ms (max ${Math.max(...added).toFixed(2)} ms)  target < 2 ms: ${addedMedian < 2 ? 'met' : 'NOT met'}`,
    );
    return lines;
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}

export const scenario: Scenario = {
  name: 'virtfcd against libvirtd (libvirt\'s test driver), same python-libvirt client',
  run,
};
