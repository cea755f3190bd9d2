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

const logger = createLogger("test", "error");
const model = modelRecord({ pricing: { inputPerMillionTokens: 2, outputPerMillionTokens: 10, currency: "EUR" } });
const call = () => ({ request: { requestId: "request-1", tenantId: "acme", apiKeyId: "key-1", roles: ["member" as const] }, signal: new AbortController().signal, arrivedAt: performance.now() });
const start = (eventId: string, completionTokens = 50) => ({ call: call(), model, operation: "COMPLETION" as const, eventId, estimatedPromptTokens: 10, estimatedCompletionTokens: completionTokens });

async function meterWith(quotas: QuotaStore): Promise<{ meter: CallMeter; events: UsageEvent[]; queue: InProcessUsageQueue }> {
  const events: UsageEvent[] = [];
  const queue = new InProcessUsageQueue({ logger });
  queue.start(async (batch) => {
    events.push(...batch);
  });
  return { meter: new CallMeter(queue, quotas, { failOpen: false, logger }), events, queue };
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

  it("classifies failures", () => {
    assert.equal(failureOutcome(new ServiceError("REQUEST_CANCELLED" as never, "x")).status, "CANCELLED");
    assert.deepEqual([failureOutcome(new Error("boom")).status, failureOutcome(new Error("boom")).errorCode], ["FAILED", "INTERNAL_SERVER_ERROR"]);
  });
});
