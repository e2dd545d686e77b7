// Memory of the driver per running domain: resident size of this (driver) process before and
// with N running domains (default 200) of the test double, per domain; and how many processes
// other than Firecracker itself run per VM (target: none). Target: ≤ 100 KiB per domain.

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
      // Warm up: the first start loads every module the driver needs.
      await (await connection.createXML(benchDomainXml(backend, 'warmup'))).destroy();
      const before = await residentKiB();
      const heapBefore = process.memoryUsage().heapUsed;
      const half = Math.floor(count / 2);
      let middle = { running: 0, kib: before };
      for (let index = 0; index < count; index += 10) {
        const batch = Array.from({ length: Math.min(10, count - index) }, (_, offset) => `m${index + offset}`);
        domains.push(...await Promise.all(batch.map((name) => connection.createXML(benchDomainXml(backend, name)))));
        if (middle.running === 0 && domains.length >= half) middle = { running: domains.length, kib: await residentKiB() };
      }
      const after = await residentKiB();
      const heapPerDomain = (process.memoryUsage().heapUsed - heapBefore) / 1024 / count;
      const helpers = helperProcesses(await descendants());
      const perDomain = (after - before) / count;
      return [
        `  backend   ${backend.name}, ${count} running domains`,
        `  baseline  driver RSS before: ${before} KiB`,
        `  subject   driver RSS with ${count} running: ${after} KiB`,
        `  ratio     ${perDomain.toFixed(1)} KiB per domain; helper processes per VM: ${(helpers.length / count).toFixed(2)}`,
        `  target    ≤ ${TARGET_KIB} KiB per domain and no helper process: ${perDomain <= TARGET_KIB && helpers.length === 0 ? 'met' : 'NOT met'}`,
        // Not the verdict but what explains it: the JS heap the domains hold, and the RSS growth
        // per domain over the second half of the starts, which leaves out what grows once (V8
        // enlarges its young generation and compiles code during the first burst of starts).
        `  detail    JS heap held: ${heapPerDomain.toFixed(1)} KiB per domain; RSS growth from ${middle.running} to ${count} running: ${((after - middle.kib) / Math.max(1, count - middle.running)).toFixed(1)} KiB per domain`,
      ];
    } finally {
      await Promise.all(domains.map((domain) => domain.destroy().catch(() => undefined)));
      await connection.close();
      await fs.rm(root, { recursive: true, force: true });
    }
  },
};
