import { join } from "node:path";
import { JsonFileDocument } from "../../../platform/storage/json-file-document.ts";
import type { UsageEvent } from "../usage-event.ts";
import {
  bucketKey,
  emptyUsageDocument,
  extendSlot,
  indexOfSlot,
  toUsageBucket,
  usageDocumentSchema,
  type AppliedSlot,
  type StoredBucket,
  type UsageDocument,
} from "./embedded-usage-document.ts";
import { compareBuckets, hourStartMillisOf, matchesQuery, millisPerHour, statusCounter } from "./hourly-buckets.ts";
import { latencyBucketIndex } from "./latency-histogram.ts";
import { resolveUsageStoreOptions, type UsageStoreOptions } from "./usage-store-options.ts";
import type { UsageBucket, UsageQuery, UsageStore } from "./usage-store.ts";

/**
 * Usage in one JSON file, `usage.json` under the data directory: the default, for one process that
 * both emits and aggregates. Each `apply` is one atomic document update, so a crash keeps either all
 * of a batch or none of it.
 *
 * The file holds every bucket within `bucketRetentionMillis` and every event id applied within
 * `eventRetentionMillis` (about 50 bytes each), and is rewritten on each apply: batch events (the
 * in-process queue does) and keep the event retention as short as redelivery needs.
 */
export class EmbeddedUsageStore implements UsageStore {
  readonly #document: JsonFileDocument<UsageDocument>;
  readonly #options: Required<UsageStoreOptions>;

  constructor(dataDirectory: string, options: UsageStoreOptions = {}) {
    this.#document = new JsonFileDocument(join(dataDirectory, "usage.json"), usageDocumentSchema, emptyUsageDocument);
    this.#options = resolveUsageStoreOptions(options);
  }

  apply(events: readonly UsageEvent[]): Promise<{ applied: number; duplicates: number }> {
    if (events.length === 0) return Promise.resolve({ applied: 0, duplicates: 0 });
    return this.#document.update((current) => {
      const now = this.#options.now();
      const keptSlots = current.applied.filter((slot) => this.#isKept(slot, now));
      const appliedBefore = (eventId: string) => keptSlots.some((slot) => indexOfSlot(slot).eventIds.has(eventId));
      const buckets = new Map(current.buckets.map((bucket) => [bucketKey(bucket.tenantId, bucket.modelId, bucket.hourStart), bucket]));
      const copied = new Set<StoredBucket>();
      const newEventIds = new Set<string>();
      let createdBucket = false;
      for (const event of events) {
        if (newEventIds.has(event.eventId) || appliedBefore(event.eventId)) continue;
        newEventIds.add(event.eventId);
        const hourStartMillis = hourStartMillisOf(event);
        // Past its retention a bucket would be dropped at once; the event still counts as applied.
        if (hourStartMillis + this.#options.bucketRetentionMillis <= now) continue;
        const hourStart = new Date(hourStartMillis).toISOString();
        const key = bucketKey(event.tenantId, event.modelId, hourStart);
        let bucket = buckets.get(key);
        if (bucket === undefined) {
          bucket = newBucket(event, hourStart);
          createdBucket = true;
        } else if (!copied.has(bucket)) {
          // The current document may be shared with readers: change copies only.
          bucket = { ...bucket, latency: { ...bucket.latency }, timeToFirstToken: { ...bucket.timeToFirstToken } };
        }
        copied.add(bucket);
        buckets.set(key, bucket);
        addEvent(bucket, event);
      }
      const keptBuckets = [...buckets.values()].filter((bucket) => Date.parse(bucket.hourStart) + this.#options.bucketRetentionMillis > now);
      if (createdBucket) keptBuckets.sort(compareBuckets);
      const applied = appendToSlot(keptSlots, Math.floor(now / millisPerHour) * millisPerHour, [...newEventIds]);
      return { next: { buckets: keptBuckets, applied }, result: { applied: newEventIds.size, duplicates: events.length - newEventIds.size } };
    });
  }

  async buckets(query: UsageQuery): Promise<UsageBucket[]> {
    const document = await this.#document.read();
    return document.buckets
      .filter((bucket) => matchesQuery(query, bucket.tenantId, bucket.modelId, Date.parse(bucket.hourStart)))
      .sort(compareBuckets)
      .map(toUsageBucket);
  }

  async checkHealth(): Promise<void> {
    await this.#document.read();
  }

  async close(): Promise<void> {
    // Every apply is on disk before it resolves: nothing to flush.
  }

  /** Whether a slot is still within the event retention: kept until retention has passed for its last possible event. */
  #isKept(slot: AppliedSlot, now: number): boolean {
    return slot.appliedHourStartMillis + millisPerHour + this.#options.eventRetentionMillis > now;
  }
}

function newBucket(event: UsageEvent, hourStart: string): StoredBucket {
  return {
    tenantId: event.tenantId,
    modelId: event.modelId,
    hourStart,
    requests: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    promptTokens: 0,
    completionTokens: 0,
    costMicros: 0,
    currency: event.currency,
    latency: {},
    timeToFirstToken: {},
  };
}

/** Adds one event to a bucket in place (the bucket is a fresh copy). */
function addEvent(bucket: StoredBucket, event: UsageEvent): void {
  bucket.requests += 1;
  bucket[statusCounter[event.status]] += 1;
  bucket.promptTokens += event.promptTokens;
  bucket.completionTokens += event.completionTokens;
  bucket.costMicros += event.costMicros;
  // A model's currency does not change in practice; if it did, the latest event's would label the hour.
  bucket.currency = event.currency;
  const latencyIndex = String(latencyBucketIndex(event.latencyMillis));
  bucket.latency[latencyIndex] = (bucket.latency[latencyIndex] ?? 0) + 1;
  if (event.timeToFirstTokenMillis !== null) {
    const timeToFirstTokenIndex = String(latencyBucketIndex(event.timeToFirstTokenMillis));
    bucket.timeToFirstToken[timeToFirstTokenIndex] = (bucket.timeToFirstToken[timeToFirstTokenIndex] ?? 0) + 1;
  }
}

/** Adds the new ids to the slot of the current hour, leaving older slots shared. */
function appendToSlot(slots: AppliedSlot[], hourStartMillis: number, eventIds: string[]): AppliedSlot[] {
  if (eventIds.length === 0) return slots;
  const last = slots.at(-1);
  if (last !== undefined && last.appliedHourStartMillis === hourStartMillis) return [...slots.slice(0, -1), extendSlot(last, eventIds)];
  return [...slots, { appliedHourStartMillis: hourStartMillis, eventIds }];
}
