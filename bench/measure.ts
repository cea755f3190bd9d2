/** Shared helpers for benchmarks: bounded request loops and latency percentiles. */

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMillis: { p50: number; p95: number; p99: number; max: number };
}

export function percentile(sortedValues: readonly number[], fraction: number): number {
  if (sortedValues.length === 0) return Number.NaN;
  const index = Math.min(sortedValues.length - 1, Math.max(0, Math.ceil(fraction * sortedValues.length) - 1));
  return sortedValues[index] ?? Number.NaN;
}

/** The median of `values` (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/**
 * Measures every mode once per round, in reverse order every other round, so the drift of a shared
 * machine spreads over all modes; prints a line per measurement (`describe`) on stderr and returns
 * each mode's figures in round order.
 */
export async function measureInterleaved<Mode, Figures>(
  modes: readonly Mode[],
  rounds: number,
  measure: (mode: Mode) => Promise<Figures>,
  describe: (figures: Figures) => string,
): Promise<Map<Mode, Figures[]>> {
  const results = new Map<Mode, Figures[]>(modes.map((mode) => [mode, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
      const figures = await measure(mode);
      results.get(mode)?.push(figures);
      console.error(`round ${round + 1} ${String(mode)}: ${describe(figures)}`);
    }
  }
  return results;
}

/**
 * Sends `count` requests to each of two targets, alternating between them (`send(0)` for the even
 * ones, `send(1)` for the odd), `concurrency` in flight in all: the load of a side-by-side pair,
 * where both see the same moment of the machine. A failed request fails the run.
 */
export async function sendAlternately(count: number, concurrency: number, send: (target: 0 | 1) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count * 2) {
        const index = next;
        next += 1;
        await send(index % 2 === 0 ? 0 : 1);
      }
    }),
  );
}

/**
 * Runs `operation` `requests` times with `concurrency` in flight, and stops by itself: a bounded
 * loop, as load tests here must be.
 */
export async function runLoad(operation: () => Promise<boolean>, requests: number, concurrency: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let started = 0;
  const begin = performance.now();
  const worker = async () => {
    while (started < requests) {
      started += 1;
      const requestStart = performance.now();
      const succeeded = await operation().catch(() => false);
      latencies.push(performance.now() - requestStart);
      if (!succeeded) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - begin) / 1000;
  latencies.sort((left, right) => left - right);
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    requests,
    errors,
    seconds: round(seconds),
    requestsPerSecond: round(requests / seconds),
    latencyMillis: {
      p50: round(percentile(latencies, 0.5)),
      p95: round(percentile(latencies, 0.95)),
      p99: round(percentile(latencies, 0.99)),
      max: round(latencies.at(-1) ?? Number.NaN),
    },
  };
}

/** Machine facts printed with every result, so figures can be compared fairly. */
export async function describeMachine(): Promise<Record<string, unknown>> {
  const os = await import("node:os");
  return {
    cpu: os.cpus()[0]?.model,
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
  };
}
