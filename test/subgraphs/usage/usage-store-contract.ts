import assert from "node:assert/strict";
import { it } from "node:test";
import { emptyHistogram, histogramPercentile, latencyBucketIndex, recordLatency } from "../../../subgraphs/usage/store/latency-histogram.ts";
import type { UsageStoreOptions } from "../../../subgraphs/usage/store/usage-store-options.ts";
import type { UsageBucket, UsageStore } from "../../../subgraphs/usage/store/usage-store.ts";
import { usageEvent } from "./usage-fixtures.ts";

const hour = (iso: string) => new Date(iso);
const everything = { from: hour("2026-01-01T00:00:00Z"), to: hour("2027-01-01T00:00:00Z") };

function counters(bucket: UsageBucket | undefined): Omit<UsageBucket, "latency" | "timeToFirstToken"> | undefined {
  if (bucket === undefined) return undefined;
  const { latency: _latency, timeToFirstToken: _timeToFirstToken, ...rest } = bucket;
  return rest;
}

const identity = (bucket: UsageBucket) => `${bucket.hourStart} ${bucket.tenantId} ${bucket.modelId}`;

/**
 * The behaviour every UsageStore must have; run against each implementation. `createStore` gives a
 * new, empty store for each call.
 */
export function usageStoreContract(createStore: (options?: UsageStoreOptions) => Promise<UsageStore>): void {
  it("adds events into one bucket per tenant, model and UTC hour", async () => {
    const store = await createStore();
    await store.apply([
      usageEvent({ occurredAt: "2026-11-22T05:00:00.000Z", promptTokens: 1, completionTokens: 2, costMicros: 3 }),
      usageEvent({ occurredAt: "2026-11-22T05:59:59.999Z", promptTokens: 10, completionTokens: 20, costMicros: 30, status: "FAILED", errorCode: "ENGINE_ERROR" }),
      usageEvent({ occurredAt: "2026-11-22T07:30:00+02:00", status: "CANCELLED", errorCode: "CANCELLED" }),
      usageEvent({ occurredAt: "2026-11-22T06:00:00.000Z", modelId: "other-model" }),
      usageEvent({ occurredAt: "2026-11-22T05:30:00.000Z", tenantId: "globex", costMicros: 7, currency: "EUR" }),
    ]);
    const buckets = await store.buckets(everything);
    assert.deepEqual(buckets.map(counters), [
      {
        tenantId: "acme",
        modelId: "tiny-chat",
        hourStart: "2026-11-22T05:00:00.000Z",
        requests: 3,
        succeeded: 1,
        failed: 1,
        cancelled: 1,
        cacheHits: 0,
        promptTokens: 21,
        completionTokens: 42,
        costMicros: 333,
        currency: "USD",
      },
      {
        tenantId: "globex",
        modelId: "tiny-chat",
        hourStart: "2026-11-22T05:00:00.000Z",
        requests: 1,
        succeeded: 1,
        failed: 0,
        cancelled: 0,
        cacheHits: 0,
        promptTokens: 10,
        completionTokens: 20,
        costMicros: 7,
        currency: "EUR",
      },
      {
        tenantId: "acme",
        modelId: "other-model",
        hourStart: "2026-11-22T06:00:00.000Z",
        requests: 1,
        succeeded: 1,
        failed: 0,
        cancelled: 0,
        cacheHits: 0,
        promptTokens: 10,
        completionTokens: 20,
        costMicros: 300,
        currency: "USD",
      },
    ]);
  });

  it("counts the answers served from the response cache among the succeeded ones", async () => {
    const store = await createStore();
    await store.apply([
      usageEvent({ cacheHit: true, promptTokens: 0, completionTokens: 0, costMicros: 0 }),
      usageEvent({ cacheHit: true, promptTokens: 0, completionTokens: 0, costMicros: 0 }),
      usageEvent({ cacheHit: false }),
      usageEvent({}),
    ]);
    const [bucket] = await store.buckets(everything);
    assert.deepEqual([bucket?.requests, bucket?.succeeded, bucket?.cacheHits, bucket?.promptTokens], [4, 4, 2, 20]);
  });

  it("counts an event once, whether repeated in one batch, across batches or at once", async () => {
    const store = await createStore();
    const first = usageEvent();
    const second = usageEvent();
    assert.deepEqual(await store.apply([first, first, second]), { applied: 2, duplicates: 1 });
    assert.deepEqual(await store.apply([second, first]), { applied: 0, duplicates: 2 });
    const third = usageEvent();
    const concurrent = await Promise.all([store.apply([third]), store.apply([third]), store.apply([third])]);
    assert.equal(concurrent.reduce((sum, result) => sum + result.applied, 0), 1, "concurrent applies of one event count it once");
    assert.deepEqual(await store.apply([]), { applied: 0, duplicates: 0 });
    const [bucket] = await store.buckets(everything);
    assert.equal(bucket?.requests, 3);
    assert.equal(bucket?.promptTokens, 30);
  });

  it("filters by tenant, model and hours, from rounded down to its hour and to exclusive", async () => {
    const store = await createStore();
    await store.apply([
      usageEvent({ occurredAt: "2026-11-22T04:59:00.000Z" }),
      usageEvent({ occurredAt: "2026-11-22T05:10:00.000Z" }),
      usageEvent({ occurredAt: "2026-11-22T06:10:00.000Z" }),
      usageEvent({ occurredAt: "2026-11-22T07:10:00.000Z" }),
      usageEvent({ occurredAt: "2026-11-22T05:10:00.000Z", modelId: "other-model" }),
      usageEvent({ occurredAt: "2026-11-22T05:10:00.000Z", tenantId: "globex" }),
    ]);
    const range = { from: hour("2026-11-22T05:45:00Z"), to: hour("2026-11-22T07:00:00Z") };
    assert.deepEqual((await store.buckets(range)).map(identity), [
      "2026-11-22T05:00:00.000Z acme other-model",
      "2026-11-22T05:00:00.000Z acme tiny-chat",
      "2026-11-22T05:00:00.000Z globex tiny-chat",
      "2026-11-22T06:00:00.000Z acme tiny-chat",
    ]);
    assert.deepEqual((await store.buckets({ ...range, tenantId: "acme", modelId: "tiny-chat" })).map(identity), [
      "2026-11-22T05:00:00.000Z acme tiny-chat",
      "2026-11-22T06:00:00.000Z acme tiny-chat",
    ]);
    assert.deepEqual((await store.buckets({ ...range, modelId: "tiny-chat" })).map(identity), [
      "2026-11-22T05:00:00.000Z acme tiny-chat",
      "2026-11-22T05:00:00.000Z globex tiny-chat",
      "2026-11-22T06:00:00.000Z acme tiny-chat",
    ]);
    const oneHour = { tenantId: "acme", modelId: "tiny-chat", from: hour("2026-11-22T06:00:00Z"), to: hour("2026-11-22T07:00:00Z") };
    assert.deepEqual((await store.buckets(oneHour)).map(identity), ["2026-11-22T06:00:00.000Z acme tiny-chat"], "to is exclusive");
    const withinAnHour = { from: hour("2026-11-22T07:10:00Z"), to: hour("2026-11-22T07:10:00.001Z") };
    assert.deepEqual((await store.buckets(withinAnHour)).map(identity), ["2026-11-22T07:00:00.000Z acme tiny-chat"], "from is rounded down");
    assert.deepEqual(await store.buckets({ ...range, tenantId: "nobody" }), []);
  });

  it("orders buckets by hour, then tenant, then model, comparing ids by bytes", async () => {
    const store = await createStore();
    await store.apply([
      usageEvent({ occurredAt: "2026-11-22T09:00:00.000Z", tenantId: "a" }),
      usageEvent({ occurredAt: "2026-11-22T05:00:00.000Z", tenantId: "b", modelId: "m" }),
      usageEvent({ occurredAt: "2026-11-22T05:00:00.000Z", tenantId: "a", modelId: "m" }),
      usageEvent({ occurredAt: "2026-11-22T05:00:00.000Z", tenantId: "a", modelId: "M" }),
      usageEvent({ occurredAt: "2026-11-22T05:00:00.000Z", tenantId: "B", modelId: "m" }),
    ]);
    assert.deepEqual((await store.buckets(everything)).map(identity), [
      "2026-11-22T05:00:00.000Z B m",
      "2026-11-22T05:00:00.000Z a M",
      "2026-11-22T05:00:00.000Z a m",
      "2026-11-22T05:00:00.000Z b m",
      "2026-11-22T09:00:00.000Z a tiny-chat",
    ]);
  });

  it("keeps tenants apart, even when their ids contain separators", async () => {
    const store = await createStore();
    await store.apply([usageEvent({ tenantId: "a:b", modelId: "c" }), usageEvent({ tenantId: "a", modelId: "b:c" }), usageEvent({ tenantId: "a%3Ab", modelId: "c" })]);
    for (const tenantId of ["a:b", "a", "a%3Ab"]) {
      const buckets = await store.buckets({ ...everything, tenantId });
      assert.equal(buckets.length, 1, tenantId);
      assert.equal(buckets[0]?.tenantId, tenantId);
      assert.equal(buckets[0]?.requests, 1);
    }
    assert.equal((await store.buckets(everything)).length, 3);
  });

  it("keeps latency and time-to-first-token histograms", async () => {
    const store = await createStore();
    const latencies = [3, 3, 50, 900, 45_000];
    await store.apply(latencies.map((latencyMillis, index) => usageEvent({ latencyMillis, timeToFirstTokenMillis: index < 2 ? 25 : null })));
    const [bucket] = await store.buckets(everything);
    const expectedLatency = emptyHistogram();
    for (const latency of latencies) recordLatency(expectedLatency, latency);
    assert.deepEqual(bucket?.latency, expectedLatency);
    const expectedTimeToFirstToken = emptyHistogram();
    expectedTimeToFirstToken[latencyBucketIndex(25)] = 2;
    assert.deepEqual(bucket?.timeToFirstToken, expectedTimeToFirstToken, "only calls that measured a first token");
    assert.ok((histogramPercentile(bucket?.latency ?? [], 0.5) ?? 0) >= 50);
    const [empty] = await (async () => {
      const other = await createStore();
      await other.apply([usageEvent()]);
      return other.buckets(everything);
    })();
    assert.equal(histogramPercentile(empty?.timeToFirstToken ?? [], 0.5), null);
  });

  it("drops buckets past the bucket retention, counting their events as applied", async () => {
    let now = Date.parse("2030-01-01T06:30:00Z");
    const store = await createStore({ bucketRetentionMillis: 2 * 3_600_000, now: () => now });
    const old = usageEvent({ occurredAt: "2030-01-01T04:10:00.000Z" });
    const recent = usageEvent({ occurredAt: "2030-01-01T05:10:00.000Z" });
    assert.deepEqual(await store.apply([old, recent]), { applied: 2, duplicates: 0 });
    const range = { from: hour("2030-01-01T00:00:00Z"), to: hour("2030-01-02T00:00:00Z") };
    assert.deepEqual((await store.buckets(range)).map((bucket) => bucket.hourStart), ["2030-01-01T05:00:00.000Z"]);
    assert.deepEqual(await store.apply([old]), { applied: 0, duplicates: 1 });
    now = Date.parse("2030-01-01T08:30:00Z");
    await store.apply([usageEvent({ occurredAt: "2030-01-01T08:10:00.000Z" })]);
    assert.deepEqual((await store.buckets(range)).map((bucket) => bucket.hourStart), ["2030-01-01T08:00:00.000Z"]);
  });

  it("reports itself healthy", async () => {
    const store = await createStore();
    await store.checkHealth();
    await store.close();
  });
}
