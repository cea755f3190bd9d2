import { compareBytes } from "../../../platform/storage/compare-bytes.ts";
import type { UsageEvent, UsageStatus } from "../usage-event.ts";
import type { UsageBucket, UsageQuery } from "./usage-store.ts";

/** How events map to hourly buckets, and how buckets are selected and ordered: shared by every UsageStore. */

export const millisPerHour = 3_600_000;

/** Epoch milliseconds of the start of the UTC hour in which the event ended. */
export function hourStartMillisOf(event: UsageEvent): number {
  const occurredAtMillis = Date.parse(event.occurredAt);
  // The schema validates occurredAt; this guards events built in code without it.
  if (!Number.isFinite(occurredAtMillis)) throw new TypeError(`usage event ${event.eventId} has an invalid occurredAt: ${event.occurredAt}`);
  return Math.floor(occurredAtMillis / millisPerHour) * millisPerHour;
}

/** The hours a query covers: `from` rounded down to its hour (inclusive) up to `to` (exclusive). */
export function queryHourRange(query: UsageQuery): { fromMillis: number; toMillis: number } {
  return { fromMillis: Math.floor(query.from.getTime() / millisPerHour) * millisPerHour, toMillis: query.to.getTime() };
}

/** Whether a bucket of `hourStartMillis` for `tenantId` and `modelId` belongs in the query's answer. */
export function matchesQuery(query: UsageQuery, tenantId: string, modelId: string, hourStartMillis: number): boolean {
  const { fromMillis, toMillis } = queryHourRange(query);
  if (hourStartMillis < fromMillis || hourStartMillis >= toMillis) return false;
  if (query.tenantId !== undefined && query.tenantId !== tenantId) return false;
  return query.modelId === undefined || query.modelId === modelId;
}

/** What names a bucket. */
export type BucketIdentity = Pick<UsageBucket, "tenantId" | "modelId" | "hourStart">;

/** By hour, then tenant, then model; ids by bytes, so both stores order them alike whatever the locale. */
export function compareBuckets(left: BucketIdentity, right: BucketIdentity): number {
  if (left.hourStart !== right.hourStart) return Date.parse(left.hourStart) - Date.parse(right.hourStart);
  return compareBytes(left.tenantId, right.tenantId) || compareBytes(left.modelId, right.modelId);
}

/** The counter that an event's status increments. */
export const statusCounter: Record<UsageStatus, "succeeded" | "failed" | "cancelled"> = {
  SUCCEEDED: "succeeded",
  FAILED: "failed",
  CANCELLED: "cancelled",
};
