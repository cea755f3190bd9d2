import type {
  ChatMessage,
  EngineDescription,
  GenerationEvent,
  GenerationPrompt,
  GenerationRequest,
  GenerationResult,
  InferenceEngine,
  TokenCount,
} from "../engine.ts";
import { inSpan } from "../../platform/tracing/tracer.ts";
import { EngineError } from "../engine-error.ts";
import { AdmissionQueue } from "./admission-queue.ts";
import { BatchQueue } from "./batch-queue.ts";
import { BatchSizeMetrics } from "./batch-size-metrics.ts";
import { tenantOf, type CallScope } from "./call-scope.ts";
import { generationGroupKey } from "./generation-group-key.ts";
import { RequestMetrics } from "./request-metrics.ts";
import type { ObserveRequests } from "./request-observer.ts";
import { ScheduledStream } from "./scheduled-stream.ts";
import { schedulerClosedError } from "./scheduler-errors.ts";
import type { SchedulerMetricsSnapshot } from "./scheduler-metrics.ts";
import { resolveSchedulerOptions, type ResolvedSchedulerOptions, type SchedulerOptions } from "./scheduler-options.ts";
import { TenantShares } from "./tenant-shares.ts";

/** All embeddings share one batch group: any texts can go in one `embedBatch` call. */
const embeddingGroupKey = "embed";

/**
 * The one way the subgraphs reach a model's engine: requests from concurrent GraphQL operations are
 * coalesced into engine batch calls, streams are admitted up to the engine's capacity, queues are
 * bounded, and a cancelled caller leaves its batch without disturbing the others. Every queue is
 * shared fairly by tenant (weights, per-tenant queue bound, per-tenant cap on running streams), so one
 * tenant's burst delays another tenant's work by about one unit of service, not by the whole burst.
 * The scheduler owns its engine: `close()` closes the engine too.
 */
export class ModelScheduler {
  readonly options: ResolvedSchedulerOptions;
  private readonly embedMetrics: RequestMetrics;
  private readonly generateMetrics: RequestMetrics;
  private readonly streamMetrics: RequestMetrics;
  private readonly embedBatchSizes: BatchSizeMetrics;
  private readonly generateBatchSizes: BatchSizeMetrics;
  private readonly embeddings: BatchQueue<string, Float32Array>;
  private readonly generations: BatchQueue<GenerationRequest, GenerationResult>;
  private readonly admission: AdmissionQueue;
  private readonly activeStreams = new Set<ScheduledStream>();
  private closing: Promise<void> | undefined;

  /** @param observe Observers of each kind's events (Prometheus series); none by default. */
  constructor(
    private readonly engine: InferenceEngine,
    options: SchedulerOptions = {},
    observe?: ObserveRequests,
  ) {
    this.options = resolveSchedulerOptions(options);
    const { batchWindowMillis, maxBatchSize, maxQueueDepth, maxQueueDepthPerTenant, maxConcurrentBatches, maxConcurrentStreams, maxRunningStreamsPerTenant, tenantWeights, waitSampleSize } =
      this.options;
    const [embedObserver, generateObserver, streamObserver] = [observe?.("embed"), observe?.("generate"), observe?.("stream")];
    this.embedMetrics = new RequestMetrics(waitSampleSize, embedObserver);
    this.generateMetrics = new RequestMetrics(waitSampleSize, generateObserver);
    this.streamMetrics = new RequestMetrics(waitSampleSize, streamObserver);
    this.embedBatchSizes = new BatchSizeMetrics(embedObserver === undefined ? undefined : (size) => embedObserver.batchSize(size));
    this.generateBatchSizes = new BatchSizeMetrics(generateObserver === undefined ? undefined : (size) => generateObserver.batchSize(size));
    const batching = { batchWindowMillis, maxBatchSize, maxQueueDepth, maxQueueDepthPerTenant, maxConcurrentBatches };
    // Each kind keeps its own counters: a tenant's embeddings do not spend its share of stream slots.
    this.embeddings = new BatchQueue(
      { ...batching, kind: "embed", shares: new TenantShares(tenantWeights), metrics: this.embedMetrics, batchSizes: this.embedBatchSizes },
      (texts, signal) => engine.embedBatch(texts, signal),
    );
    this.generations = new BatchQueue(
      { ...batching, kind: "generate", shares: new TenantShares(tenantWeights), metrics: this.generateMetrics, batchSizes: this.generateBatchSizes },
      (requests, signal) => engine.generateBatch(requests, signal),
    );
    this.admission = new AdmissionQueue({
      capacity: maxConcurrentStreams,
      maxRunningPerTenant: maxRunningStreamsPerTenant,
      maxQueueDepth,
      maxQueueDepthPerTenant,
      shares: new TenantShares(tenantWeights),
      metrics: this.streamMetrics,
    });
  }

  describe(): EngineDescription {
    return this.engine.describe();
  }

  /** Embeds `text` for `scope.tenantId`, batched with other embeddings arriving within the batch window. */
  embed(text: string, scope: CallScope = {}): Promise<Float32Array> {
    // One span from queueing to the result: the batch wait, and the engine call when it is this caller's batch that opened it.
    return inSpan("scheduler batch", { attributes: { "scheduler.request.kind": "embed" } }, () => this.embeddings.enqueue(embeddingGroupKey, text, tenantOf(scope), scope.signal));
  }

  /** Generates (non-streamed), batched with other requests of the same prompt kind and parameters. */
  generate(request: GenerationRequest, scope: CallScope = {}): Promise<GenerationResult> {
    const { signal } = scope;
    // The request carries its caller's signal into the batch, so an engine that can stops its part alone.
    return inSpan("scheduler batch", { attributes: { "scheduler.request.kind": "generate" } }, () =>
      this.generations.enqueue(generationGroupKey(request), signal === undefined ? request : { ...request, signal }, tenantOf(scope), signal),
    );
  }

  /**
   * Streams one generation once an engine slot is free and it is the tenant's turn. Waiting starts at
   * the first `next()`; an overloaded or closed scheduler, or an aborted `scope.signal`, makes that
   * `next()` reject.
   */
  streamGeneration(request: GenerationRequest, scope: CallScope = {}): AsyncIterableIterator<GenerationEvent> {
    return new ScheduledStream(request, tenantOf(scope), scope.signal, {
      admission: this.admission,
      open: (engineRequest, engineSignal) => this.engine.streamGeneration(engineRequest, engineSignal),
      metrics: this.streamMetrics,
      active: this.activeStreams,
      readAheadEvents: this.options.streamReadAheadEvents,
    });
  }

  /** Passed through: tokenizing is cheap and needs no batching. */
  countPromptTokens(prompt: GenerationPrompt): Promise<TokenCount> {
    if (this.closing !== undefined) return Promise.reject(schedulerClosedError());
    return this.engine.countPromptTokens(prompt);
  }

  /**
   * Scores `documents` against `query` with a reranker: passed through to the engine, which ranks
   * one (query, document) pair per evaluation (nothing to coalesce across callers); refused once
   * closing, and when the engine cannot rerank (`invalid-request`).
   */
  rank(query: string, documents: readonly string[], scope: CallScope = {}): Promise<number[]> {
    if (this.closing !== undefined) return Promise.reject(schedulerClosedError());
    const rank = this.engine.rank?.bind(this.engine);
    if (rank === undefined) return Promise.reject(new EngineError("invalid-request", "This model's engine does not rerank"));
    return inSpan("engine rank", { attributes: { "rerank.document.count": documents.length } }, () => rank(query, documents, scope.signal));
  }

  /** Passed through: formatting is cheap and needs no batching. */
  applyChatTemplate(messages: readonly ChatMessage[]): Promise<string> {
    if (this.closing !== undefined) return Promise.reject(schedulerClosedError());
    return this.engine.applyChatTemplate(messages);
  }

  metrics(): SchedulerMetricsSnapshot {
    return {
      embed: { requests: this.embedMetrics.snapshot(), batchSizes: this.embedBatchSizes.snapshot() },
      generate: { requests: this.generateMetrics.snapshot(), batchSizes: this.generateBatchSizes.snapshot() },
      stream: { requests: this.streamMetrics.snapshot() },
    };
  }

  /**
   * Refuses new requests, fails waiting and running ones with a retryable `unavailable`, stops the
   * engine's work, waits for its calls to end, then closes the engine. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.admission.close();
    const error = schedulerClosedError();
    for (const stream of [...this.activeStreams]) stream.shutdown(error);
    await Promise.all([this.embeddings.close(), this.generations.close(), this.admission.whenIdle()]);
    await this.engine.close();
  }
}
