// Start latency through the driver against a minimal direct script, measured in the same run:
//   subject   createXML() of a transient domain, in embed mode, until it returns (InstanceStart
//             acknowledged and the status file written)
//   baseline  the same binary spawned by a few lines of code and sent the same plan over its
//             socket, until InstanceStart is acknowledged
// Both use the Firecracker test double (or a real one: see benchBackend).
// Target: the driver's median ≤ 1.15 × the baseline's.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { parseDomainXML } from '../src/conf/index.js';
import { openConnection } from '../src/connect.js';
import { findFirecrackerBinary, firecrackerArgs, probeFirecrackerVersion } from '../src/firecracker/launcher.js';
import type { FirecrackerVersion } from '../src/firecracker/version.js';
import { buildPlan, type PlanRequest } from '../src/firecracker/plan/index.js';
import { prepareLiveDef, hostArchitecture } from '../src/driver/live-def.js';
import { benchBackend, benchDomainXml, median, type AsyncScenario } from './driver-bench-support.js';

const TARGET = 1.15;

async function waitForSocket(socketPath: string, deadline: number): Promise<void> {
  for (;;) {
    const connected = await new Promise<boolean>((resolve) => {
      const probe = net.connect(socketPath);
      probe.once('connect', () => { probe.destroy(); resolve(true); });
      probe.once('error', () => { probe.destroy(); resolve(false); });
    });
    if (connected) return;
    if (Date.now() > deadline) throw new Error(`${socketPath} never answered`);
    await delay(5);
  }
}

function send(agent: http.Agent, socketPath: string, request: PlanRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(request.body);
    const call = http.request({ socketPath, agent, method: request.method, path: request.path, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (response) => {
      response.resume();
      response.on('end', () => {
        if ((response.statusCode ?? 500) >= 300) reject(new Error(`${request.method} ${request.path}: ${response.statusCode ?? 0}`));
        else resolve();
      });
    });
    call.on('error', reject);
    call.end(body);
  });
}

/** The baseline: spawn, wait for the socket, send the plan; ms until InstanceStart answered. */
async function direct(binary: string, version: FirecrackerVersion, plan: PlanRequest[], directory: string, index: number): Promise<number> {
  const socketPath = path.join(directory, `direct-${index}.sock`);
  const log = fs.openSync(path.join(directory, `direct-${index}.log`), 'a');
  const started = performance.now();
  const child = spawn(binary, firecrackerArgs({ apiSocket: socketPath, id: `direct-${index}`, version }), { stdio: ['ignore', log, log], detached: true });
  fs.closeSync(log);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await waitForSocket(socketPath, Date.now() + 10_000);
    for (const request of plan) await send(agent, socketPath, request);
    return performance.now() - started;
  } finally {
    agent.destroy();
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

export const scenario: AsyncScenario = {
  name: 'driver start latency: create() → InstanceStart acknowledged',
  async run() {
    const starts = Number(process.env.FCVIRT_BENCH_STARTS ?? 20);
    const backend = benchBackend();
    const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'fcvb-'));
    const connection = await openConnection(`fc:///embed?root=${root}`);
    try {
      const binary = await findFirecrackerBinary(backend.emulator);
      const version = await probeFirecrackerVersion(binary);
      // The same plan the driver sends for this domain.
      const def = prepareLiveDef(parseDomainXML(benchDomainXml(backend, 'direct'), { randomBytes: (n) => randomBytes(n) }), { id: 1, cidsInUse: new Set(), hostArch: hostArchitecture() });
      const plan = buildPlan(def, version, {});
      const driverMs: number[] = [];
      const directMs: number[] = [];
      for (let index = -2; index < starts; index++) {
        // Alternate, so machine noise hits both alike; the first two of each are warm-up.
        const baseline = await direct(binary, version, plan, root, index + 2);
        const begin = performance.now();
        const domain = await connection.createXML(benchDomainXml(backend, `bench${index + 2}`));
        const subject = performance.now() - begin;
        await domain.destroy();
        if (index >= 0) {
          directMs.push(baseline);
          driverMs.push(subject);
        }
      }
      const ratio = median(driverMs) / median(directMs);
      return [
        `  backend   ${backend.name} (${binary}), ${starts} starts each`,
        `  baseline  direct spawn + plan: median ${median(directMs).toFixed(1)} ms`,
        `  subject   driver createXML(): median ${median(driverMs).toFixed(1)} ms`,
        `  ratio     ${ratio.toFixed(3)}`,
        `  target    ≤ ${TARGET.toFixed(2)}: ${ratio <= TARGET ? 'met' : 'NOT met'}`,
      ];
    } finally {
      await connection.close();
      await fsp.rm(root, { recursive: true, force: true });
    }
  },
};
