import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { recordLatency } from "../../../subgraphs/usage/store/latency-histogram.ts";
import type { UsageBucket } from "../../../subgraphs/usage/store/usage-store.ts";
import { buildUsageReport, percentilesOf } from "../../../subgraphs/usage/usage-report.ts";

function bucket(overrides: Partial<UsageBucket>): UsageBucket {
  const latency: number[] = [];
  recordLatency(latency, 100);
  return {
    tenantId: "acme",
    modelId: "chat",
    hourStart: "2026-11-22T05:00:00.000Z",
    requests: 2,
    succeeded: 1,
    failed: 1,
    cancelled: 0,
    cacheHits: 0,
    promptTokens: 10,
    completionTokens: 20,
    costMicros: 300,
    currency: "USD",
    latency,
    timeToFirstToken: [],
    ...overrides,
  };
}

const range = { from: new Date("2026-11-22T00:00:00Z"), to: new Date("2026-11-24T00:00:00Z") };

describe("usage reports", () => {
  const buckets = [
    bucket({}),
    bucket({ hourStart: "2026-11-22T06:00:00.000Z", modelId: "embed", costMicros: 5, currency: "EUR" }),
    bucket({ hourStart: "2026-11-23T01:00:00.000Z", tenantId: "globex" }),
  ];

  it("groups hourly buckets by day and model, in order, with totals per currency", () => {
    const report = buildUsageReport(buckets, { ...range, granularity: "DAY", groupBy: ["MODEL"] });
    assert.deepEqual(report.rows.map((row) => [row.periodStart, row.modelId, row.tenantId, row.summary.requests]), [
      ["2026-11-22T00:00:00.000Z", "chat", null, 2],
      ["2026-11-22T00:00:00.000Z", "embed", null, 2],
      ["2026-11-23T00:00:00.000Z", "chat", null, 2],
    ]);
    assert.equal(report.totals.requests, 6);
    assert.equal(report.totals.failed, 3);
    assert.deepEqual(report.totals.costs, [{ amountMicros: 600, currency: "USD" }, { amountMicros: 5, currency: "EUR" }]);
  });

  it("keeps hours, or folds everything into one row, and groups by tenant", () => {
    assert.equal(buildUsageReport(buckets, { ...range, granularity: "HOUR", groupBy: [] }).rows.length, 3);
    const total = buildUsageReport(buckets, { ...range, granularity: "TOTAL", groupBy: ["TENANT"] });
    assert.deepEqual(total.rows.map((row) => [row.periodStart, row.tenantId, row.summary.requests]), [[null, "acme", 4], [null, "globex", 2]]);
    assert.deepEqual(buildUsageReport([], { ...range, granularity: "TOTAL", groupBy: [] }).rows, []);
  });

  it("merges latency histograms into percentiles", () => {
    const report = buildUsageReport(buckets, { ...range, granularity: "TOTAL", groupBy: [] });
    const percentiles = percentilesOf(report.totals.latency);
    assert.ok(percentiles.p50 !== null && percentiles.p50 >= 100 && percentiles.p50 <= 115, String(percentiles.p50));
    assert.deepEqual(percentilesOf([]), { p50: null, p90: null, p99: null });
  });
});
