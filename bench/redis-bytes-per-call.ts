/**
 * Redis memory each completion leaves behind, by key family: runs CALLS completions (default 300)
 * through the inference subgraph on a real redis-server, lets the usage subgraph aggregate them,
 * then reads `MEMORY USAGE` of every key of each family (SCAN) and `used_memory` before and after.
 * Prints one JSON object: bytes per call of each family, and the memory a sustained call a second
 * holds at the configured retentions (what `redis-memory-budget.ts` estimates with).
 *
 *   node --import tsx bench/redis-bytes-per-call.ts
 */
import { join } from "node:path";
import { Redis } from "ioredis";
import { generateModel, modelPresets } from "../engines/gguf/generate-model.ts";
import { InternalContextSigner, internalContextHeader } from "../platform/context/internal-context-token.ts";
import { createLogger } from "../platform/logging/logger.ts";
import { loadInferenceConfig } from "../subgraphs/inference/config.ts";
import { startInference } from "../subgraphs/inference/service.ts";
import { RedisModelStore } from "../subgraphs/model-registry/store/redis-model-store.ts";
import { RedisQuotaStore } from "../subgraphs/usage/quota/redis-quota-store.ts";
import { loadUsageConfig } from "../subgraphs/usage/config.ts";
import { startUsage } from "../subgraphs/usage/service.ts";
import { modelRecord } from "../test/subgraphs/model-registry/model-fixtures.ts";
import { findFreePort, startTestRedis } from "../test/harness/redis-server.ts";
import { temporaryDirectory } from "../test/harness/temporary-directory.ts";

const calls = Number(process.env.CALLS ?? 300);
const secret = "bench-signing-secret-0123456789abcdefghij";
const signer = new InternalContextSigner(secret);
const server = await startTestRedis();
const prefix = "bench:";
const redis = new Redis(server.url);
const modelsDirectory = await temporaryDirectory("bench-bytes-models");
await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "tiny.gguf") });
await new RedisModelStore(redis, prefix).create(modelRecord({ id: "bench-chat" }));
// A quota, so each call also reserves and settles (its counters and reservation marker are measured too).
await new RedisQuotaStore(redis, prefix).setQuota({ tenantId: "bench", tokensPerMinute: 100_000_000, tokensPerDay: null, costMicrosPerMonth: null, concurrentStreams: null, updatedAt: new Date().toISOString() });
const environment = {
  STORE_BACKEND: "redis",
  REDIS_URL: server.url,
  REDIS_KEY_PREFIX: prefix,
  INTERNAL_SIGNING_SECRET: secret,
  MODELS_DIR: modelsDirectory,
  DATA_DIR: await temporaryDirectory("bench-bytes-data"),
  LOG_LEVEL: "error",
};
const inferenceConfig = loadInferenceConfig({ ...environment, INFERENCE_PORT: String(await findFreePort()) });
const usageConfig = loadUsageConfig({ ...environment, USAGE_PORT: "0", USAGE_CONSUMER_NAME: "bench" });
const inference = await startInference(inferenceConfig, createLogger("inference", "error"));
const usage = await startUsage(usageConfig, createLogger("usage", "error"));

const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1]);
// One warm-up call creates the hour's bucket, its indexes and the stream, which later calls share.
async function complete(index: number): Promise<void> {
  const response = await fetch(inference.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", [internalContextHeader]: signer.sign({ requestId: `bench-${index}`, tenantId: "bench", apiKeyId: "bench-key", roles: ["member"] }) },
    body: JSON.stringify({ query: `mutation($input: CompletionInput!) { createCompletion(input: $input) { id } }`, variables: { input: { model: "bench-chat", prompt: "Write one sentence about the sea.", maxTokens: 24, seed: index } } }),
  });
  const reply = (await response.json()) as { errors?: unknown };
  if (reply.errors !== undefined) throw new Error(JSON.stringify(reply.errors));
}
await complete(calls);
const eventMarkers = async () => (await scanKeys(`${prefix}usage-event:*`)).length;
while ((await eventMarkers()) < 1) await new Promise((resolve) => setTimeout(resolve, 50));
const before = await usedMemory();
for (let index = 0; index < calls; index += 1) await complete(index);
while ((await eventMarkers()) < calls + 1) await new Promise((resolve) => setTimeout(resolve, 50));
const after = await usedMemory();

async function scanKeys(pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1_000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== "0");
  return keys;
}

async function family(pattern: string): Promise<{ keys: number; bytesPerKey: number }> {
  const keys = await scanKeys(pattern);
  let bytes = 0;
  for (const key of keys) bytes += Number(await redis.memory("USAGE", key, "SAMPLES", 0));
  return { keys: keys.length, bytesPerKey: keys.length === 0 ? 0 : Math.round(bytes / keys.length) };
}

const families = {
  completionRecord: await family(`${prefix}inference:completion:*`),
  usageEventMarker: await family(`${prefix}usage-event:*`),
  quotaReservationMarker: await family(`${prefix}quota-reservation:*`),
  usageStream: { entries: await redis.xlen(`${prefix}usage-events`) },
  // Shared by many calls (per tenant, model, hour or window), not per call:
  usageBucket: await family(`${prefix}usage-bucket:*`),
  usageBucketIndexes: await family(`${prefix}usage-buckets-by-hour*`),
  quotaSettings: await family(`${prefix}quota:*`),
  quotaCounters: await family(`${prefix}quota-use:*`),
};
const completionRetentionSeconds = inferenceConfig.completionRetentionMillis / 1_000;
const eventRetentionSeconds = usageConfig.usageEventRetentionSeconds;
const megabytes = (bytes: number) => Math.round(bytes / 1e5) / 10;
console.log(
  JSON.stringify(
    {
      calls,
      usedMemoryBytesPerCall: Math.round((after - before) / calls),
      families,
      retentionSeconds: { completionRecord: completionRetentionSeconds, usageEventMarker: eventRetentionSeconds },
      megabytesPerSustainedCallPerSecond: {
        completionRecords: megabytes(families.completionRecord.bytesPerKey * completionRetentionSeconds),
        usageEventMarkers: megabytes(families.usageEventMarker.bytesPerKey * eventRetentionSeconds),
        total: megabytes(families.completionRecord.bytesPerKey * completionRetentionSeconds + families.usageEventMarker.bytesPerKey * eventRetentionSeconds),
      },
    },
    null,
    2,
  ),
);
await inference.stop();
await usage.stop();
redis.disconnect();
await server.stop();
process.exit(0);
