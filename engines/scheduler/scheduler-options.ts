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
   * Most requests waiting per operation kind (embeddings, generations, streams), all tenants together,
   * not counting those already running on the engine. Past it a request fails at once with
   * `EngineError("overloaded")` and a `retryAfterMillis` estimate, so callers back off instead of
   * piling up. Default 1024: four tenants at their own bound (`maxQueueDepthPerTenant`).
   */
  maxQueueDepth?: number;
  /**
   * Most requests of one tenant waiting per operation kind. Past it that tenant's requests fail with
   * `overloaded` while other tenants are still admitted: one tenant filling the queue cannot lock the
   * others out. Default 256: one embeddings query of the largest size allowed (MAX_EMBEDDING_TEXTS,
   * 256 texts) still fits, so a lone tenant is refused no sooner than before this bound existed.
   */
  maxQueueDepthPerTenant?: number;
  /**
   * Most batch calls of one kind running on the engine at once. While they run, the next batch keeps
   * filling up to `maxBatchSize`, which is where batching gains come from under load. Default 1:
   * an in-process engine runs one batch at a time anyway; raise it for remote servers that schedule
   * concurrent calls themselves (continuous batching).
   */
  maxConcurrentBatches?: number;
  /**
   * Most streamed generations running on the engine at once; later ones wait, and a freed slot goes to
   * the waiting tenant with the least service for its weight (see `tenantWeights`), each tenant's
   * streams in arrival order. Set it to the engine's capacity (the llama.cpp context's sequence count,
   * a remote server's concurrency limit): the engine decodes the running streams together. Default 4.
   */
  maxConcurrentStreams?: number;
  /**
   * Most streamed generations one tenant runs at once. Below `maxConcurrentStreams` it holds slots back
   * for other tenants: a tenant that starts streaming while another runs a burst gets a slot at once,
   * instead of waiting for one of the burst's streams to end (fair queuing alone only decides who
   * takes the next freed slot). Default `maxConcurrentStreams - 1` (at least 1): one slot is reserved,
   * so the default is deliberately not work-conserving by one slot: a lone busy tenant runs one stream
   * fewer than the engine could take. Measured on 2 CPU cores, 8 llama.cpp sequences, SmolLM2-135M
   * (docs/BENCHMARKS.md, "Fair scheduling across tenants"): while acme ran 64 streams, globex's first
   * token came after 243 ms (127 ms idle) with the cap, 3.3 s without it, 57 s under FIFO; acme alone
   * streamed as many tokens/s on 7 sequences as on 8. At or above `maxConcurrentStreams` there is no
   * cap (work-conserving; a newcomer waits for a running stream to end).
   */
  maxRunningStreamsPerTenant?: number;
  /**
   * Scheduling weight by tenant id: a backlogged tenant of weight 2 gets two stream slots or batch
   * places for each one of a backlogged tenant of weight 1 (weighted fair queuing with virtual
   * counters, see `TenantShares`). Positive finite numbers. Default `{}`: every tenant weighs 1.
   */
  tenantWeights?: Readonly<Record<string, number>>;
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

/** The defaults that do not depend on other settings (`maxRunningStreamsPerTenant` does: `defaultMaxRunningStreamsPerTenant`). */
export const defaultSchedulerOptions: Omit<ResolvedSchedulerOptions, "maxRunningStreamsPerTenant"> = Object.freeze({
  batchWindowMillis: 2,
  maxBatchSize: 32,
  maxQueueDepth: 1024,
  maxQueueDepthPerTenant: 256,
  maxConcurrentBatches: 1,
  maxConcurrentStreams: 4,
  tenantWeights: Object.freeze({}),
  streamReadAheadEvents: 32,
  waitSampleSize: 1024,
});

/** One slot of `maxConcurrentStreams` held back from any single tenant (none when there is only one). */
export function defaultMaxRunningStreamsPerTenant(maxConcurrentStreams: number): number {
  return Math.max(1, maxConcurrentStreams - 1);
}

/** Fills in defaults and rejects values that would stall the scheduler (a zero limit never admits anything). */
export function resolveSchedulerOptions(options: SchedulerOptions = {}): ResolvedSchedulerOptions {
  const maxConcurrentStreams = options.maxConcurrentStreams ?? defaultSchedulerOptions.maxConcurrentStreams;
  const resolved: Required<SchedulerOptions> = {
    batchWindowMillis: options.batchWindowMillis ?? defaultSchedulerOptions.batchWindowMillis,
    maxBatchSize: options.maxBatchSize ?? defaultSchedulerOptions.maxBatchSize,
    maxQueueDepth: options.maxQueueDepth ?? defaultSchedulerOptions.maxQueueDepth,
    maxQueueDepthPerTenant: options.maxQueueDepthPerTenant ?? defaultSchedulerOptions.maxQueueDepthPerTenant,
    maxConcurrentBatches: options.maxConcurrentBatches ?? defaultSchedulerOptions.maxConcurrentBatches,
    maxConcurrentStreams,
    maxRunningStreamsPerTenant: options.maxRunningStreamsPerTenant ?? defaultMaxRunningStreamsPerTenant(maxConcurrentStreams),
    tenantWeights: Object.freeze({ ...(options.tenantWeights ?? defaultSchedulerOptions.tenantWeights) }),
    streamReadAheadEvents: options.streamReadAheadEvents ?? defaultSchedulerOptions.streamReadAheadEvents,
    waitSampleSize: options.waitSampleSize ?? defaultSchedulerOptions.waitSampleSize,
  };
  if (!Number.isFinite(resolved.batchWindowMillis) || resolved.batchWindowMillis < 0) {
    throw new RangeError(`batchWindowMillis must be a finite number >= 0, got ${resolved.batchWindowMillis}`);
  }
  const counts = ["maxBatchSize", "maxQueueDepth", "maxQueueDepthPerTenant", "maxConcurrentBatches", "maxConcurrentStreams", "maxRunningStreamsPerTenant", "streamReadAheadEvents", "waitSampleSize"] as const;
  for (const name of counts) {
    const value = resolved[name];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
    }
  }
  for (const [tenantId, weight] of Object.entries(resolved.tenantWeights)) {
    if (!Number.isFinite(weight) || weight <= 0) {
      throw new RangeError(`tenantWeights.${tenantId} must be a finite number > 0, got ${weight}`);
    }
  }
  return Object.freeze(resolved);
}
