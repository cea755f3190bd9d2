/**
 * Settings of one model's batching scheduler. Every field is optional; the defaults suit one
 * local GPU serving one model and are written next to each field.
 */
export interface SchedulerOptions {
  /**
   * How long the first request of a batch waits for others to join it, in milliseconds.
   * A longer window gives fuller batches at the price of latency under light load.
   * 0 dispatches on the next tick (after the current promise jobs), which still coalesces every
   * request made in the same turn of the event loop. A batch that reaches `maxBatchSize` is
   * dispatched at once, whatever the window. Default 2.
   */
  batchWindowMillis?: number;
  /** Most requests in one `embedBatch` or `generateBatch` call; more are split into several calls. Default 32. */
  maxBatchSize?: number;
  /**
   * Most requests waiting per operation kind (embeddings, generations, streams), not counting those
   * already running on the engine. Past it a request fails at once with `EngineError("overloaded")`
   * and a `retryAfterMillis` estimate, so callers back off instead of piling up. Default 256.
   */
  maxQueueDepth?: number;
  /**
   * Most batch calls of one kind running on the engine at once. While they run, the next batch keeps
   * filling up to `maxBatchSize`, which is where batching gains come from under load. Default 1:
   * an in-process engine runs one batch at a time anyway; raise it for remote servers that schedule
   * concurrent calls themselves (continuous batching).
   */
  maxConcurrentBatches?: number;
  /**
   * Most streamed generations running on the engine at once; later ones wait in FIFO order. Set it to
   * the engine's capacity (the llama.cpp context's sequence count, a remote server's concurrency limit):
   * the engine decodes the running streams together. Default 4.
   */
  maxConcurrentStreams?: number;
  /**
   * Most events of one stream the scheduler reads from the engine before its reader takes them. The
   * engine decodes the next tokens while earlier ones are delivered, instead of waiting for each to
   * reach the client; a reader that stops reading stops the engine this many events later. Default 32.
   */
  streamReadAheadEvents?: number;
  /** How many recent queue-wait samples are kept per kind for the p50/p99 figures. Default 1024. */
  waitSampleSize?: number;
}

export type ResolvedSchedulerOptions = Readonly<Required<SchedulerOptions>>;

export const defaultSchedulerOptions: ResolvedSchedulerOptions = Object.freeze({
  batchWindowMillis: 2,
  maxBatchSize: 32,
  maxQueueDepth: 256,
  maxConcurrentBatches: 1,
  maxConcurrentStreams: 4,
  streamReadAheadEvents: 32,
  waitSampleSize: 1024,
});

/** Fills in defaults and rejects values that would stall the scheduler (a zero limit never admits anything). */
export function resolveSchedulerOptions(options: SchedulerOptions = {}): ResolvedSchedulerOptions {
  const resolved: Required<SchedulerOptions> = {
    batchWindowMillis: options.batchWindowMillis ?? defaultSchedulerOptions.batchWindowMillis,
    maxBatchSize: options.maxBatchSize ?? defaultSchedulerOptions.maxBatchSize,
    maxQueueDepth: options.maxQueueDepth ?? defaultSchedulerOptions.maxQueueDepth,
    maxConcurrentBatches: options.maxConcurrentBatches ?? defaultSchedulerOptions.maxConcurrentBatches,
    maxConcurrentStreams: options.maxConcurrentStreams ?? defaultSchedulerOptions.maxConcurrentStreams,
    streamReadAheadEvents: options.streamReadAheadEvents ?? defaultSchedulerOptions.streamReadAheadEvents,
    waitSampleSize: options.waitSampleSize ?? defaultSchedulerOptions.waitSampleSize,
  };
  if (!Number.isFinite(resolved.batchWindowMillis) || resolved.batchWindowMillis < 0) {
    throw new RangeError(`batchWindowMillis must be a finite number >= 0, got ${resolved.batchWindowMillis}`);
  }
  for (const name of ["maxBatchSize", "maxQueueDepth", "maxConcurrentBatches", "maxConcurrentStreams", "streamReadAheadEvents", "waitSampleSize"] as const) {
    const value = resolved[name];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
    }
  }
  return Object.freeze(resolved);
}
