import { createLogger, type Logger } from "../../../platform/logging/logger.ts";
import type { UsageEvent } from "../usage-event.ts";
import { BatchPump } from "./batch-pump.ts";
import type { UsageEventConsumer } from "./usage-event-consumer.ts";
import type { UsageEventSink, UsageEventSinkMetrics } from "./usage-event-sink.ts";

export interface InProcessUsageQueueOptions {
  /** Events waiting at most (besides the batch being handled); beyond, the oldest is dropped and counted. Default 10,000. */
  maximumBufferedEvents?: number;
  /** Events per `handle` call at most. Default 500. */
  maximumBatchSize?: number;
  /**
   * How long a batch that is not full waits for more events before it is handled, in milliseconds.
   * Default 1,000: the embedded store rewrites its file on every apply, so a trickle of events
   * should make one write a second, not one per event. `flush` and a full batch do not wait.
   */
  batchDelayMillis?: number;
  /** Wait before retrying a batch whose `handle` failed, in milliseconds; doubles per failure in a row. Default 1,000. */
  retryDelayMillis?: number;
  /** Cap of the doubling retry wait, in milliseconds. Default 30,000. */
  maximumRetryDelayMillis?: number;
  /** How long `close` waits for buffered events to be handled, in milliseconds. Default 5,000. */
  closeTimeoutMillis?: number;
  /** Default: a `usage` logger on stderr. */
  logger?: Logger;
}

/** How long `flush` waits when given no timeout, in milliseconds. */
const defaultFlushTimeoutMillis = 10_000;

/**
 * Sink and consumer in one, for embedded defaults: the inference process emits its usage events
 * and aggregates them itself, with no broker. Events live only in memory until handled, so a crash
 * loses the events of the last batch delay; a failing `handle` (the store) is retried with backoff
 * and loses nothing while the buffer has room.
 */
export class InProcessUsageQueue implements UsageEventSink, UsageEventConsumer {
  readonly #pump: BatchPump;
  readonly #closeTimeoutMillis: number;

  constructor(options: InProcessUsageQueueOptions = {}) {
    this.#pump = new BatchPump({
      maximumBufferedEvents: options.maximumBufferedEvents ?? 10_000,
      maximumBatchSize: options.maximumBatchSize ?? 500,
      batchDelayMillis: options.batchDelayMillis ?? 1_000,
      retryDelayMillis: options.retryDelayMillis ?? 1_000,
      maximumRetryDelayMillis: options.maximumRetryDelayMillis ?? 30_000,
      logger: options.logger ?? createLogger("usage"),
      destination: "usage store",
    });
    this.#closeTimeoutMillis = options.closeTimeoutMillis ?? 5_000;
  }

  emit(event: UsageEvent): void {
    this.#pump.emit(event);
  }

  /** Resolves once every event emitted so far is handled (or dropped); needs `start`. Default timeout 10,000 ms. */
  flush(timeoutMillis: number = defaultFlushTimeoutMillis): Promise<void> {
    return this.#pump.flush(timeoutMillis);
  }

  /** `delivered` counts events whose `handle` resolved. */
  metrics(): UsageEventSinkMetrics {
    return this.#pump.metrics();
  }

  start(handle: (events: readonly UsageEvent[]) => Promise<void>): void {
    this.#pump.start(async (events) => {
      await handle(events);
      return [];
    });
  }

  /** Stops handling after the batch in hand; events still buffered stay in memory. */
  stop(): Promise<void> {
    return this.#pump.stop();
  }

  /** Handles what it can within `closeTimeoutMillis`, then stops; events emitted later are dropped. */
  close(): Promise<void> {
    return this.#pump.close(this.#closeTimeoutMillis);
  }
}
