import type { RetainedKeyFamily } from "../../platform/storage/redis-memory-budget.ts";

/**
 * Redis memory one call's retained keys take, in bytes: `MEMORY USAGE` measured with
 * bench/redis-bytes-per-call.ts (Redis 7.0, 24-token completions; docs/BENCHMARKS.md). A completion
 * record grows by about one byte per character of its text beyond that.
 */
export const measuredBytesPerCall = {
  /** `inference:completion:<id>`: the completion's JSON record. */
  completionRecord: 623,
  /** `usage-event:<eventId>`: the "applied" marker of its usage event. */
  usageEventMarker: 104,
} as const;

/**
 * The keys every call leaves in Redis for their retention (the table of docs/OPERATIONS.md). Keys
 * a call deletes itself (its usage-stream entry, its quota reservation marker) and keys shared by
 * many calls (hourly buckets, quota counters) are not per call and not listed.
 */
export function retainedKeyFamilies(retention: { completionRetentionMillis: number; usageEventRetentionSeconds: number }): RetainedKeyFamily[] {
  return [
    { name: "inference:completion:<id>", bytesPerCall: measuredBytesPerCall.completionRecord, retentionSeconds: retention.completionRetentionMillis / 1_000 },
    { name: "usage-event:<eventId>", bytesPerCall: measuredBytesPerCall.usageEventMarker, retentionSeconds: retention.usageEventRetentionSeconds },
  ];
}
