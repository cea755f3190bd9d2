/**
 * What one `apply` of the embedded usage store costs as history grows: the store is filled with
 * 1k, 10k, 100k and 200k retained event ids (applied in batches of 1,000), then one-event applies
 * and 100-event batches (the in-process queue batches up to 500 a second) are timed: wall time per
 * apply (p50/p95/max, ms) and the longest event-loop stall seen meanwhile (ms,
 * `monitorEventLoopDelay`, 1 ms resolution: 0 means under 1 ms), plus the size of the store's files. The same for the model catalogue: one `replace` with 10 and 1,000 models.
 *
 *   node --import tsx bench/embedded-store.ts [--sizes 1000,10000,100000,200000] [--applies 200]
 */
import { randomUUID } from "node:crypto";
import { readdir, rm, stat } from "node:fs/promises";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { EmbeddedModelStore } from "../subgraphs/model-registry/store/embedded-model-store.ts";
import { EmbeddedUsageStore } from "../subgraphs/usage/store/embedded-usage-store.ts";
import type { UsageEvent } from "../subgraphs/usage/usage-event.ts";
import { modelRecord } from "../test/subgraphs/model-registry/model-fixtures.ts";
import { describeMachine, percentile } from "./measure.ts";

const { values } = parseArgs({ options: { sizes: { type: "string", default: "1000,10000,100000,200000" }, applies: { type: "string", default: "200" } } });
const sizes = values.sizes.split(",").map(Number);
const applies = Number(values.applies);
const round = (value: number) => Math.round(value * 1000) / 1000;

function event(index: number): UsageEvent {
  const eventId = `event-${randomUUID()}`;
  return {
    eventId,
    requestId: `request-${eventId}`,
    tenantId: `tenant-${index % 20}`,
    apiKeyId: "key-1",
    modelId: `model-${index % 5}`,
    operation: "COMPLETION",
    status: "SUCCEEDED",
    errorCode: null,
    promptTokens: 10,
    completionTokens: 20,
    latencyMillis: 50 + (index % 400),
    timeToFirstTokenMillis: null,
    costMicros: 300,
    currency: "USD",
    completionId: null,
    occurredAt: new Date().toISOString(),
  };
}

async function directoryBytes(directory: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(directory)) total += (await stat(join(directory, name))).size;
  return total;
}

/** Times `operation` `count` times; returns wall-time percentiles and the longest event-loop stall, in ms. */
async function timed(count: number, operation: (index: number) => Promise<unknown>): Promise<Record<string, number>> {
  const durations: number[] = [];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  for (let index = 0; index < count; index += 1) {
    const startedAt = performance.now();
    await operation(index);
    durations.push(performance.now() - startedAt);
    // Back to the event loop between operations, so the delay monitor sees each one's stall (a synchronous store never yields otherwise).
    await new Promise((resolve) => setImmediate(resolve));
  }
  delay.disable();
  durations.sort((left, right) => left - right);
  return { p50Millis: round(percentile(durations, 0.5)), p95Millis: round(percentile(durations, 0.95)), maxMillis: round(durations.at(-1) ?? 0), longestEventLoopStallMillis: round(delay.max / 1e6) };
}

const usage: Record<string, unknown>[] = [];
for (const size of sizes) {
  const directory = await mkdtemp(join(tmpdir(), "bench-embedded-usage-"));
  const store = new EmbeddedUsageStore(directory, { eventRetentionMillis: 7 * 24 * 3_600_000 });
  const fillStartedAt = performance.now();
  for (let filled = 0; filled < size; filled += 1_000) {
    await store.apply(Array.from({ length: Math.min(1_000, size - filled) }, (_, index) => event(filled + index)));
  }
  const fillMillis = performance.now() - fillStartedAt;
  const apply = await timed(Math.min(applies, size), (index) => store.apply([event(index)]));
  const batchOf100 = await timed(20, (index) => store.apply(Array.from({ length: 100 }, (_, offset) => event(index * 100 + offset))));
  usage.push({ retainedEventIds: size, oneEvent: apply, batchOf100, fillSeconds: round(fillMillis / 1000), storeBytes: await directoryBytes(directory) });
  await store.close();
  await rm(directory, { recursive: true, force: true });
  console.error(JSON.stringify(usage.at(-1)));
}

const catalogue: Record<string, unknown>[] = [];
for (const models of [10, 1_000]) {
  const directory = await mkdtemp(join(tmpdir(), "bench-embedded-catalogue-"));
  const store = new EmbeddedModelStore(directory);
  for (let index = 0; index < models; index += 1) await store.create(modelRecord({ id: `model-${index}`, aliases: [`alias-${index}`] }));
  let version = 1;
  const replace = await timed(applies, async () => {
    await store.replace(modelRecord({ id: "model-0", aliases: ["alias-0"], displayName: `renamed ${version}`, version: version + 1 }), version);
    version += 1;
  });
  const read = await timed(applies, (index) => store.resolve(`alias-${index % models}`));
  catalogue.push({ models, replace, resolve: read, storeBytes: await directoryBytes(directory) });
  await store.close();
  await rm(directory, { recursive: true, force: true });
}

console.log(JSON.stringify({ machine: await describeMachine(), date: new Date().toISOString(), usageApply: usage, catalogue }, null, 2));
