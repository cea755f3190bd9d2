import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createClient } from "graphql-ws";
import { Redis } from "ioredis";
import WebSocket from "ws";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import { InternalContextSigner, internalContextHeader } from "../../platform/context/internal-context-token.ts";
import type { RunningService } from "../../platform/http/service-server.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { loadInferenceConfig } from "../../subgraphs/inference/config.ts";
import { startInference } from "../../subgraphs/inference/service.ts";
import { RedisModelStore } from "../../subgraphs/model-registry/store/redis-model-store.ts";
import { RedisQuotaStore } from "../../subgraphs/usage/quota/redis-quota-store.ts";
import { loadUsageConfig } from "../../subgraphs/usage/config.ts";
import { startUsage } from "../../subgraphs/usage/service.ts";
import { modelRecord } from "../subgraphs/model-registry/model-fixtures.ts";
import { findFreePort } from "../harness/redis-server.ts";
import { provisionRedis, requireServer } from "../harness/redis-suite.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";

// Persistent (fsync on every write), so the registry, the quota and the usage stream survive the kill.
const redis = await provisionRedis({ appendOnly: true });
const secret = "billing-test-signing-secret-0123456789abcdef";
const signer = new InternalContextSigner(secret);
const pricing = { inputPerMillionTokens: 2, outputPerMillionTokens: 10, currency: "USD" };
/** One tenant with a quota (its calls write to Redis before any engine work) and one without (its first write is the completion's record). */
const tenants = ["tenant-quota", "tenant-free"] as const;

/** What one client got back. */
interface ClientOutcome {
  tenantId: string;
  phase: "kill" | "fill";
  /** Set when the client got its completion. */
  completion?: { id: string; promptTokens: number; completionTokens: number; costMicros: number };
  /** `extensions.code` of the error the client got instead. */
  code?: string;
}

const createCompletion = `mutation($input: CompletionInput!) { createCompletion(input: $input) { id usage { promptTokens completionTokens } meteredCostMicros } }`;

interface CompletionReply {
  data?: { createCompletion: null | { id: string; usage: { promptTokens: number; completionTokens: number }; meteredCostMicros: number } };
  errors?: { message: string; extensions?: { code?: string } }[];
}

let requestCounter = 0;

function headers(tenantId: string): Record<string, string> {
  return { "content-type": "application/json", [internalContextHeader]: signer.sign({ requestId: `billing-${(requestCounter += 1)}`, tenantId, apiKeyId: `key-${tenantId}`, roles: ["member"] }) };
}

async function complete(inferenceUrl: string, tenantId: string, phase: ClientOutcome["phase"]): Promise<ClientOutcome> {
  const response = await fetch(inferenceUrl, { method: "POST", headers: headers(tenantId), body: JSON.stringify({ query: createCompletion, variables: { input: { model: "billed-chat", prompt: "Count the sheep", maxTokens: 6 } } }) });
  const reply = (await response.json()) as CompletionReply;
  const created = reply.data?.createCompletion;
  if (created !== null && created !== undefined) {
    assert.equal(reply.errors, undefined, JSON.stringify(reply));
    return { tenantId, phase, completion: { id: created.id, promptTokens: created.usage.promptTokens, completionTokens: created.usage.completionTokens, costMicros: created.meteredCostMicros } };
  }
  const code = reply.errors?.[0]?.extensions?.code;
  assert.ok(code !== undefined, `neither a completion nor a coded error: ${JSON.stringify(reply)}`);
  return { tenantId, phase, code };
}

const completionStream = `subscription($input: CompletionInput!) { completionStream(input: $input) { __typename ... on TextEndEvent { completion { id usage { promptTokens completionTokens } meteredCostMicros } } } }`;

interface StreamEventReply {
  data?: { completionStream: { __typename: string; completion?: { id: string; usage: { promptTokens: number; completionTokens: number }; meteredCostMicros: number } } } | null;
  errors?: readonly { message: string; extensions?: { code?: string } }[];
}

/** One streamed completion over graphql-ws, straight to the inference subgraph: its end event's completion, or the error that ended it. */
async function stream(inferenceUrl: string, tenantId: string, phase: ClientOutcome["phase"]): Promise<ClientOutcome & { deltas: number }> {
  const token = signer.sign({ requestId: `billing-stream-${(requestCounter += 1)}`, tenantId, apiKeyId: `key-${tenantId}`, roles: ["member"] });
  const client = createClient({ url: inferenceUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { [internalContextHeader]: token }, retryAttempts: 0 });
  let deltas = 0;
  try {
    for await (const result of client.iterate({ query: completionStream, variables: { input: { model: "billed-chat", prompt: "Count the goats", maxTokens: 6 } } }) as AsyncIterable<StreamEventReply>) {
      const code = result.errors?.[0]?.extensions?.code;
      if (code !== undefined) return { tenantId, phase, code, deltas };
      const event = result.data?.completionStream;
      if (event?.__typename === "TextDeltaEvent") deltas += 1;
      const completion = event?.completion;
      if (completion !== undefined) return { tenantId, phase, deltas, completion: { id: completion.id, promptTokens: completion.usage.promptTokens, completionTokens: completion.usage.completionTokens, costMicros: completion.meteredCostMicros } };
    }
    assert.fail("the stream ended with neither its end event nor an error");
  } catch (error) {
    // graphql-ws rejects the iteration with the errors array when the subscription fails at subscribe.
    const code = Array.isArray(error) ? (error[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code : undefined;
    if (code === undefined) throw error;
    return { tenantId, phase, code, deltas };
  } finally {
    await client.dispose();
  }
}

/** Clients sending completions back to back (two per tenant) until `stop`. */
function startLoad(inferenceUrl: string, phase: ClientOutcome["phase"], outcomes: ClientOutcome[]): { stop(): Promise<void> } {
  let stopping = false;
  const workers = [...tenants, ...tenants].map(async (tenantId) => {
    while (!stopping) outcomes.push(await complete(inferenceUrl, tenantId, phase));
  });
  return {
    stop: async () => {
      stopping = true;
      await Promise.all(workers);
    },
  };
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMillis = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface ReportTotals {
  requests: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  promptTokens: number;
  completionTokens: number;
  costs: { amountMicros: number }[];
}

async function usageReport(usageUrl: string, tenantId: string): Promise<ReportTotals> {
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();
  const query = `query($input: UsageQueryInput!) { usage(input: $input) { totals { requests succeeded failed cancelled promptTokens completionTokens costs { amountMicros } } } }`;
  const response = await fetch(usageUrl, { method: "POST", headers: headers(tenantId), body: JSON.stringify({ query, variables: { input: { from, to, granularity: "TOTAL" } } }) });
  const reply = (await response.json()) as { data?: { usage: { totals: ReportTotals } }; errors?: unknown };
  assert.ok(reply.data !== undefined, JSON.stringify(reply));
  return reply.data.usage.totals;
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

describe("billing follows what clients received, while Redis is killed and while it is full", { skip: redis.skip }, () => {
  let inference: RunningService;
  let usage: RunningService;
  let admin: Redis;
  let prefix: string;
  const outcomes: ClientOutcome[] = [];

  before(async () => {
    const server = requireServer(redis);
    prefix = server.uniquePrefix();
    admin = new Redis(server.url);
    admin.on("error", () => undefined);
    const modelsDirectory = await temporaryDirectory("billing-models");
    await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "tiny.gguf") });
    await new RedisModelStore(admin, prefix).create(modelRecord({ id: "billed-chat", pricing }));
    await new RedisQuotaStore(admin, prefix).setQuota({ tenantId: "tenant-quota", tokensPerMinute: 10_000_000, tokensPerDay: null, costMicrosPerMonth: null, concurrentStreams: null, updatedAt: new Date().toISOString() });
    const environment = {
      STORE_BACKEND: "redis",
      REDIS_URL: server.url,
      REDIS_KEY_PREFIX: prefix,
      INTERNAL_SIGNING_SECRET: secret,
      MODELS_DIR: modelsDirectory,
      DATA_DIR: await temporaryDirectory("billing-data"),
      LLAMA_CPP_THREADS: "1",
      LOG_LEVEL: "error",
      SHUTDOWN_GRACE_PERIOD_MILLIS: "2000",
    };
    inference = await startInference(loadInferenceConfig({ ...environment, INFERENCE_PORT: String(await findFreePort()) }), createLogger("inference", "error"));
    usage = await startUsage(loadUsageConfig({ ...environment, USAGE_PORT: "0", USAGE_CONSUMER_NAME: "billing-test" }), createLogger("usage", "error"));
  });
  after(async () => {
    await inference?.stop();
    await usage?.stop();
    admin?.disconnect();
  });

  it("bills exactly the completions clients got, none of the failures", async () => {
    const server = requireServer(redis);

    // 1. Redis is killed (SIGKILL) under load, and comes back 1.5 s later.
    const killLoad = startLoad(inference.graphqlUrl, "kill", outcomes);
    await until(() => outcomes.filter((outcome) => outcome.completion !== undefined).length >= 4, "completions before the kill");
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await server.restart();
    const afterRestart = outcomes.length;
    await until(() => outcomes.slice(afterRestart).filter((outcome) => outcome.completion !== undefined).length >= 4, "completions after the restart");
    await killLoad.stop();
    // A stream while Redis is healthy: billed at the cost its end event showed.
    const healthyStream = await stream(inference.graphqlUrl, "tenant-free", "kill");
    assert.ok(healthyStream.completion !== undefined, JSON.stringify(healthyStream));
    outcomes.push(healthyStream);

    // 2. Redis fills up: maxmemory just above what it holds, noeviction, filler values until writes are refused.
    await until(async () => (await admin.ping().catch(() => "")) === "PONG", "the admin connection back");
    await admin.config("SET", "maxmemory-policy", "noeviction");
    const usedMemory = Number(/used_memory:(\d+)/.exec(await admin.info("memory"))?.[1]);
    await admin.config("SET", "maxmemory", String(usedMemory + 512 * 1_024));
    const fillers: string[] = [];
    for (;;) {
      const key = `${prefix}filler:${fillers.length}`;
      const written = await admin.set(key, "x".repeat(16_384)).then(() => true, (error: Error) => (error.message.startsWith("OOM") ? false : Promise.reject(error)));
      if (!written) break;
      fillers.push(key);
    }
    // Full, and kept full: right at the limit, memory freed by the aggregators (deleting what they
    // acknowledged) or by buffers would let a write through now and then; 256 KB under what Redis
    // holds, every write is refused.
    const fullMemory = Number(/used_memory:(\d+)/.exec(await admin.info("memory"))?.[1]);
    await admin.config("SET", "maxmemory", String(fullMemory - 256 * 1_024));
    const fillStart = outcomes.length;
    const fillLoad = startLoad(inference.graphqlUrl, "fill", outcomes);
    const storeFull = (tenantId: string) => outcomes.slice(fillStart).filter((outcome) => outcome.tenantId === tenantId && outcome.code === "STORE_FULL").length;
    await until(() => tenants.every((tenantId) => storeFull(tenantId) >= 3), "STORE_FULL answers for both tenants");
    await fillLoad.stop();
    // A stream while Redis is full: the client was sent every token, but its completion could not be
    // saved, so the stream ends with STORE_FULL instead of its end event, and the call is not charged.
    const fullStream = await stream(inference.graphqlUrl, "tenant-free", "fill");
    assert.deepEqual([fullStream.code, fullStream.deltas > 0], ["STORE_FULL", true], JSON.stringify(fullStream));
    outcomes.push(fullStream);
    // A tenant with a quota is refused at subscribe, before any engine work.
    const refusedStream = await stream(inference.graphqlUrl, "tenant-quota", "fill");
    assert.deepEqual([refusedStream.code, refusedStream.deltas], ["STORE_FULL", 0], JSON.stringify(refusedStream));
    outcomes.push(refusedStream);
    await admin.del(...fillers);
    await admin.config("SET", "maxmemory", "0");

    // What clients received, against what the usage report says once every buffered event arrived.
    const kill = outcomes.filter((outcome) => outcome.phase === "kill");
    const fill = outcomes.filter((outcome) => outcome.phase === "fill");
    assert.ok(kill.some((outcome) => outcome.code === "SERVICE_UNAVAILABLE"), `some calls failed while Redis was down: ${JSON.stringify(kill.map((outcome) => outcome.code ?? "ok"))}`);
    assert.deepEqual([...new Set(kill.flatMap((outcome) => outcome.code ?? []))], ["SERVICE_UNAVAILABLE"]);
    assert.deepEqual([...new Set(fill.flatMap((outcome) => outcome.code ?? []))], ["STORE_FULL"], "a full Redis is not 'unavailable'");
    for (const tenantId of tenants) {
      const received = outcomes.filter((outcome) => outcome.tenantId === tenantId);
      const completions = received.flatMap((outcome) => outcome.completion ?? []);
      const failures = received.filter((outcome) => outcome.code !== undefined);
      let report: ReportTotals | undefined;
      await until(async () => (report = await usageReport(usage.graphqlUrl, tenantId)).requests >= received.length, `every call of ${tenantId} in its usage report`);
      assert.ok(report !== undefined);
      assert.equal(report.requests, received.length, `${tenantId}: one metered call per client call`);
      assert.equal(report.succeeded, completions.length, `${tenantId}: succeeded = completions clients got`);
      assert.equal(report.failed, failures.length, `${tenantId}: failed = errors clients got`);
      assert.equal(report.cancelled, 0);
      // 0 billed failures: the tenant is charged exactly what its completions said they cost.
      assert.deepEqual(
        report.costs.map((cost) => cost.amountMicros),
        [sum(completions.map((completion) => completion.costMicros))],
        `${tenantId}: charged only for the completions clients received`,
      );
      assert.equal(sum(completions.map((completion) => completion.costMicros)), sum(completions.map((completion) => completion.promptTokens * 2 + completion.completionTokens * 10)));
      // Calls that failed after engine work (the record's save refused) are FAILED with their
      // tokens, charged nothing. The tenant without a quota always gets that far: its first write is the record.
      const failedPromptTokens = report.promptTokens - sum(completions.map((completion) => completion.promptTokens));
      assert.ok(failedPromptTokens >= 0);
      if (tenantId === "tenant-free") {
        assert.ok(failedPromptTokens > 0, `the tokens of ${tenantId}'s failed calls are in its report (${failedPromptTokens})`);
      } else {
        // A full Redis refuses the reservation itself: no engine work, no tokens. Only calls already
        // on the engine when Redis was killed can have failed with tokens (their save failed).
        const promptTokensPerCall = completions[0]?.promptTokens ?? 0;
        const killFailures = failures.filter((outcome) => outcome.phase === "kill").length;
        assert.ok(failedPromptTokens <= killFailures * promptTokensPerCall, `${tenantId}'s STORE_FULL refusals used no tokens (${failedPromptTokens} > ${killFailures} × ${promptTokensPerCall})`);
      }
      // And every completion a client got can be read back: its record was saved before it was billed.
      for (const completion of completions) {
        const response = await fetch(inference.graphqlUrl, { method: "POST", headers: headers(tenantId), body: JSON.stringify({ query: `query($id: ID!) { completion(id: $id) { id } }`, variables: { id: completion.id } }) });
        assert.deepEqual(await response.json(), { data: { completion: { id: completion.id } } });
      }
    }
  });
});
