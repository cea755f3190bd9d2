import type { Redis } from "ioredis";
import { createLogger, type Logger } from "../../../platform/logging/logger.ts";
import type { UsageEvent } from "../usage-event.ts";
import { BatchPump } from "./batch-pump.ts";
import { openStreamConnection, releaseConnection, waitUntilReady } from "./stream-connection.ts";
import type { UsageEventSink, UsageEventSinkMetrics } from "./usage-event-sink.ts";
import { usageStreamField, usageStreamKey } from "./usage-stream.ts";

export interface RedisStreamUsageSinkOptions {
  /** Events waiting in memory at most (besides the batch being written); beyond, the oldest is dropped and counted. Default 10,000. */
  maximumBufferedEvents?: number;
  /** XADDs per pipeline at most. Default 500. */
  maximumBatchSize?: number;
  /**
   * Approximate cap of the stream's length (`XADD … MAXLEN ~`). Default 1,000,000. While the
   * aggregators keep up the stream stays short (they delete what they acknowledged); the cap only
   * matters when none runs: then the oldest unread events are trimmed, and lost, rather than
   * letting the stream grow until Redis runs out of memory. At about 0.6 KB an event (measured with
   * Redis 7) the default bounds the stream near 600 MB, some hours of backlog at hundreds of calls a
   * second: raise it to tolerate a longer aggregator outage, lower it for a small Redis.
   */
  maximumStreamLength?: number;
  /** Wait before the first retry while Redis is unavailable, in milliseconds; doubles per failure in a row. Default 100. */
  retryDelayMillis?: number;
  /** Cap of the doubling retry wait, in milliseconds: at most this long after Redis returns, writing resumes. Default 2,000. */
  maximumRetryDelayMillis?: number;
  /** How long `close` waits for buffered events to be written, in milliseconds. Default 5,000. */
  closeTimeoutMillis?: number;
  /** Default: a `usage` logger on stderr. */
  logger?: Logger;
}

/** How long `flush` waits when given no timeout, in milliseconds. */
const defaultFlushTimeoutMillis = 10_000;

/**
 * Writes usage events to the Redis stream `<prefix>usage-events` (see usage-stream.ts), from a
 * bounded in-memory buffer, in pipelines of XADDs. While Redis is down, events stay buffered and
 * are written, oldest first, when it returns. `delivered` counts XADDs Redis acknowledged. An XADD
 * whose reply was lost (Redis died mid-pipeline) is written again, so an event may appear twice in
 * the stream; aggregation is idempotent by event id, so it still counts once.
 *
 * Uses a connection of its own, duplicated from `redis` (which stays the caller's), that fails
 * commands at once while Redis is away instead of queueing them inside ioredis.
 */
export class RedisStreamUsageSink implements UsageEventSink {
  readonly #connection: Redis;
  readonly #streamKey: string;
  readonly #pump: BatchPump;
  readonly #maximumStreamLength: string;
  readonly #closeTimeoutMillis: number;

  constructor(redis: Redis, keyPrefix: string, options: RedisStreamUsageSinkOptions = {}) {
    const logger = options.logger ?? createLogger("usage");
    this.#connection = openStreamConnection(redis, logger, "usage-event-sink");
    this.#streamKey = usageStreamKey(keyPrefix);
    this.#maximumStreamLength = String(options.maximumStreamLength ?? 1_000_000);
    this.#closeTimeoutMillis = options.closeTimeoutMillis ?? 5_000;
    const retryDelayMillis = options.retryDelayMillis ?? 100;
    this.#pump = new BatchPump({
      maximumBufferedEvents: options.maximumBufferedEvents ?? 10_000,
      maximumBatchSize: options.maximumBatchSize ?? 500,
      // Events that arrive while a pipeline is in flight form the next batch; no need to wait.
      batchDelayMillis: 0,
      retryDelayMillis,
      maximumRetryDelayMillis: options.maximumRetryDelayMillis ?? 2_000,
      logger,
      destination: "usage stream",
    });
    this.#pump.start((events) => this.#write(events, retryDelayMillis));
  }

  emit(event: UsageEvent): void {
    this.#pump.emit(event);
  }

  /** Default timeout 10,000 ms. */
  flush(timeoutMillis: number = defaultFlushTimeoutMillis): Promise<void> {
    return this.#pump.flush(timeoutMillis);
  }

  metrics(): UsageEventSinkMetrics {
    return this.#pump.metrics();
  }

  /** Writes what it can within `closeTimeoutMillis`, then closes its connection; events emitted later are dropped. */
  async close(): Promise<void> {
    await this.#pump.close(this.#closeTimeoutMillis);
    await releaseConnection(this.#connection);
  }

  /** One pipeline of XADDs; resolves to the positions Redis did not acknowledge. */
  async #write(events: readonly UsageEvent[], readyWaitMillis: number): Promise<number[]> {
    // Reconnecting: wait briefly for the connection rather than fail and back off at once.
    if (!(await waitUntilReady(this.#connection, readyWaitMillis))) throw new Error(`Redis connection is ${this.#connection.status}`);
    const pipeline = this.#connection.pipeline();
    for (const event of events) {
      pipeline.xadd(this.#streamKey, "MAXLEN", "~", this.#maximumStreamLength, "*", usageStreamField, JSON.stringify(event));
    }
    const replies = (await pipeline.exec()) ?? [];
    return events.flatMap((_event, position) => {
      const reply = replies[position];
      return reply === undefined || reply[0] !== null ? [position] : [];
    });
  }
}
