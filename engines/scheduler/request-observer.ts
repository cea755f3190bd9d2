import type { RequestKind } from "./request-kind.ts";

/** How a scheduled request ended, or why it never ran. */
export type RequestOutcome = "completed" | "failed" | "cancelled_queued" | "cancelled_running" | "overloaded";

/**
 * Receives a scheduler's events as they happen, for metrics kept outside the scheduler (Prometheus,
 * platform/metrics/scheduler-metrics.ts). Called synchronously on the scheduler's path: keep it cheap.
 */
export interface RequestObserver {
  /** A request reached the engine after waiting this long, in milliseconds. */
  queueWait(millis: number): void;
  /** An engine call (a batch, or a whole stream) took this long, in milliseconds. */
  callDuration(millis: number): void;
  /** `count` requests ended this way. */
  outcome(outcome: RequestOutcome, count: number): void;
  /** A batch of this many requests went to the engine (batched kinds only). */
  batchSize(size: number): void;
}

/** Gives the observer of one kind of one scheduler's requests. */
export type ObserveRequests = (kind: RequestKind) => RequestObserver;
