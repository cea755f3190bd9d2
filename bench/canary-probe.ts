import { percentile } from "./measure.ts";

/** What a canary saw: how many probes it sent, how many failed, and their latency in milliseconds. */
export interface CanaryResult {
  requests: number;
  errors: number;
  latencyMillis: { p50: number; p95: number; max: number };
}

/**
 * Another tenant's canary during an attack: one probe at a time, one every `intervalMillis`, until
 * `stopAtMillis` (a `performance.now()` instant). `probe` resolves true when the answer was right;
 * a false or a throw counts as an error.
 */
export async function runCanaryProbe(probe: () => Promise<boolean>, intervalMillis: number, stopAtMillis: number): Promise<CanaryResult> {
  const latencies: number[] = [];
  let errors = 0;
  while (performance.now() < stopAtMillis) {
    const started = performance.now();
    try {
      if (!(await probe())) errors += 1;
    } catch {
      errors += 1;
    }
    const elapsed = performance.now() - started;
    latencies.push(elapsed);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMillis - elapsed)));
  }
  latencies.sort((left, right) => left - right);
  const round = (value: number) => Math.round(value * 10) / 10;
  return { requests: latencies.length, errors, latencyMillis: { p50: round(percentile(latencies, 0.5)), p95: round(percentile(latencies, 0.95)), max: round(latencies.at(-1) ?? Number.NaN) } };
}
