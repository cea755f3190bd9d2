import type { UsageEvent } from "../usage-event.ts";

/**
 * Reads usage events and hands them to the aggregator in batches. Delivery is at least once: an
 * event is acknowledged only after `handle` resolved for its batch, so a consumer killed at any
 * point re-reads what it had not acknowledged; the aggregator's idempotence makes that harmless.
 */
export interface UsageEventConsumer {
  /** Starts consuming; `handle` is called with one batch at a time, never concurrently. */
  start(handle: (events: readonly UsageEvent[]) => Promise<void>): void;
  /** Stops reading, waits for the batch in hand, and releases the connection. */
  stop(): Promise<void>;
}
