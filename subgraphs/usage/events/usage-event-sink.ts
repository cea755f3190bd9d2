import type { UsageEvent } from "../usage-event.ts";

export interface UsageEventSinkMetrics {
  /** Events held in memory, waiting for the transport (Redis down, or not yet written). */
  buffered: number;
  /** Events handed to the transport and acknowledged by it. */
  delivered: number;
  /** Events dropped because the buffer was full. Non-zero only after a long outage. */
  dropped: number;
}

/**
 * Where the inference subgraph puts usage events. `emit` never blocks a request and never throws:
 * events wait in a bounded in-memory buffer while the transport is unavailable and are written
 * when it returns, oldest first.
 */
export interface UsageEventSink {
  emit(event: UsageEvent): void;
  /** Resolves once every event emitted so far is delivered (or dropped), or rejects after `timeoutMillis`. */
  flush(timeoutMillis?: number): Promise<void>;
  metrics(): UsageEventSinkMetrics;
  /** Flushes what it can (bounded by the shutdown grace period) and stops. */
  close(): Promise<void>;
}
