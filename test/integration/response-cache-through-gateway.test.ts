import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { print, type ExecutionResult } from "graphql";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { createGraphClient, type GraphClient } from "../../packages/client/src/index.ts";
import { graphql } from "../../client/generated/index.ts";
import type { CachedCompletionStreamSubscription } from "../../client/generated/graphql.ts";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import { present } from "../harness/present.ts";
import { provisionRedis, requireServer } from "../harness/redis-suite.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

const RegisterModel = graphql(`
  mutation RegisterCachedModel($input: RegisterModelInput!) {
    registerModel(input: $input) { id version }
  }
`);

const UpdateModel = graphql(`
  mutation UpdateCachedModel($id: ID!, $expectedVersion: Int!, $input: UpdateModelInput!) {
    updateModel(id: $id, expectedVersion: $expectedVersion, input: $input) { id version }
  }
`);

const CachedCompletion = graphql(`
  mutation CachedCompletion($input: CompletionInput!) {
    createCompletion(input: $input) {
      id
      text
      finishReason
      usage { promptTokens completionTokens }
      cost { amountMicros }
      cache { hit kind ttlSeconds }
    }
  }
`);

const CachedCompletionById = graphql(`
  query CachedCompletionById($id: ID!) {
    completion(id: $id) { id text cache { hit kind } }
  }
`);

const CachedEmbeddings = graphql(`
  query CachedEmbeddings($model: ID!, $texts: [String!]!, $cache: CacheInput) {
    embeddings(model: $model, texts: $texts, cache: $cache) {
      embeddings { index vector }
      usage { promptTokens }
      cache { hit kind ttlSeconds }
    }
  }
`);

const CachedCompletionStream = graphql(`
  subscription CachedCompletionStream($input: CompletionInput!) {
    completionStream(input: $input) {
      __typename
      ... on TextDeltaEvent { index text }
      ... on TextEndEvent { completion { id text cache { hit kind } } }
    }
  }
`);

const CacheUsage = graphql(`
  query CacheUsage($input: UsageQueryInput!) {
    usage(input: $input) { totals { requests cacheHits cacheHitRate promptTokens completionTokens costs { amountMicros } } }
  }
`);

type StreamEvent = CachedCompletionStreamSubscription["completionStream"];

async function eventually<Value>(read: () => Promise<Value>, ready: (value: Value) => boolean, what: string): Promise<Value> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (ready(value)) return value;
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A response cache counter of the inference subgraph's /metrics, summed over `operation`'s series. */
async function cacheCounter(stack: TestStack, name: string, operation: string): Promise<number> {
  const text = await (await fetch(`${stack.inference.url}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) && line.includes(`operation="${operation}"`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

const redis = await provisionRedis();

for (const backend of ["embedded", "redis"] as const) {
  describe(`the exact response cache through the gateway (${backend})`, { skip: backend === "redis" ? redis.skip : false }, () => {
    let stack: TestStack;
    let admin: GraphClient;
    let member: GraphClient;
    let otherTenant: GraphClient;
    let socket: Client;
    const from = new Date(Date.now() - 60_000).toISOString();

    before(async () => {
      const modelsDirectory = await temporaryDirectory(`response-cache-models-${backend}`);
      await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });
      await generateModel({ ...modelPresets.tiny, pooling: "mean", outputPath: join(modelsDirectory, "embed.gguf") });
      const storage = backend === "redis" ? { STORE_BACKEND: "redis", REDIS_URL: requireServer(redis).url, REDIS_KEY_PREFIX: requireServer(redis).uniquePrefix(), INTERNAL_SIGNING_SECRET: "response-cache-test-secret-at-least-32-chars" } : {};
      stack = await startTestStack({ DATA_DIR: await temporaryDirectory(`response-cache-stack-${backend}`), MODELS_DIR: modelsDirectory, ...storage });
      admin = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.adminKey.key });
      member = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.memberKey.key });
      otherTenant = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.otherTenantKey.key });
      const pricing = { inputPerMillionTokens: 1000, outputPerMillionTokens: 2000 };
      await admin.request(RegisterModel, { input: { id: "cached-chat", displayName: "Cached chat", family: "llama", capabilities: ["CHAT", "COMPLETION"], contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" }, pricing } });
      await admin.request(RegisterModel, {
        input: { id: "cached-embed", displayName: "Cached embeddings", family: "llama", capabilities: ["EMBEDDING"], embeddingDimensions: 256, contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "embed.gguf" }, pricing },
      });
      socket = createClient({ url: stack.gateway.graphqlUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${stack.memberKey.key}` }, retryAttempts: 0 });
    });
    after(async () => {
      await socket?.dispose();
      await stack?.stop();
    });

    async function stream(input: Record<string, unknown>): Promise<StreamEvent[]> {
      const events: StreamEvent[] = [];
      for await (const result of socket.iterate({ query: print(CachedCompletionStream), variables: { input } }) as AsyncIterable<ExecutionResult<CachedCompletionStreamSubscription>>) {
        if (result.errors !== undefined) throw new Error(JSON.stringify(result.errors));
        if (result.data) events.push(result.data.completionStream);
      }
      return events;
    }

    it("serves a repeated deterministic completion from the cache, charged nothing, and meters it with zero tokens", async () => {
      const input = { model: "cached-chat", prompt: "The cache remembers", maxTokens: 8, temperature: 0, cache: { ttlSeconds: 60 } };
      const hitsBefore = await cacheCounter(stack, "response_cache_hits_total", "completion");
      const first = present((await member.request(CachedCompletion, { input })).createCompletion, "createCompletion");
      assert.deepEqual(first.cache, { hit: false, kind: null, ttlSeconds: 60 });
      assert.ok((first.cost?.amountMicros ?? 0) > 0, "the generated answer is charged");
      const second = present((await member.request(CachedCompletion, { input })).createCompletion, "createCompletion");
      assert.equal(second.cache?.hit, true);
      assert.equal(second.cache?.kind, "EXACT");
      assert.ok((second.cache?.ttlSeconds ?? 0) >= 1 && (second.cache?.ttlSeconds ?? 0) <= 60);
      assert.notEqual(second.id, first.id, "a hit is a completion of its own");
      assert.equal(second.text, first.text);
      assert.equal(second.finishReason, first.finishReason);
      assert.deepEqual(second.usage, first.usage, "usage gives the tokens of the cached answer");
      assert.equal(second.cost?.amountMicros, 0, "a cache hit costs nothing");
      assert.deepEqual((await member.request(CachedCompletionById, { id: second.id })).completion, { id: second.id, text: first.text, cache: { hit: true, kind: "EXACT" } });
      assert.equal(await cacheCounter(stack, "response_cache_hits_total", "completion"), hitsBefore + 1);
      assert.ok((await cacheCounter(stack, "response_cache_stores_total", "completion")) >= 1);
      assert.ok((await cacheCounter(stack, "response_cache_misses_total", "completion")) >= 1);
    });

    it("never serves one tenant's answer to another: tenant-b's identical request misses", async () => {
      const input = { model: "cached-chat", prompt: "Tenants keep apart", maxTokens: 6, temperature: 0, cache: { ttlSeconds: 60 } };
      const own = present((await member.request(CachedCompletion, { input })).createCompletion, "createCompletion");
      assert.equal(own.cache?.hit, false);
      assert.equal((await member.request(CachedCompletion, { input })).createCompletion?.cache?.hit, true);
      const other = present((await otherTenant.request(CachedCompletion, { input })).createCompletion, "createCompletion");
      assert.deepEqual(other.cache, { hit: false, kind: null, ttlSeconds: 60 });
      assert.equal(other.text, own.text, "the same model and request: the same text, generated again");
    });

    it("misses once the model's version changes", async () => {
      const input = { model: "cached-chat", prompt: "Versions matter", maxTokens: 6, seed: 11, cache: { ttlSeconds: 60 } };
      assert.equal((await member.request(CachedCompletion, { input })).createCompletion?.cache?.hit, false);
      assert.equal((await member.request(CachedCompletion, { input })).createCompletion?.cache?.hit, true);
      await admin.request(UpdateModel, { id: "cached-chat", expectedVersion: 1, input: { displayName: "Cached chat, version 2" } });
      assert.equal((await member.request(CachedCompletion, { input })).createCompletion?.cache?.hit, false, "version 2 has no cached answers");
      assert.equal((await member.request(CachedCompletion, { input })).createCompletion?.cache?.hit, true);
    });

    it("keys on every parameter that changes the output", async () => {
      const input = { model: "cached-chat", prompt: "Parameters matter", maxTokens: 6, temperature: 0, cache: { ttlSeconds: 60 } };
      await member.request(CachedCompletion, { input });
      assert.equal((await member.request(CachedCompletion, { input: { ...input, maxTokens: 5 } })).createCompletion?.cache?.hit, false);
      assert.equal((await member.request(CachedCompletion, { input: { ...input, stop: ["."] } })).createCompletion?.cache?.hit, false);
      assert.equal((await member.request(CachedCompletion, { input: { ...input, seed: 3 } })).createCompletion?.cache?.hit, false);
      assert.equal((await member.request(CachedCompletion, { input: { ...input, prompt: "Parameters  matter" } })).createCompletion?.cache?.hit, false);
      assert.equal((await member.request(CachedCompletion, { input: { ...input, cache: { ttlSeconds: 30 } } })).createCompletion?.cache?.hit, true, "a shorter TTL still accepts a fresh answer");
    });

    it("replays a cached answer as a stream, and caches what a stream generated", async () => {
      const input = { model: "cached-chat", prompt: "Stream it again", maxTokens: 8, temperature: 0, cache: { ttlSeconds: 60 } };
      const generated = present((await member.request(CachedCompletion, { input })).createCompletion, "createCompletion");
      const replayed = await stream(input);
      const expectedEvents = generated.text === "" ? ["TextStartEvent", "TextEndEvent"] : ["TextStartEvent", "TextDeltaEvent", "TextEndEvent"];
      assert.deepEqual(replayed.map((event) => event.__typename), expectedEvents, "start, the whole text as one delta, end");
      const end = replayed.at(-1);
      assert.ok(end?.__typename === "TextEndEvent");
      assert.equal(end.completion.text, generated.text);
      assert.deepEqual(end.completion.cache, { hit: true, kind: "EXACT" });
      const deltas = replayed.flatMap((event) => (event.__typename === "TextDeltaEvent" ? [event.text] : []));
      assert.equal(deltas.join(""), generated.text);

      const streamedInput = { ...input, prompt: "Streamed first" };
      const streamed = (await stream(streamedInput)).at(-1);
      assert.ok(streamed?.__typename === "TextEndEvent");
      assert.equal(streamed.completion.cache?.hit, false);
      const afterStream = present((await member.request(CachedCompletion, { input: streamedInput })).createCompletion, "createCompletion");
      assert.equal(afterStream.cache?.hit, true);
      assert.equal(afterStream.text, streamed.completion.text);
    });

    it("serves repeated embeddings from the cache, bit for bit", async () => {
      const texts = ["cached alpha", "cached beta"];
      const first = present((await member.request(CachedEmbeddings, { model: "cached-embed", texts, cache: { ttlSeconds: 60 } })).embeddings, "embeddings");
      assert.deepEqual(first.cache, { hit: false, kind: null, ttlSeconds: 60 });
      const second = present((await member.request(CachedEmbeddings, { model: "cached-embed", texts, cache: { ttlSeconds: 60 } })).embeddings, "embeddings");
      assert.equal(second.cache?.hit, true);
      assert.deepEqual(second.embeddings, first.embeddings);
      assert.equal(second.usage.promptTokens, first.usage.promptTokens);
      assert.equal((await member.request(CachedEmbeddings, { model: "cached-embed", texts: [...texts].reverse(), cache: { ttlSeconds: 60 } })).embeddings?.cache?.hit, false, "order is part of the key");
      assert.equal((await otherTenant.request(CachedEmbeddings, { model: "cached-embed", texts, cache: { ttlSeconds: 60 } })).embeddings?.cache?.hit, false);
      assert.equal((await member.request(CachedEmbeddings, { model: "cached-embed", texts })).embeddings?.cache, null, "no cache asked: none used");
    });

    it("applies a model's default TTL to deterministic requests that do not ask, never refuses for it, and cache: null opts out", async () => {
      const registered = await admin.request(RegisterModel, {
        input: { id: "default-cached-chat", displayName: "Cached by default", family: "llama", capabilities: ["COMPLETION"], contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" }, pricing: { inputPerMillionTokens: 1, outputPerMillionTokens: 1 }, responseCacheTtlSeconds: 120 },
      });
      const input = { model: "default-cached-chat", prompt: "Cached by the model's default", maxTokens: 4, temperature: 0 };
      const first = present((await member.request(CachedCompletion, { input })).createCompletion, "createCompletion");
      assert.deepEqual(first.cache, { hit: false, kind: null, ttlSeconds: 120 });
      const second = present((await member.request(CachedCompletion, { input })).createCompletion, "createCompletion");
      assert.deepEqual([second.cache?.hit, second.text], [true, first.text]);
      assert.equal(present((await member.request(CachedCompletion, { input: { ...input, cache: null } })).createCompletion, "createCompletion").cache, null, "cache: null opts out");
      const sampled = present((await member.request(CachedCompletion, { input: { ...input, temperature: 0.9 } })).createCompletion, "createCompletion");
      assert.equal(sampled.cache, null, "a sampled request is neither refused nor cached");
      await admin.request(UpdateModel, { id: "default-cached-chat", expectedVersion: present(registered.registerModel, "registerModel").version, input: { responseCacheTtlSeconds: null } });
      assert.equal(present((await member.request(CachedCompletion, { input: { ...input, prompt: "After the default went" } })).createCompletion, "createCompletion").cache, null);
    });

    it("refuses a cache request that is not deterministic, or a TTL out of range, with BAD_USER_INPUT", async () => {
      const sampled = await member.execute(CachedCompletion, { input: { model: "cached-chat", prompt: "Random", maxTokens: 4, temperature: 0.8, cache: { ttlSeconds: 60 } } });
      assert.equal(sampled.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
      assert.equal(sampled.errors?.[0]?.extensions?.field, "input.cache");
      const tooLong = await member.execute(CachedCompletion, { input: { model: "cached-chat", prompt: "Forever", maxTokens: 4, temperature: 0, cache: { ttlSeconds: 86_401 } } });
      assert.equal(tooLong.errors?.[0]?.extensions?.field, "input.cache.ttlSeconds");
      const zero = await member.execute(CachedEmbeddings, { model: "cached-embed", texts: ["x"], cache: { ttlSeconds: 0 } });
      assert.equal(zero.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
      assert.equal(zero.errors?.[0]?.extensions?.field, "cache.ttlSeconds");
    });

    it("reports tenant-b's cache hit in usage with no tokens and no cost", async () => {
      const input = { model: "cached-chat", prompt: "Usage of a hit", maxTokens: 4, temperature: 0, cache: { ttlSeconds: 60 } };
      const before = await eventually(
        async () => present((await otherTenant.request(CacheUsage, { input: { from, to: new Date(Date.now() + 60_000).toISOString(), granularity: "TOTAL" } })).usage, "usage"),
        (usage) => usage.totals.requests >= 2,
        "tenant-b's calls so far",
      );
      const miss = present((await otherTenant.request(CachedCompletion, { input })).createCompletion, "createCompletion");
      const hit = present((await otherTenant.request(CachedCompletion, { input })).createCompletion, "createCompletion");
      assert.equal(hit.cache?.hit, true);
      const usage = await eventually(
        async () => present((await otherTenant.request(CacheUsage, { input: { from, to: new Date(Date.now() + 60_000).toISOString(), granularity: "TOTAL" } })).usage, "usage"),
        (report) => report.totals.requests >= before.totals.requests + 2,
        "the miss and the hit",
      );
      assert.equal(usage.totals.requests, before.totals.requests + 2, "the hit is metered as a call");
      assert.equal(usage.totals.cacheHits, before.totals.cacheHits + 1, "and counted as a cache hit");
      assert.equal(usage.totals.cacheHitRate, usage.totals.cacheHits / usage.totals.requests);
      assert.equal(usage.totals.promptTokens, before.totals.promptTokens + miss.usage.promptTokens, "the hit adds no tokens");
      assert.equal(usage.totals.completionTokens, before.totals.completionTokens + miss.usage.completionTokens);
      const costOf = (report: typeof usage) => report.totals.costs.reduce((sum, cost) => sum + cost.amountMicros, 0);
      assert.equal(costOf(usage), costOf(before) + (miss.cost?.amountMicros ?? 0), "the hit adds no cost");
    });
  });
}
