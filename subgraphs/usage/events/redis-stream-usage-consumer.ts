import type { Redis } from "ioredis";
import { createLogger, type Logger } from "../../../platform/logging/logger.ts";
import type { UsageEvent } from "../usage-event.ts";
import { openStreamConnection, releaseConnection, waitUntilReady } from "./stream-connection.ts";
import type { UsageEventConsumer } from "./usage-event-consumer.ts";
import { defineUsageStreamCommands } from "./usage-stream-scripts.ts";
import { decodeUsageEntry, entriesOfReadReply, parseAutoClaimReply, usageStreamKey, type StreamEntry } from "./usage-stream.ts";

export interface RedisStreamUsageConsumerOptions {
  /**
   * This consumer's name in the group. Keep it stable across restarts (the pod name): a restarted
   * consumer re-reads its own unacknowledged entries at once, instead of waiting for another to
   * claim them after `claimIdleMillis`.
   */
  consumerName: string;
  /** Consumer group; every aggregator shares one. Default `usage-aggregator`. */
  group?: string;
  /** Entries per read, and so events per `handle` call, at most. Default 500. */
  batchSize?: number;
  /** How long one read waits for new entries, in milliseconds; also how often idle entries are looked for at the least. Default 1,000. */
  blockMillis?: number;
  /**
   * How long an entry may stay unacknowledged with a consumer before this one claims it, in
   * milliseconds; also how often it looks for such entries. Must exceed the longest `handle` call,
   * or a slow (not dead) consumer's entries are handled twice (harmless, as aggregation is
   * idempotent, but wasted work). Default 30,000.
   */
  claimIdleMillis?: number;
  /**
   * How long another consumer of the group must have been idle, with nothing pending, before this
   * one removes it from the group (checked after each claim pass), in milliseconds. A consumer that
   * died is removed once its pending entries were claimed, so consumer names of restarted
   * processes (`<hostname>-<pid>`) do not pile up in the group. Default `claimIdleMillis`; never
   * less than 3 × `blockMillis`: on Redis 7.2 and later a live consumer waiting in a blocking read
   * looks idle for up to `blockMillis`. (Before 7.2 a read that gets nothing is not activity at all,
   * so on a quiet stream live consumers are removed too; they lose nothing and their next delivery
   * re-creates them, as the production-shape fault test shows on Redis 7.0.)
   */
  deadConsumerIdleMillis?: number;
  /**
   * Delete entries once acknowledged (XDEL), so the stream stays short while aggregators keep up and
   * its memory is only ever used by a backlog. Turn off only if another consumer group reads the
   * stream too: it would lose what this group deleted. Default true.
   */
  deleteAcknowledged?: boolean;
  /** Wait before the first retry after an error (Redis away, `handle` failed), in milliseconds; doubles per failure in a row. Default 100. */
  retryDelayMillis?: number;
  /** Cap of the doubling retry wait, in milliseconds. Default 5,000. */
  maximumRetryDelayMillis?: number;
  /** Default: a `usage` logger on stderr. */
  logger?: Logger;
}

type Handle = (events: readonly UsageEvent[]) => Promise<void>;

/**
 * Reads usage events from the Redis stream as one consumer of a consumer group, so any number of
 * aggregator replicas share the work and each entry is handled by one of them at a time. On start
 * (and after any error) it first re-reads its own pending entries, those it had read but not
 * acknowledged, then reads new ones; every `claimIdleMillis` it claims (XAUTOCLAIM) entries left
 * pending that long by consumers that died, then removes from the group every other consumer idle
 * that long with nothing pending (`deadConsumerIdleMillis`). An entry is acknowledged only after `handle` resolved
 * for it (at least once delivery). An entry that can never be handled (not JSON, not a usage event,
 * trimmed away) is logged, acknowledged and skipped.
 *
 * Needs Redis 6.2 or later (XAUTOCLAIM). Uses a connection of its own, duplicated from `redis`
 * (which stays the caller's), since a blocking read holds its connection. It reconnects after a
 * Redis restart and recreates the group (and the stream) if they vanished.
 */
export class RedisStreamUsageConsumer implements UsageEventConsumer {
  readonly #redis: Redis;
  readonly #streamKey: string;
  readonly #consumerName: string;
  readonly #group: string;
  readonly #batchSize: number;
  readonly #blockMillis: number;
  readonly #claimIdleMillis: number;
  readonly #deadConsumerIdleMillis: number;
  readonly #deleteAcknowledged: boolean;
  readonly #retryDelayMillis: number;
  readonly #maximumRetryDelayMillis: number;
  readonly #logger: Logger;
  #connection: Redis | undefined;
  #running: Promise<void> | undefined;
  #stopping = false;
  /** While true, `stop` may cut the connection: the loop is in a read or a wait, not between handling and acknowledging. */
  #interruptible = false;
  #wakeFromRetryWait: (() => void) | undefined;

  constructor(redis: Redis, keyPrefix: string, options: RedisStreamUsageConsumerOptions) {
    this.#redis = redis;
    this.#streamKey = usageStreamKey(keyPrefix);
    this.#consumerName = options.consumerName;
    this.#group = options.group ?? "usage-aggregator";
    this.#batchSize = options.batchSize ?? 500;
    this.#blockMillis = options.blockMillis ?? 1_000;
    this.#claimIdleMillis = options.claimIdleMillis ?? 30_000;
    this.#deadConsumerIdleMillis = Math.max(options.deadConsumerIdleMillis ?? this.#claimIdleMillis, 3 * this.#blockMillis);
    this.#deleteAcknowledged = options.deleteAcknowledged ?? true;
    this.#retryDelayMillis = options.retryDelayMillis ?? 100;
    this.#maximumRetryDelayMillis = options.maximumRetryDelayMillis ?? 5_000;
    this.#logger = options.logger ?? createLogger("usage");
  }

  start(handle: Handle): void {
    if (this.#running !== undefined) throw new Error("the usage consumer is already running");
    this.#stopping = false;
    const connection = openStreamConnection(this.#redis, this.#logger, "usage-event-consumer");
    defineUsageStreamCommands(connection);
    this.#connection = connection;
    this.#running = this.#run(connection, handle);
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    // A blocking read would hold the stop for up to blockMillis; its entries stay pending and are re-read on the next start.
    if (this.#interruptible) this.#connection?.disconnect();
    this.#wakeFromRetryWait?.();
    await this.#running;
    if (this.#connection !== undefined) await releaseConnection(this.#connection);
    this.#connection = undefined;
    this.#running = undefined;
  }

  async #run(connection: Redis, handle: Handle): Promise<void> {
    let groupReady = false;
    let readOwnPendingFirst = true;
    let nextClaimAt = 0;
    let failuresInARow = 0;
    while (!this.#stopping) {
      try {
        this.#interruptible = true;
        if (!(await waitUntilReady(connection, this.#blockMillis))) throw new Error(`Redis connection is ${connection.status}`);
        if (!groupReady) {
          await this.#createGroup(connection);
          groupReady = true;
        }
        if (readOwnPendingFirst) {
          // Id 0: the entries delivered to this consumer and never acknowledged (it died, or handle failed).
          const pending = await this.#read(connection, "0");
          if (pending.length === 0) readOwnPendingFirst = false;
          else await this.#process(connection, pending, handle);
        } else if (Date.now() >= nextClaimAt) {
          await this.#claimIdle(connection, handle);
          nextClaimAt = Date.now() + this.#claimIdleMillis;
        } else {
          const fresh = await this.#read(connection, ">");
          if (fresh.length > 0) await this.#process(connection, fresh, handle);
        }
        if (failuresInARow > 0) this.#logger.info("usage consumer reading again", { consumer: this.#consumerName });
        failuresInARow = 0;
      } catch (error) {
        if (this.#stopping) break;
        if (error instanceof Error && error.message.startsWith("NOGROUP")) groupReady = false;
        readOwnPendingFirst = true;
        // Log the first failure of an outage, not every retry.
        if (failuresInARow === 0) this.#logger.warn("usage consumer failed; retrying", { consumer: this.#consumerName, error });
        failuresInARow += 1;
        await this.#retryWait(Math.min(this.#retryDelayMillis * 2 ** (failuresInARow - 1), this.#maximumRetryDelayMillis));
      } finally {
        this.#interruptible = false;
      }
    }
  }

  /** Creates the group (and the stream) if missing. From id 0: events written before the group existed, or after Redis lost it, are read too. */
  async #createGroup(connection: Redis): Promise<void> {
    try {
      await connection.xgroup("CREATE", this.#streamKey, this.#group, "0", "MKSTREAM");
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith("BUSYGROUP"))) throw error;
    }
  }

  async #read(connection: Redis, from: "0" | ">"): Promise<StreamEntry[]> {
    const block = from === ">" ? ["BLOCK", this.#blockMillis] : [];
    const reply = await connection.call("XREADGROUP", "GROUP", this.#group, this.#consumerName, "COUNT", this.#batchSize, ...block, "STREAMS", this.#streamKey, from);
    return entriesOfReadReply(reply);
  }

  /** Claims and handles every entry pending longer than claimIdleMillis with any consumer, then removes the consumers left with nothing (dead ones). */
  async #claimIdle(connection: Redis, handle: Handle): Promise<void> {
    let cursor = "0-0";
    do {
      const reply = await connection.call("XAUTOCLAIM", this.#streamKey, this.#group, this.#consumerName, this.#claimIdleMillis, cursor, "COUNT", this.#batchSize);
      const claimed = parseAutoClaimReply(reply);
      cursor = claimed.cursor;
      if (claimed.entries.length > 0) {
        this.#logger.info("claimed usage events left pending by another consumer", { consumer: this.#consumerName, claimed: claimed.entries.length });
        await this.#process(connection, claimed.entries, handle);
      }
    } while (cursor !== "0-0" && !this.#stopping);
    if (this.#stopping) return;
    const removed = await connection.usageStreamRemoveDeadConsumers(this.#streamKey, this.#group, this.#consumerName, this.#deadConsumerIdleMillis);
    if (removed.length > 0) this.#logger.info("removed idle usage consumers with nothing pending from the group", { consumer: this.#consumerName, removed });
  }

  /** Handles the valid events of `entries`, then acknowledges all of them. */
  async #process(connection: Redis, entries: readonly StreamEntry[], handle: Handle): Promise<void> {
    const events: UsageEvent[] = [];
    for (const entry of entries) {
      const decoded = decodeUsageEntry(entry);
      if ("event" in decoded) events.push(decoded.event);
      else this.#logger.warn("skipping a usage stream entry that can never be aggregated", { entryId: entry.id, problem: decoded.problem });
    }
    this.#interruptible = false;
    if (events.length > 0) await handle(events);
    const ids = entries.map((entry) => entry.id);
    const pipeline = connection.pipeline().xack(this.#streamKey, this.#group, ...ids);
    if (this.#deleteAcknowledged) pipeline.xdel(this.#streamKey, ...ids);
    for (const [error] of (await pipeline.exec()) ?? []) if (error !== null) throw error;
  }

  #retryWait(millis: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, millis);
      this.#wakeFromRetryWait = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    }).finally(() => {
      this.#wakeFromRetryWait = undefined;
    });
  }
}
