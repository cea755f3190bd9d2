import type { Logger } from "../../../platform/logging/logger.ts";
import type { UsageEvent } from "../usage-event.ts";
import type { UsageEventSinkMetrics } from "./usage-event-sink.ts";
import { BoundedQueue } from "./bounded-queue.ts";

/**
 * Delivers a batch; resolves to the positions in `batch` that were not delivered (empty when all
 * were), to be retried first. Rejecting means none were delivered.
 */
export type DeliverBatch = (batch: readonly UsageEvent[]) => Promise<readonly number[]>;

export interface BatchPumpSettings {
  /** Events waiting at most; beyond, the oldest waiting one is dropped and counted. */
  maximumBufferedEvents: number;
  /** Events per delivery at most. */
  maximumBatchSize: number;
  /** How long to wait for more events before delivering a batch that is not full, in milliseconds. */
  batchDelayMillis: number;
  /** Wait before the first retry of a failed delivery, in milliseconds; doubles per failure in a row. */
  retryDelayMillis: number;
  /** Cap of the doubling retry wait, in milliseconds. */
  maximumRetryDelayMillis: number;
  logger: Logger;
  /** Names the destination in log lines (`usage stream`, `usage store`). */
  destination: string;
}

interface Entry {
  event: UsageEvent;
  /** Order of emission, from 1: flush waits for every entry up to a sequence. */
  sequence: number;
}

interface FlushWaiter {
  sequence: number;
  resolve: () => void;
}

/**
 * The engine under both sinks: a bounded buffer drained one batch at a time by `deliver`, never
 * concurrently, oldest first, retrying what failed (first, before newer events) with backoff.
 * Memory is bounded by `maximumBufferedEvents` waiting plus one batch in delivery or retry.
 */
export class BatchPump {
  readonly #settings: BatchPumpSettings;
  readonly #waiting: BoundedQueue<Entry>;
  /** The batch being delivered, or the part of the last one that failed and is retried next. */
  #unsettledBatch: Entry[] = [];
  #nextSequence = 1;
  #delivered = 0;
  #dropped = 0;
  #deliver: DeliverBatch | undefined;
  #running: Promise<void> | undefined;
  #stopping = false;
  #closed = false;
  #flushWaiters: FlushWaiter[] = [];
  /** Ends the loop's current wait early. */
  #wake: (() => void) | undefined;
  /** Whether new events (or a flush) end the current wait; a retry wait ends only on stop. */
  #wakeOnEvents = false;
  #failuresInARow = 0;

  constructor(settings: BatchPumpSettings) {
    this.#settings = { ...settings, maximumBatchSize: Math.max(1, settings.maximumBatchSize) };
    this.#waiting = new BoundedQueue(settings.maximumBufferedEvents);
  }

  emit(event: UsageEvent): void {
    if (this.#closed) {
      this.#dropped += 1;
      return;
    }
    const dropped = this.#waiting.push({ event, sequence: this.#nextSequence });
    this.#nextSequence += 1;
    if (dropped !== undefined) {
      this.#dropped += 1;
      if (this.#dropped === 1 || this.#dropped % 1_000 === 0) {
        this.#settings.logger.warn(`usage event buffer full: dropping the oldest events bound for the ${this.#settings.destination}`, { dropped: this.#dropped });
      }
      this.#settleWaiters();
    }
    this.#wakeUp(false);
  }

  metrics(): UsageEventSinkMetrics {
    return { buffered: this.#waiting.length + this.#unsettledBatch.length, delivered: this.#delivered, dropped: this.#dropped };
  }

  /** Starts delivering with `deliver`; events emitted before wait until now. */
  start(deliver: DeliverBatch): void {
    if (this.#deliver !== undefined) throw new Error("already started");
    this.#deliver = deliver;
    this.#stopping = false;
    this.#running = this.#run(deliver);
  }

  /** Resolves once every event emitted so far is delivered or dropped; rejects after `timeoutMillis`. */
  flush(timeoutMillis: number): Promise<void> {
    const sequence = this.#nextSequence - 1;
    if (this.#oldestUnsettledSequence() > sequence) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#flushWaiters = this.#flushWaiters.filter((waiter) => waiter !== entry);
        const { buffered } = this.metrics();
        reject(new Error(`usage events not delivered to the ${this.#settings.destination} within ${timeoutMillis} ms (${buffered} buffered)`));
      }, timeoutMillis);
      const entry: FlushWaiter = {
        sequence,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.#flushWaiters.push(entry);
      // A batch delay is pointless once someone waits for the batch.
      this.#wakeUp(false);
    });
  }

  /** Stops delivering after the batch in hand; what is still buffered stays (and a later `start` continues). */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wakeUp(true);
    await this.#running;
    this.#running = undefined;
    this.#deliver = undefined;
  }

  /** Delivers what it can within `timeoutMillis`, then stops; later events are dropped. */
  async close(timeoutMillis: number): Promise<void> {
    try {
      if (this.#deliver !== undefined) await this.flush(timeoutMillis);
    } catch (error) {
      this.#settings.logger.warn(`closing with usage events not delivered to the ${this.#settings.destination}`, { error, ...this.metrics() });
    }
    this.#closed = true;
    await this.stop();
  }

  async #run(deliver: DeliverBatch): Promise<void> {
    while (!this.#stopping) {
      if (this.#unsettledBatch.length === 0 && this.#waiting.length === 0) {
        await this.#sleep(undefined, true);
        continue;
      }
      const full = this.#unsettledBatch.length + this.#waiting.length >= this.#settings.maximumBatchSize;
      if (!full && this.#flushWaiters.length === 0 && this.#unsettledBatch.length === 0 && this.#settings.batchDelayMillis > 0) {
        await this.#sleepUntilFull(this.#settings.batchDelayMillis);
        if (this.#stopping) break;
      }
      const room = this.#settings.maximumBatchSize - this.#unsettledBatch.length;
      const batch = [...this.#unsettledBatch, ...this.#waiting.take(Math.max(0, room))];
      this.#unsettledBatch = batch;
      const failed = await this.#attempt(deliver, batch);
      this.#unsettledBatch = failed;
      this.#delivered += batch.length - failed.length;
      this.#settleWaiters();
      if (failed.length === 0) {
        if (this.#failuresInARow > 0) this.#settings.logger.info(`delivering usage events to the ${this.#settings.destination} again`, { ...this.metrics() });
        this.#failuresInARow = 0;
        continue;
      }
      this.#failuresInARow += 1;
      // Backoff: new events do not cut this wait short, or a busy sink would hammer a Redis that is down.
      await this.#sleep(Math.min(this.#settings.retryDelayMillis * 2 ** (this.#failuresInARow - 1), this.#settings.maximumRetryDelayMillis), false);
    }
  }

  /** One delivery; returns the entries that failed. */
  async #attempt(deliver: DeliverBatch, batch: Entry[]): Promise<Entry[]> {
    try {
      const failedPositions = await deliver(batch.map((entry) => entry.event));
      if (failedPositions.length > 0 && this.#failuresInARow === 0) {
        this.#settings.logger.warn(`some usage events were not delivered to the ${this.#settings.destination}; retrying`, { failed: failedPositions.length });
      }
      return [...new Set(failedPositions)].sort((left, right) => left - right).flatMap((position) => batch[position] ?? []);
    } catch (error) {
      // Log the first failure of an outage, not every retry.
      if (this.#failuresInARow === 0) this.#settings.logger.warn(`usage events not delivered to the ${this.#settings.destination}; buffering and retrying`, { error });
      return batch;
    }
  }

  #oldestUnsettledSequence(): number {
    return this.#unsettledBatch[0]?.sequence ?? this.#waiting.peek()?.sequence ?? this.#nextSequence;
  }

  #settleWaiters(): void {
    const oldest = this.#oldestUnsettledSequence();
    const settled = this.#flushWaiters.filter((waiter) => waiter.sequence < oldest);
    if (settled.length === 0) return;
    this.#flushWaiters = this.#flushWaiters.filter((waiter) => waiter.sequence >= oldest);
    for (const waiter of settled) waiter.resolve();
  }

  /** Waits `millis` (forever when undefined) or until woken: by a stop, and by new events when `wakeOnEvents`. */
  #sleep(millis: number | undefined, wakeOnEvents: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = millis === undefined ? undefined : setTimeout(done, millis);
      this.#wake = done;
      this.#wakeOnEvents = wakeOnEvents;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    }).finally(() => {
      this.#wake = undefined;
    });
  }

  /** Waits up to `millis` for a full batch, a flush or a stop. */
  async #sleepUntilFull(millis: number): Promise<void> {
    const deadline = Date.now() + millis;
    while (!this.#stopping && this.#flushWaiters.length === 0 && this.#waiting.length < this.#settings.maximumBatchSize) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return;
      await this.#sleep(remaining, true);
    }
  }

  /** Ends the current wait if it may end now: always on stop (`force`), on events when the wait allows. */
  #wakeUp(force: boolean): void {
    if (force || this.#wakeOnEvents) this.#wake?.();
  }
}
