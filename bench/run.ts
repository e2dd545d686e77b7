// Runs every benchmark module (`*.bench.js` beside this file, in any subfolder): each exports
// `benchmark: Benchmark` (a rate, measured here) or `scenario: Scenario` (measures itself and
// reports its lines). Prints each case's rate, the ratio to the baseline, and whether the
// target ratio is met. `node dist/bench/run.js [NAME-SUBSTRING…]` runs only matching ones.
// Each benchmark runs in a process of its own, so none measures what another left behind (a
// memory footprint after another benchmark's heap, say).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { measure, type Benchmark, type MeasureOptions, type Scenario } from './harness.js';

const options: MeasureOptions = { warmupMs: 500, roundMs: 400, rounds: 7 };

function isBenchmark(value: unknown): value is Benchmark {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Benchmark>;
  return typeof candidate.name === 'string' && typeof candidate.baseline?.run === 'function' &&
    typeof candidate.subject?.run === 'function';
}

function isScenario(value: unknown): value is Scenario {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Scenario>;
  return typeof candidate.name === 'string' && typeof candidate.run === 'function';
}

async function loadBenchmarks(directory: string): Promise<(Benchmark | Scenario)[]> {
  const files = readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.bench.js'))
    .sort();
  const benchmarks: (Benchmark | Scenario)[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(path.join(directory, file)).href)) as { benchmark?: unknown; scenario?: unknown };
    if (isBenchmark(module.benchmark)) benchmarks.push(module.benchmark);
    else if (isScenario(module.scenario)) benchmarks.push(module.scenario);
    else throw new Error(`${file} exports neither a benchmark nor a scenario`);
  }
  return benchmarks;
}

function formatRate(opsPerSecond: number): string {
  return `${Math.round(opsPerSecond).toLocaleString('en-US')} ops/s`;
}

/** `--only NAME`: the one benchmark of that exact name, in this process. */
const ONLY = '--only';

async function main(args: string[]): Promise<number> {
  const all = await loadBenchmarks(path.dirname(fileURLToPath(import.meta.url)));
  const only = args[0] === ONLY ? args[1] : undefined;
  const filters = only === undefined ? args : [];
  const selected = all.filter((benchmark) => (only === undefined ? filters.length === 0 || filters.some((filter) => benchmark.name.includes(filter)) : benchmark.name === only));
  if (selected.length === 0) {
    process.stderr.write(`no benchmark matches ${args.join(', ')}\n`);
    return 1;
  }
  if (only === undefined) {
    let status = 0;
    for (const benchmark of selected) {
      const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ONLY, benchmark.name], { stdio: 'inherit' });
      if (child.status !== 0) status = 1;
    }
    return status;
  }
  for (const benchmark of selected) {
    if (!isBenchmark(benchmark)) {
      const lines = await benchmark.run();
      process.stdout.write(`${[benchmark.name, ...lines].join('\n')}\n`);
      continue;
    }
    const rates = measure(benchmark, options);
    const lines = [
      benchmark.name,
      `  baseline  ${benchmark.baseline.name}: ${formatRate(rates.baseline)}`,
      `  subject   ${benchmark.subject.name}: ${formatRate(rates.subject)}`,
      `  ratio     ${rates.ratio.toFixed(3)} (1/${(1 / rates.ratio).toFixed(2)})`,
    ];
    if (benchmark.targetRatio !== undefined) {
      const met = rates.ratio >= benchmark.targetRatio;
      lines.push(`  target    ≥ ${benchmark.targetRatio.toFixed(3)}: ${met ? 'met' : 'NOT met'}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
