import { compareBytes } from "../../platform/storage/compare-bytes.ts";
import { histogramPercentile, mergeHistograms } from "./store/latency-histogram.ts";
import type { LatencyHistogram, UsageBucket } from "./store/usage-store.ts";

export type Granularity = "HOUR" | "DAY" | "TOTAL";
export type Dimension = "MODEL" | "TENANT";

export interface CostRecord {
  amountMicros: number;
  currency: string;
}

/** Sums over a set of buckets (one cost per currency); resolvers derive rates, percentiles and amounts from it. */
export type UsageSummaryRecord = Pick<UsageBucket, "requests" | "succeeded" | "failed" | "cancelled" | "cacheHits" | "promptTokens" | "completionTokens" | "latency" | "timeToFirstToken"> & {
  costs: CostRecord[];
};

export interface UsageRowRecord {
  periodStart: string | null;
  tenantId: string | null;
  modelId: string | null;
  summary: UsageSummaryRecord;
}

export interface UsageReportRecord {
  from: string;
  to: string;
  granularity: Granularity;
  rows: UsageRowRecord[];
  totals: UsageSummaryRecord;
}

export interface ModelReference {
  id: string;
}

export interface MeteredCompletionReference {
  id: string;
  meteredCostMicros?: number;
  meteredCurrency?: string;
}

export function emptySummary(): UsageSummaryRecord {
  return { requests: 0, succeeded: 0, failed: 0, cancelled: 0, cacheHits: 0, promptTokens: 0, completionTokens: 0, costs: [], latency: [], timeToFirstToken: [] };
}

/** Adds a bucket into a summary (in place), keeping one cost per currency. */
export function addBucket(summary: UsageSummaryRecord, bucket: UsageBucket): void {
  summary.requests += bucket.requests;
  summary.succeeded += bucket.succeeded;
  summary.failed += bucket.failed;
  summary.cancelled += bucket.cancelled;
  summary.cacheHits += bucket.cacheHits;
  summary.promptTokens += bucket.promptTokens;
  summary.completionTokens += bucket.completionTokens;
  const cost = summary.costs.find((entry) => entry.currency === bucket.currency);
  if (cost === undefined) summary.costs.push({ amountMicros: bucket.costMicros, currency: bucket.currency });
  else cost.amountMicros += bucket.costMicros;
  summary.latency = mergeHistograms(summary.latency, bucket.latency);
  summary.timeToFirstToken = mergeHistograms(summary.timeToFirstToken, bucket.timeToFirstToken);
}

function periodOf(hourStart: string, granularity: Granularity): string | null {
  if (granularity === "TOTAL") return null;
  if (granularity === "HOUR") return hourStart;
  return `${hourStart.slice(0, 10)}T00:00:00.000Z`;
}

/**
 * Groups hourly buckets into rows (per period, and per tenant and/or model when asked), ordered by
 * period, then tenant, then model, with the totals of all.
 */
export function buildUsageReport(buckets: readonly UsageBucket[], request: { from: Date; to: Date; granularity: Granularity; groupBy: readonly Dimension[] }): UsageReportRecord {
  const byTenant = request.groupBy.includes("TENANT");
  const byModel = request.groupBy.includes("MODEL");
  const rows = new Map<string, UsageRowRecord>();
  const totals = emptySummary();
  for (const bucket of buckets) {
    const periodStart = periodOf(bucket.hourStart, request.granularity);
    const tenantId = byTenant ? bucket.tenantId : null;
    const modelId = byModel ? bucket.modelId : null;
    const key = JSON.stringify([periodStart, tenantId, modelId]);
    let row = rows.get(key);
    if (row === undefined) {
      row = { periodStart, tenantId, modelId, summary: emptySummary() };
      rows.set(key, row);
    }
    addBucket(row.summary, bucket);
    addBucket(totals, bucket);
  }
  // Byte order, as the stores order ids: the same for every locale.
  const compare = (left: string | null, right: string | null) => compareBytes(left ?? "", right ?? "");
  const sorted = [...rows.values()].sort(
    (left, right) => compare(left.periodStart, right.periodStart) || compare(left.tenantId, right.tenantId) || compare(left.modelId, right.modelId),
  );
  return { from: request.from.toISOString(), to: request.to.toISOString(), granularity: request.granularity, rows: sorted, totals };
}

/** p50, p90 and p99 of a histogram (null when empty). */
export function percentilesOf(histogram: LatencyHistogram): { p50: number | null; p90: number | null; p99: number | null } {
  return { p50: histogramPercentile(histogram, 0.5), p90: histogramPercentile(histogram, 0.9), p99: histogramPercentile(histogram, 0.99) };
}
