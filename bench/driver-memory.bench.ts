// Memory of the driver per running domain: resident size of this (driver) process before and
// with N running domains (default 200) of the test double, per domain; and how many processes
// other than Firecracker itself run per VM (target: none). Target: ≤ 100 KiB per domain.
// The baseline is taken in a process that has started (and destroyed) N domains once, so that
// what grows only once is not counted per domain; the cold figure is printed beside it.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openConnection } from '../src/connect.js';
import type { Domain } from '../src/api/connection.js';
import { benchBackend, benchDomainXml, type AsyncScenario } from './driver-bench-support.js';

const TARGET_KIB = 100;

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  gc?.();
}

async function residentKiB(): Promise<number> {
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 50));
  collectGarbage();
  const status = await fs.readFile('/proc/self/status', 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
}

interface ProcessEntry {
  pid: number;
  ppid: number;
  command: string;
}

/** Every process descended from this one, with its parent. */
async function descendants(): Promise<ProcessEntry[]> {
  const all: ProcessEntry[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const command = (await fs.readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0').join(' ');
      all.push({ pid: Number(entry), ppid, command });
    } catch {
      // gone meanwhile
    }
  }
  const result: ProcessEntry[] = [];
  const queue = [process.pid];
  for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
    for (const entry of all) {
      if (entry.ppid !== parent) continue;
      result.push(entry);
      queue.push(entry.pid);
    }
  }
  return result;
}

/** Descendants that are neither a VMM (a process with --api-sock) nor started by one. */
function helperProcesses(processes: ProcessEntry[]): ProcessEntry[] {
  const byPid = new Map(processes.map((entry) => [entry.pid, entry]));
  const underVmm = (entry: ProcessEntry): boolean => {
    for (let current: ProcessEntry | undefined = entry; current !== undefined; current = byPid.get(current.ppid)) {
      if (current.command.includes('--api-sock')) return true;
    }
    return false;
  };
  return processes.filter((entry) => !underVmm(entry));
}

export const scenario: AsyncScenario = {
  name: 'driver memory per running domain',
  async run() {
    const count = Number(process.env.FCVIRT_BENCH_DOMAINS ?? 200);
    const backend = benchBackend();
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'fcvm-'));
    const connection = await openConnection(`fc:///embed?root=${root}`);
    const domains: Domain[] = [];
    try {
      // The first start loads every module the driver needs.
      await (await connection.createXML(benchDomainXml(backend, 'warmup'))).destroy();
      const startBatch = async (prefix: string): Promise<void> => {
        for (let index = 0; index < count; index += 10) {
          const batch = Array.from({ length: Math.min(10, count - index) }, (_, offset) => `${prefix}${index + offset}`);
          domains.push(...await Promise.all(batch.map((name) => connection.createXML(benchDomainXml(backend, name)))));
        }
      };
      // A cold process: its first burst of starts also pays what grows only once — code pages
      // of node and libc touched for the first time, V8 enlarging its young generation and
      // compiling code. Printed, but not per domain.
      const coldBefore = await residentKiB();
      await startBatch('w');
      const coldAfter = await residentKiB();
      await Promise.all(domains.splice(0).map((domain) => domain.destroy()));
      // The measurement: the same burst again, in the process warmed by the first.
      const before = await residentKiB();
      const heapBefore = process.memoryUsage().heapUsed;
      await startBatch('m');
      const after = await residentKiB();
      const heapPerDomain = (process.memoryUsage().heapUsed - heapBefore) / 1024 / count;
      const helpers = helperProcesses(await descendants());
      const perDomain = (after - before) / count;
      return [
        `  backend   ${backend.name}, ${count} running domains`,
        `  baseline  driver RSS before: ${before} KiB (after ${count} domains were started and destroyed once)`,
        `  subject   driver RSS with ${count} running: ${after} KiB`,
        `  ratio     ${perDomain.toFixed(1)} KiB per domain (of which JS heap ${heapPerDomain.toFixed(1)}); helper processes per VM: ${(helpers.length / count).toFixed(2)}`,
        `  target    ≤ ${TARGET_KIB} KiB per domain and no helper process: ${perDomain <= TARGET_KIB && helpers.length === 0 ? 'met' : 'NOT met'}`,
        `  cold      the first ${count} starts of a fresh driver grew it by ${((coldAfter - coldBefore) / count).toFixed(1)} KiB per domain (one-time growth included)`,
      ];
    } finally {
      await Promise.all(domains.map((domain) => domain.destroy().catch(() => undefined)));
      await connection.close();
      await fs.rm(root, { recursive: true, force: true });
    }
  },
};
