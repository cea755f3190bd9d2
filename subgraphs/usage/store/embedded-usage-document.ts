import { z } from "zod";
import { emptyHistogram } from "./latency-histogram.ts";
import type { LatencyHistogram, UsageBucket } from "./usage-store.ts";

/**
 * The layout of `usage.json`, the embedded UsageStore's one file. Histograms are stored sparsely
 * (bucket index → count): most buckets see a handful of the 98 latency buckets, so this keeps the
 * file a fraction of the size of dense arrays.
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
  promptTokens: count,
  completionTokens: count,
  costMicros: count,
  currency: z.string(),
  latency: sparseHistogramSchema,
  timeToFirstToken: sparseHistogramSchema,
});
export type StoredBucket = z.infer<typeof storedBucketSchema>;

/**
 * What was applied during one UTC hour: the event ids, for idempotence. Grouping by the hour of
 * applying lets expiry drop whole slots, and lets an update share every older slot, and its index,
 * with the previous document unchanged.
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

export function emptyUsageDocument(): UsageDocument {
  return { buckets: [], applied: [] };
}

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

/** Lookups into one slot, built once per slot (slots are never mutated, and most are shared between document versions). */
export interface SlotIndex {
  eventIds: ReadonlySet<string>;
}

const slotIndexes = new WeakMap<AppliedSlot, SlotIndex>();

export function indexOfSlot(slot: AppliedSlot): SlotIndex {
  const cached = slotIndexes.get(slot);
  if (cached !== undefined) return cached;
  const index: SlotIndex = { eventIds: new Set(slot.eventIds) };
  slotIndexes.set(slot, index);
  return index;
}

/** A slot that extends `previous` (same hour) with more event ids; its index extends the previous one's instead of being rebuilt. */
export function extendSlot(previous: AppliedSlot, eventIds: readonly string[]): AppliedSlot {
  const slot: AppliedSlot = {
    appliedHourStartMillis: previous.appliedHourStartMillis,
    eventIds: [...previous.eventIds, ...eventIds],
  };
  slotIndexes.set(slot, { eventIds: new Set([...indexOfSlot(previous).eventIds, ...eventIds]) });
  return slot;
}

export function bucketKey(tenantId: string, modelId: string, hourStart: string): string {
  return `${hourStart}\u0000${tenantId}\u0000${modelId}`;
}
