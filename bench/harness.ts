// What a benchmark is and how one is measured. A benchmark compares a subject against a
// baseline measured in the same run, so the ratio means something on any machine; absolute
// rates are printed for context only.
import { performance } from 'node:perf_hooks';

export interface BenchCase {
  name: string;
  /** One operation. Its result is kept so the engine cannot drop the work as dead code. */
  run: () => unknown;
}

export interface Benchmark {
  name: string;
  baseline: BenchCase;
  subject: BenchCase;
  /** The subject's rate should be at least this fraction of the baseline's (e.g. 1/3). */
  targetRatio?: number;
}

/**
 * A benchmark that is not the rate of a synchronous call (a latency through processes and
 * sockets, a memory footprint): it measures its own baseline and subject in the same run and
 * returns the lines to print, the target verdict included.
 */
export interface Scenario {
  name: string;
  run: () => Promise<string[]>;
}

export interface MeasureOptions {
  /** Time spent running before measuring (JIT warm-up), per case. */
  warmupMs: number;
  /** Measured time per case and round. */
  roundMs: number;
  /** Rounds; baseline and subject alternate so that machine noise hits both alike. */
  rounds: number;
}

export interface Rates {
  baseline: number;
  subject: number;
  /** subject / baseline, from the median rate of each. */
  ratio: number;
}

// Calls are timed in batches so the clock's own cost stays out of the rate.
const BATCH_MS = 5;

let sink: unknown;
/** The last result of any case, for whoever wants to look (and so the work is not optimised away). */
export function lastResult(): unknown {
  return sink;
}

function batchSize(run: () => unknown): number {
  let size = 1;
  for (;;) {
    const start = performance.now();
    for (let index = 0; index < size; index++) sink = run();
    if (performance.now() - start >= BATCH_MS || size >= 1 << 20) return size;
    size *= 2;
  }
}

/** Operations per second of `run` over about `durationMs`. */
function rate(run: () => unknown, size: number, durationMs: number): number {
  let operations = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    for (let index = 0; index < size; index++) sink = run();
    operations += size;
    elapsed = performance.now() - start;
  }
  return (operations * 1000) / elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] ?? 0 : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function measure(benchmark: Benchmark, options: MeasureOptions): Rates {
  const cases = [benchmark.baseline, benchmark.subject];
  const sizes = cases.map((benchCase) => {
    rate(benchCase.run, 1, options.warmupMs);
    return batchSize(benchCase.run);
  });
  const samples: [number[], number[]] = [[], []];
  for (let round = 0; round < options.rounds; round++) {
    cases.forEach((benchCase, index) => {
      samples[index as 0 | 1].push(rate(benchCase.run, sizes[index] ?? 1, options.roundMs));
    });
  }
  const baseline = median(samples[0]);
  const subject = median(samples[1]);
  return { baseline, subject, ratio: subject / baseline };
}
