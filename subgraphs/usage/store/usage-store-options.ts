/** Retention settings shared by every UsageStore. */
export interface UsageStoreOptions {
  /**
   * How long an applied event's id is kept,
   * counted from when it was applied, in milliseconds: a redelivery within this window is
   * recognised and ignored. Default 7 days.
   */
  eventRetentionMillis?: number;
  /** How long an hourly bucket is kept, counted from the start of its hour, in milliseconds. Default 400 days. */
  bucketRetentionMillis?: number;
  /** The current time in epoch milliseconds; a test can move it. Default `Date.now`. */
  now?: () => number;
}

export const defaultEventRetentionMillis = 7 * 24 * 3_600_000;
export const defaultBucketRetentionMillis = 400 * 24 * 3_600_000;

export function resolveUsageStoreOptions(options: UsageStoreOptions): Required<UsageStoreOptions> {
  return {
    eventRetentionMillis: options.eventRetentionMillis ?? defaultEventRetentionMillis,
    bucketRetentionMillis: options.bucketRetentionMillis ?? defaultBucketRetentionMillis,
    now: options.now ?? Date.now,
  };
}
