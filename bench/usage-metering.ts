/**
 * What metering and quotas cost: the latency one call's quota reservation, settlement and usage
 * event add (p50/p99, embedded and Redis), against the same call with neither; and how many events
 * per second one consumer aggregates (Redis Streams consumer group into the Redis usage store, and
 * the embedded in-process queue into the JSON file).
 *
 *   node --import tsx bench/usage-metering.ts [--calls 3000] [--events 50000]
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import type { RequestContext } from "../platform/context/request-context.ts";
import { createLogger } from "../platform/logging/logger.ts";
import { CallMeter } from "../subgraphs/inference/metering/call-meter.ts";
import { InProcessUsageQueue } from "../subgraphs/usage/events/in-process-usage-queue.ts";
import { RedisStreamUsageConsumer } from "../subgraphs/usage/events/redis-stream-usage-consumer.ts";
import { RedisStreamUsageSink } from "../subgraphs/usage/events/redis-stream-usage-sink.ts";
import type { UsageEventSink } from "../subgraphs/usage/events/usage-event-sink.ts";
import { EmbeddedQuotaStore } from "../subgraphs/usage/quota/embedded-quota-store.ts";
import type { QuotaStore } from "../subgraphs/usage/quota/quota-store.ts";
import { RedisQuotaStore } from "../subgraphs/usage/quota/redis-quota-store.ts";
import { EmbeddedUsageStore } from "../subgraphs/usage/store/embedded-usage-store.ts";
import { RedisUsageStore } from "../subgraphs/usage/store/redis-usage-store.ts";
import type { UsageStore } from "../subgraphs/usage/store/usage-store.ts";
import type { UsageEvent } from "../subgraphs/usage/usage-event.ts";
import { startTestRedis } from "../test/harness/redis-server.ts";
import { modelRecord } from "../test/subgraphs/model-registry/model-fixtures.ts";
import { describeMachine, percentile } from "./measure.ts";

const { values } = parseArgs({ options: { calls: { type: "string", default: "3000" }, events: { type: "string", default: "50000" } } });
const calls = Number(values.calls);
const eventCount = Number(values.events);
const logger = createLogger("bench", "error");
const model = modelRecord({ id: "bench-model", pricing: { inputPerMillionTokens: 1, outputPerMillionTokens: 2, currency: "USD" } });
const request: RequestContext = { requestId: "bench", tenantId: "bench-tenant", apiKeyId: "bench-key", roles: ["member"] };
const round = (value: number) => Math.round(value * 1000) / 1000;

/** One metered call with nothing in between: what metering adds to a call's latency. */
async function meterLatency(sink: UsageEventSink, quotas: QuotaStore): Promise<{ p50: number; p99: number }> {
  const meter = new CallMeter(sink, quotas, { failOpen: false, logger });
  const latencies: number[] = [];
  for (let index = 0; index < calls; index += 1) {
    const started = performance.now();
    const metered = await meter.open({ call: { request, signal: new AbortController().signal, arrivedAt: started }, model, operation: "COMPLETION", eventId: randomUUID(), estimatedPromptTokens: 20, estimatedCompletionTokens: 64 });
    await metered.finish({ status: "SUCCEEDED", errorCode: null, promptTokens: 20, completionTokens: 40, timeToFirstTokenMillis: null, completionId: null });
    latencies.push(performance.now() - started);
  }
  latencies.sort((left, right) => left - right);
  await sink.flush(60_000);
  return { p50: round(percentile(latencies, 0.5)), p99: round(percentile(latencies, 0.99)) };
}

function event(index: number): UsageEvent {
  return {
    eventId: `event-${index}`,
    requestId: `request-${index}`,
    tenantId: `tenant-${index % 10}`,
    apiKeyId: "key",
    modelId: `model-${index % 4}`,
    operation: "COMPLETION",
    status: index % 50 === 0 ? "FAILED" : "SUCCEEDED",
    errorCode: index % 50 === 0 ? "SERVICE_UNAVAILABLE" : null,
    promptTokens: 20,
    completionTokens: 40,
    latencyMillis: 50 + (index % 200),
    timeToFirstTokenMillis: null,
    costMicros: 100,
    currency: "USD",
    completionId: null,
    occurredAt: new Date(Date.now() - (index % 48) * 3_600_000).toISOString(),
  };
}

async function waitForTotal(store: UsageStore, expected: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const buckets = await store.buckets({ from: new Date(Date.now() - 72 * 3_600_000), to: new Date(Date.now() + 3_600_000) });
    if (buckets.reduce((sum, bucket) => sum + bucket.requests, 0) >= expected) return (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const results: Record<string, unknown> = { machine: await describeMachine(), calls, events: eventCount, date: new Date().toISOString() };
const directory = await mkdtemp(join(tmpdir(), "bench-usage-"));
const redisServer = await startTestRedis();
const redis = new Redis(redisServer.url);

// Baseline: the same loop with a sink that drops events and a store with no quota for the tenant.
const noSink: UsageEventSink = { emit: () => undefined, flush: async () => undefined, metrics: () => ({ buffered: 0, delivered: 0, dropped: 0 }), close: async () => undefined };
const noQuota = new EmbeddedQuotaStore(join(directory, "none"));
results["no quota, events dropped (baseline)"] = await meterLatency(noSink, noQuota);

const embeddedQuotas = new EmbeddedQuotaStore(directory);
await embeddedQuotas.setQuota({ tenantId: "bench-tenant", tokensPerMinute: 1e12, tokensPerDay: 1e12, costMicrosPerMonth: 1e12, concurrentStreams: null, updatedAt: new Date().toISOString() });
const embeddedQueue = new InProcessUsageQueue({ logger });
const embeddedStore = new EmbeddedUsageStore(directory);
embeddedQueue.start(async (events) => {
  await embeddedStore.apply(events);
});
results["embedded: quota + in-process events"] = await meterLatency(embeddedQueue, embeddedQuotas);
await embeddedQueue.close();

const prefix = "bench:";
const redisQuotas = new RedisQuotaStore(redis, prefix);
await redisQuotas.setQuota({ tenantId: "bench-tenant", tokensPerMinute: 1e12, tokensPerDay: 1e12, costMicrosPerMonth: 1e12, concurrentStreams: null, updatedAt: new Date().toISOString() });
const redisSink = new RedisStreamUsageSink(redis, prefix, { logger });
results["redis: quota (Lua reserve + settle) + stream events"] = await meterLatency(redisSink, redisQuotas);
await redisSink.close();

// Aggregation throughput: a stream already holding N events, one consumer draining it.
const streamPrefix = "bench-stream:";
const producer = new RedisStreamUsageSink(redis, streamPrefix, { maximumBufferedEvents: eventCount, logger });
for (let index = 0; index < eventCount; index += 1) producer.emit(event(index));
await producer.flush(120_000);
await producer.close();
const consumerConnection = new Redis(redisServer.url);
const redisStore = new RedisUsageStore(redis, streamPrefix);
const consumer = new RedisStreamUsageConsumer(consumerConnection, streamPrefix, { consumerName: "bench", logger });
consumer.start(async (events) => {
  await redisStore.apply(events);
});
const redisSeconds = await waitForTotal(redisStore, eventCount);
await consumer.stop();
results["redis consumer: events aggregated per second"] = Math.round(eventCount / redisSeconds);

const queue = new InProcessUsageQueue({ maximumBufferedEvents: eventCount, logger });
const fileStore = new EmbeddedUsageStore(await mkdtemp(join(directory, "throughput-")));
const started = performance.now();
for (let index = 0; index < eventCount; index += 1) queue.emit(event(index));
queue.start(async (events) => {
  await fileStore.apply(events);
});
await queue.flush(600_000);
results["embedded queue: events aggregated per second"] = Math.round(eventCount / ((performance.now() - started) / 1000));
await queue.close();
console.log(JSON.stringify(results, null, 2));

await consumerConnection.quit();
await redis.quit();
await rm(directory, { recursive: true, force: true });
// Signals the server; its exit is not awaited (the harness's wait keeps nothing alive once the rest is closed).
void redisServer.stop();
