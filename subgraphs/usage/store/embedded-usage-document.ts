import { z } from "zod";
import { emptyHistogram } from "./latency-histogram.ts";
import type { LatencyHistogram, UsageBucket } from "./usage-store.ts";

/**
 * A bucket as the embedded UsageStore keeps it (one JSON value per row of `usage_buckets`), and the
 * layout of `usage.json`, the one file of earlier versions, imported on first start. Histograms are
 * stored sparsely (bucket index → count): most buckets see a handful of the 98 latency buckets.
 */

const count = z.number().int().nonnegative();
const sparseHistogramSchema = z.record(z.string().regex(/^\d{1,3}$/), z.number().int().positive());
export type SparseHistogram = z.infer<typeof sparseHistogramSchema>;

const storedBucketSchema = z.object({
  tenantId: z.string(),
  modelId: z.string(),
  hourStart: z.string(),
  requests: count,
  succeeded: count,
  failed: count,
  cancelled: count,
  /** Absent in buckets written before cache hits were counted. */
  cacheHits: count.default(0),
  promptTokens: count,
  completionTokens: count,
  costMicros: count,
  currency: z.string(),
  latency: sparseHistogramSchema,
  timeToFirstToken: sparseHistogramSchema,
});
export type StoredBucket = z.infer<typeof storedBucketSchema>;

/**
 * What was applied during one UTC hour: the event ids, for idempotence.
 *
 * Files written by older versions also hold `completions` (the events as JSON) in each slot: the
 * schema ignores that field (zod strips unknown keys), so those files still load and the next
 * write leaves it out.
 */
const appliedSlotSchema = z.object({
  appliedHourStartMillis: z.number().int(),
  eventIds: z.array(z.string()),
});
export type AppliedSlot = z.infer<typeof appliedSlotSchema>;

export const usageDocumentSchema = z.object({
  /** Ordered by hour, then tenant, then model. */
  buckets: z.array(storedBucketSchema),
  /** Ordered by hour of applying. */
  applied: z.array(appliedSlotSchema),
});
export type UsageDocument = z.infer<typeof usageDocumentSchema>;

export function denseHistogram(sparse: SparseHistogram): LatencyHistogram {
  const histogram = emptyHistogram();
  for (const [index, value] of Object.entries(sparse)) {
    const position = Number(index);
    if (position < histogram.length) histogram[position] = value;
  }
  return histogram;
}

export function toUsageBucket(stored: StoredBucket): UsageBucket {
  return { ...stored, latency: denseHistogram(stored.latency), timeToFirstToken: denseHistogram(stored.timeToFirstToken) };
}
