import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GenerationRequest } from "../../../engines/engine.ts";
import { createLogger } from "../../../platform/logging/logger.ts";
import { defaultMetricsSettings } from "../../../platform/metrics/metrics-settings.ts";
import { ServiceMetrics } from "../../../platform/metrics/service-metrics.ts";
import { InMemoryResponseCacheStore } from "../../../subgraphs/inference/cache/in-memory-response-cache-store.ts";
import { isDeterministic, ResponseCache } from "../../../subgraphs/inference/cache/response-cache.ts";
import { completionCacheKey, embeddingsCacheKey } from "../../../subgraphs/inference/cache/response-cache-key.ts";
import type { ResponseCacheStore } from "../../../subgraphs/inference/cache/response-cache-store.ts";

const model = { id: "chat", version: 3, createdAt: "2026-12-01T00:00:00.000Z" };
const request: GenerationRequest = {
  prompt: { kind: "chat", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Capital of France?" }] },
  parameters: { maxTokens: 16, temperature: 0 },
};
const answer = { text: "Paris.", finishReason: "STOP" as const, usage: { promptTokens: 20, completionTokens: 3 } };
const logger = createLogger("response-cache-test", "error");

function cacheWithClock(store: ResponseCacheStore = new InMemoryResponseCacheStore({ maximumEntries: 100, maximumBytes: 1_000_000 })) {
  const clock = { now: 1_800_000_000_000 };
  const metrics = new ServiceMetrics("inference", defaultMetricsSettings);
  const cache = new ResponseCache(store, { maximumTtlSeconds: 3_600 }, { logger, metrics, now: () => clock.now });
  return { cache, clock, metrics };
}

async function counter(metrics: ServiceMetrics, name: string): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return (metric?.values ?? []).reduce((sum, sample) => sum + sample.value, 0);
}

describe("response cache keys", () => {
  const key = completionCacheKey("tenant-a", model, request);

  it("are the same for the same tenant, model version and request, and 64 hex digits", () => {
    assert.match(key, /^[0-9a-f]{64}$/);
    const copy: GenerationRequest = JSON.parse(JSON.stringify(request));
    assert.equal(completionCacheKey("tenant-a", { ...model }, copy), key);
  });

  it("differ across tenants, so no tenant can read another's answers", () => {
    assert.notEqual(completionCacheKey("tenant-b", model, request), key);
  });

  it("differ across model versions, and for a model deleted and registered again", () => {
    assert.notEqual(completionCacheKey("tenant-a", { ...model, version: 4 }, request), key);
    assert.notEqual(completionCacheKey("tenant-a", { ...model, createdAt: "2026-12-02T00:00:00.000Z" }, request), key);
    assert.notEqual(completionCacheKey("tenant-a", { ...model, id: "other" }, request), key);
  });

  it("differ for any change to the prompt or a sampling parameter", () => {
    const variants: GenerationRequest[] = [
      { ...request, prompt: { kind: "chat", messages: [{ role: "user", content: "Be brief." }, { role: "user", content: "Capital of France?" }] } },
      { ...request, prompt: { kind: "chat", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Capital of France? " }] } },
      { ...request, prompt: { kind: "text", text: "Capital of France?" } },
      { ...request, parameters: { ...request.parameters, maxTokens: 17 } },
      { ...request, parameters: { ...request.parameters, temperature: 0.5, seed: 1 } },
      { ...request, parameters: { ...request.parameters, topP: 0.9 } },
      { ...request, parameters: { ...request.parameters, stop: ["."] } },
      { ...request, parameters: { ...request.parameters, seed: 0 } },
    ];
    const keys = variants.map((variant) => completionCacheKey("tenant-a", model, variant));
    assert.equal(new Set([key, ...keys]).size, variants.length + 1);
  });

  it("keep a chat message's boundaries: moving text between messages is another request", () => {
    const split = (first: string, second: string): GenerationRequest => ({ ...request, prompt: { kind: "chat", messages: [{ role: "user", content: first }, { role: "user", content: second }] } });
    assert.notEqual(completionCacheKey("tenant-a", model, split("ab", "c")), completionCacheKey("tenant-a", model, split("a", "bc")));
  });

  it("of embeddings depend on tenant, model version and the texts in order", () => {
    const embeddings = embeddingsCacheKey("tenant-a", model, ["a", "b"]);
    assert.equal(embeddingsCacheKey("tenant-a", model, ["a", "b"]), embeddings);
    assert.notEqual(embeddingsCacheKey("tenant-a", model, ["b", "a"]), embeddings);
    assert.notEqual(embeddingsCacheKey("tenant-b", model, ["a", "b"]), embeddings);
    assert.notEqual(embeddingsCacheKey("tenant-a", { ...model, version: 4 }, ["a", "b"]), embeddings);
    assert.notEqual(embeddingsCacheKey("tenant-a", model, ["a,b"]), embeddings);
  });
});

describe("ResponseCache", () => {
  it("serves a stored completion while it is no older than the request's TTL, and reports what is left", async () => {
    const { cache, clock, metrics } = cacheWithClock();
    const key = completionCacheKey("tenant-a", model, request);
    assert.equal(await cache.findCompletion(key, 60, "tenant-a", "completion"), undefined);
    assert.deepEqual(await cache.storeCompletion(key, 60, answer, "tenant-a", "completion"), { hit: false, kind: null, ttlSeconds: 60 });
    clock.now += 20_000;
    assert.deepEqual(await cache.findCompletion(key, 60, "tenant-a", "completion"), { answer, result: { hit: true, kind: "EXACT", ttlSeconds: 40 } });
    assert.equal(await cache.findCompletion(key, 10, "tenant-a", "completion"), undefined, "older than this request accepts");
    clock.now += 40_000;
    assert.equal(await cache.findCompletion(key, 60, "tenant-a", "completion"), undefined, "past its own TTL");
    assert.equal(await counter(metrics, "response_cache_hits_total"), 1);
    assert.equal(await counter(metrics, "response_cache_misses_total"), 3);
    assert.equal(await counter(metrics, "response_cache_stores_total"), 1);
  });

  it("keeps embeddings bit for bit", async () => {
    const { cache } = cacheWithClock();
    const vectors = [Float32Array.from([0.1, -2.5, Math.PI]), Float32Array.from([1e-30, 0, -0])];
    const key = embeddingsCacheKey("tenant-a", model, ["a", "b"]);
    await cache.storeEmbeddings(key, 60, { dimensions: 3, vectors, promptTokens: 4, promptTokensEstimated: false }, "tenant-a");
    const hit = await cache.findEmbeddings(key, 60, "tenant-a");
    assert.ok(hit !== undefined);
    assert.deepEqual(hit.answer, { dimensions: 3, vectors, promptTokens: 4, promptTokensEstimated: false });
    assert.equal(hit.result.hit, true);
  });

  it("never fails a request: an unreachable store is a miss and an answer it cannot keep is not cached", async () => {
    const broken: ResponseCacheStore = {
      get: () => Promise.reject(new Error("connection refused")),
      set: () => Promise.reject(new Error("connection refused")),
      checkHealth: () => Promise.reject(new Error("connection refused")),
      close: () => Promise.resolve(),
    };
    const { cache, metrics } = cacheWithClock(broken);
    assert.equal(await cache.findCompletion("key", 60, "tenant-a", "completion"), undefined);
    assert.deepEqual(await cache.storeCompletion("key", 60, answer, "tenant-a", "completion"), { hit: false, kind: null, ttlSeconds: null });
    const errors = await metrics.registry.getSingleMetric("store_errors_total")?.get();
    assert.deepEqual(errors?.values.map((sample) => [sample.labels.store, sample.labels.kind, sample.value]).sort(), [
      ["response-cache", "get", 1],
      ["response-cache", "set", 1],
    ]);
  });

  it("treats an entry that does not parse as a miss", async () => {
    const store = new InMemoryResponseCacheStore({ maximumEntries: 10, maximumBytes: 10_000 });
    await store.set("key", JSON.stringify({ text: 42 }), 60);
    const { cache } = cacheWithClock(store);
    assert.equal(await cache.findCompletion("key", 60, "tenant-a", "completion"), undefined);
  });

  it("checks the request's TTL: 1 to the maximum, at the field given", () => {
    const { cache } = cacheWithClock();
    assert.equal(cache.ttlOf(undefined, "input.cache"), undefined);
    assert.equal(cache.ttlOf(null, "input.cache"), undefined);
    assert.equal(cache.ttlOf({ ttlSeconds: 3_600 }, "input.cache"), 3_600);
    for (const ttlSeconds of [0, -1, 3_601]) {
      assert.throws(() => cache.ttlOf({ ttlSeconds }, "input.cache"), (error: { code?: string; field?: string; extensions?: { field?: string } }) => error.code === "BAD_USER_INPUT" && (error.extensions?.field ?? error.field) === "input.cache.ttlSeconds");
    }
  });

  it("calls greedy or seeded generations deterministic, others not", () => {
    assert.equal(isDeterministic({ maxTokens: 4, temperature: 0 }), true);
    assert.equal(isDeterministic({ maxTokens: 4, temperature: 0.7, seed: 5 }), true);
    assert.equal(isDeterministic({ maxTokens: 4, temperature: 0.7 }), false);
    assert.equal(isDeterministic({ maxTokens: 4 }), false, "the engine's default temperature is not 0");
  });
});
