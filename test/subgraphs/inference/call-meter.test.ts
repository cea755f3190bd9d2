import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLogger } from "../../../platform/logging/logger.ts";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import { CallMeter, failureOutcome } from "../../../subgraphs/inference/metering/call-meter.ts";
import { costMicros } from "../../../subgraphs/inference/metering/cost.ts";
import { InProcessUsageQueue } from "../../../subgraphs/usage/events/in-process-usage-queue.ts";
import { EmbeddedQuotaStore } from "../../../subgraphs/usage/quota/embedded-quota-store.ts";
import type { QuotaStore } from "../../../subgraphs/usage/quota/quota-store.ts";
import type { UsageEvent } from "../../../subgraphs/usage/usage-event.ts";
import { modelRecord } from "../model-registry/model-fixtures.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { StreamSlotHeartbeat } from "../../../subgraphs/inference/metering/stream-slot-heartbeat.ts";
import { storeErrorOf } from "../../../platform/storage/redis-connection.ts";
import { Redis } from "ioredis";
import { RedisQuotaStore } from "../../../subgraphs/usage/quota/redis-quota-store.ts";
import { provisionRedis, requireServer } from "../../harness/redis-suite.ts";

const redis = await provisionRedis();

const logger = createLogger("test", "error");
const model = modelRecord({ pricing: { inputPerMillionTokens: 2, outputPerMillionTokens: 10, currency: "EUR" } });
const call = () => ({ request: { requestId: "request-1", tenantId: "acme", apiKeyId: "key-1", roles: ["member" as const] }, signal: new AbortController().signal, arrivedAt: performance.now() });
const start = (eventId: string, completionTokens = 50) => ({ call: call(), model, operation: "COMPLETION" as const, eventId, estimatedPromptTokens: 10, estimatedCompletionTokens: completionTokens });

/** Resolves once `condition` holds, checking every few milliseconds (the heartbeat runs on its own timer). */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 2_000; attempt += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`never happened: ${what}`);
}

async function meterWith(quotas: QuotaStore): Promise<{ meter: CallMeter; events: UsageEvent[]; queue: InProcessUsageQueue }> {
  const events: UsageEvent[] = [];
  const queue = new InProcessUsageQueue({ logger });
  queue.start(async (batch) => {
    events.push(...batch);
  });
  return { meter: new CallMeter(queue, quotas, { failOpen: false, logger }), events, queue };
}

/** A running stream keeps its slot through the heartbeat; a holder that stops renewing loses it one lease later. Run against each quota store. */
async function heartbeatScenario(quotas: QuotaStore): Promise<void> {
  const leaseMillis = quotas.streamLeaseMillis;
  await quotas.setQuota({ tenantId: "acme", tokensPerMinute: null, tokensPerDay: null, costMicrosPerMonth: null, concurrentStreams: 1, updatedAt: new Date().toISOString() });
  // A test clock moved by hand; the heartbeat beats every 5 ms of real time and stamps renewals with it.
  let clock = Date.now();
  const heartbeat = new StreamSlotHeartbeat(quotas, { renewEveryMillis: 5, now: () => clock, logger });
  const { queue } = await meterWith(quotas);
  const meter = new CallMeter(queue, quotas, { failOpen: false, logger, heartbeat });
  const streamStart = { ...start("stream-1"), operation: "STREAM" as const };
  const stream = await meter.open(streamStart);
  // Ten leases later the running stream still holds its slot: each beat moved its lease on.
  clock += 10 * leaseMillis;
  await until(async () => (await quotas.currentUse("acme", clock + leaseMillis - 1)).activeStreams === 1, "a renewal at the moved clock");
  assert.equal((await meter.open({ ...streamStart, eventId: "stream-2" }).catch((error: unknown) => error) as ServiceError).code, "QUOTA_EXCEEDED");
  await stream.finish({ status: "SUCCEEDED", errorCode: null, promptTokens: 1, completionTokens: 1, timeToFirstTokenMillis: 1, completionId: "stream-1" });
  assert.equal((await quotas.currentUse("acme", clock)).activeStreams, 0, "finishing frees the slot, and no later beat brings it back");
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal((await quotas.currentUse("acme", clock)).activeStreams, 0);

  // A dead holder: its heartbeat stops (the process is gone) and it never settles.
  const dead = await quotas.reserve({ reservationId: "dead", tenantId: "acme", tokens: 1, costMicros: 0, stream: true, nowMillis: clock });
  assert.ok(dead.admitted);
  const stopBeating = heartbeat.hold(dead.reservation);
  clock += 2 * leaseMillis;
  await until(async () => (await quotas.currentUse("acme", clock + leaseMillis - 1)).activeStreams === 1, "a renewal before the holder died");
  stopBeating();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const lastRenewedAt = clock;
  clock += leaseMillis;
  assert.equal((await quotas.currentUse("acme", lastRenewedAt + leaseMillis)).activeStreams, 0, "free one lease after the last renewal");
  assert.ok((await quotas.reserve({ reservationId: "after-the-dead", tenantId: "acme", tokens: 1, costMicros: 0, stream: true, nowMillis: clock })).admitted);
  await queue.close();
}

describe("call metering", () => {
  it("prices tokens per million in exact millionths", () => {
    assert.equal(costMicros(model.pricing, 10, 3), 50);
    assert.equal(costMicros({ inputPerMillionTokens: 0.15, outputPerMillionTokens: 0.6, currency: "USD" }, 1_000, 1_000), 750);
  });

  it("emits one event per call with its real use and cost, and settles the reservation", async () => {
    const quotas = new EmbeddedQuotaStore(await temporaryDirectory("meter"));
    await quotas.setQuota({ tenantId: "acme", tokensPerMinute: 1_000, tokensPerDay: null, costMicrosPerMonth: null, concurrentStreams: null, updatedAt: new Date().toISOString() });
    const { meter, events, queue } = await meterWith(quotas);
    const metered = await meter.open(start("event-1"));
    assert.equal((await quotas.currentUse("acme", Date.now())).tokensThisMinute, 60, "the estimate is reserved");
    const cost = await metered.finish({ status: "SUCCEEDED", errorCode: null, promptTokens: 10, completionTokens: 5, timeToFirstTokenMillis: null, completionId: "event-1" });
    assert.deepEqual(cost, { costMicros: 70, currency: "EUR" });
    await metered.finish({ status: "FAILED", errorCode: "X", promptTokens: 0, completionTokens: 0, timeToFirstTokenMillis: null, completionId: null });
    await queue.flush();
    assert.equal(events.length, 1, "a second finish changes nothing");
    assert.deepEqual({ ...events[0], latencyMillis: 0, occurredAt: "" }, {
      eventId: "event-1", requestId: "request-1", tenantId: "acme", apiKeyId: "key-1", modelId: model.id, operation: "COMPLETION", status: "SUCCEEDED", errorCode: null,
      promptTokens: 10, completionTokens: 5, latencyMillis: 0, timeToFirstTokenMillis: null, costMicros: 70, currency: "EUR", completionId: "event-1", occurredAt: "",
    });
    assert.equal((await quotas.currentUse("acme", Date.now())).tokensThisMinute, 15, "settled to what was used");
    await queue.close();
  });

  it("says in the event when the token counts are estimates", async () => {
    const { meter, events, queue } = await meterWith(new EmbeddedQuotaStore(await temporaryDirectory("meter")));
    await (await meter.open(start("event-estimated"))).finish({ status: "SUCCEEDED", errorCode: null, promptTokens: 4, completionTokens: 2, tokensEstimated: true, timeToFirstTokenMillis: null, completionId: null });
    await (await meter.open(start("event-exact"))).finish({ status: "SUCCEEDED", errorCode: null, promptTokens: 4, completionTokens: 2, timeToFirstTokenMillis: null, completionId: null });
    await queue.flush();
    assert.deepEqual(
      events.map((event) => [event.eventId, event.tokensEstimated]),
      [
        ["event-estimated", true],
        ["event-exact", undefined],
      ],
    );
    await queue.close();
  });

  it("refuses a call over quota with QUOTA_EXCEEDED, and meters the refusal", async () => {
    const quotas = new EmbeddedQuotaStore(await temporaryDirectory("meter"));
    await quotas.setQuota({ tenantId: "acme", tokensPerMinute: 50, tokensPerDay: null, costMicrosPerMonth: null, concurrentStreams: null, updatedAt: new Date().toISOString() });
    const { meter, events, queue } = await meterWith(quotas);
    const refused = await meter.open(start("event-2")).catch((error: unknown) => error);
    assert.ok(refused instanceof ServiceError);
    assert.equal(refused.code, "QUOTA_EXCEEDED");
    assert.equal(refused.extensions.limit, "TOKENS_PER_MINUTE");
    assert.equal(refused.extensions.requested, 60);
    assert.ok(typeof refused.extensions.retryAfterMillis === "number" && refused.extensions.retryAfterMillis <= 60_000);
    await queue.flush();
    assert.deepEqual(events.map((event) => [event.status, event.errorCode, event.promptTokens]), [["FAILED", "QUOTA_EXCEEDED", 0]]);
    await queue.close();
  });

  it("fails closed when quotas cannot be checked, or open when configured to", async () => {
    const broken: QuotaStore = Object.assign(new EmbeddedQuotaStore(await temporaryDirectory("meter")), { reserve: () => Promise.reject(new Error("connection refused")) });
    const { meter, queue } = await meterWith(broken);
    const refused = await meter.open(start("event-3")).catch((error: unknown) => error);
    assert.ok(refused instanceof ServiceError && refused.code === "SERVICE_UNAVAILABLE");
    const open = new CallMeter(queue, broken, { failOpen: true, logger });
    const admitted = await open.open(start("event-4"));
    await admitted.finish({ status: "SUCCEEDED", errorCode: null, promptTokens: 1, completionTokens: 1, timeToFirstTokenMillis: null, completionId: null });
    await queue.close();
  });

  it("records a call that failed after engine work as FAILED with its tokens, charged nothing unless configured", async () => {
    const quotas = new EmbeddedQuotaStore(await temporaryDirectory("meter"));
    await quotas.setQuota({ tenantId: "acme", tokensPerMinute: 1_000, tokensPerDay: null, costMicrosPerMonth: 1_000_000, concurrentStreams: null, updatedAt: new Date().toISOString() });
    const { meter, events, queue } = await meterWith(quotas);
    const failed = await meter.open(start("failed-after-work"));
    assert.deepEqual(failed.priceOf({ promptTokens: 10, completionTokens: 5 }), { costMicros: 70, currency: "EUR" }, "priced without being finished");
    const storeFull = storeErrorOf(new Error("OOM command not allowed when used memory > 'maxmemory'."));
    assert.deepEqual(await failed.finish(failureOutcome(storeFull, { promptTokens: 10, completionTokens: 5 })), { costMicros: 0, currency: "EUR" });
    const use = await quotas.currentUse("acme", Date.now());
    assert.deepEqual([use.tokensThisMinute, use.costMicrosThisMonth], [15, 0], "its tokens count against token quotas, its cost is not spent");
    const billing = new CallMeter(queue, quotas, { failOpen: false, billFailedCalls: true, logger });
    assert.deepEqual(await (await billing.open(start("billed-failure"))).finish(failureOutcome(storeFull, { promptTokens: 10, completionTokens: 5 })), { costMicros: 70, currency: "EUR" });
    // A cancelled call is charged for what the client was sent.
    assert.equal((await (await meter.open(start("cancelled"))).finish({ ...failureOutcome(new ServiceError("REQUEST_CANCELLED" as never, "gone")), promptTokens: 10, completionTokens: 1 })).costMicros, 30);
    await queue.flush();
    assert.deepEqual(
      events.map((event) => [event.eventId, event.status, event.errorCode, event.promptTokens, event.completionTokens, event.costMicros]),
      [
        ["failed-after-work", "FAILED", "STORE_FULL", 10, 5, 0],
        ["billed-failure", "FAILED", "STORE_FULL", 10, 5, 70],
        ["cancelled", "CANCELLED", "REQUEST_CANCELLED", 10, 1, 30],
      ],
    );
    await queue.close();
  });

  it("refuses with STORE_FULL, even failing open, when the quota store is full", async () => {
    const full: QuotaStore = Object.assign(new EmbeddedQuotaStore(await temporaryDirectory("meter")), {
      reserve: () => Promise.reject(storeErrorOf(new Error("OOM command not allowed when used memory > 'maxmemory'. script: 1234, on @user_script:1."))),
    });
    const { events, queue } = await meterWith(full);
    const refused = await new CallMeter(queue, full, { failOpen: true, logger }).open(start("full")).catch((error: unknown) => error);
    assert.ok(refused instanceof ServiceError);
    assert.deepEqual([refused.code, refused.retryable], ["STORE_FULL", false]);
    await queue.flush();
    assert.deepEqual(events.map((event) => [event.status, event.errorCode, event.costMicros]), [["FAILED", "STORE_FULL", 0]]);
    await queue.close();
  });

  it("renews a running stream's slot until it finishes; a holder that stops renewing loses it after one lease (embedded store)", async () => {
    await heartbeatScenario(new EmbeddedQuotaStore(await temporaryDirectory("meter"), { streamLeaseMillis: 30_000 }));
  });

  it("renews a running stream's slot until it finishes; a holder that stops renewing loses it after one lease (Redis store)", { skip: redis.skip }, async () => {
    const connection = new Redis(requireServer(redis).url);
    try {
      await heartbeatScenario(new RedisQuotaStore(connection, requireServer(redis).uniquePrefix(), { streamLeaseMillis: 30_000 }));
    } finally {
      connection.disconnect();
    }
  });

  it("classifies failures", () => {
    assert.equal(failureOutcome(new ServiceError("REQUEST_CANCELLED" as never, "x")).status, "CANCELLED");
    assert.deepEqual([failureOutcome(new Error("boom")).status, failureOutcome(new Error("boom")).errorCode], ["FAILED", "INTERNAL_SERVER_ERROR"]);
  });
});
