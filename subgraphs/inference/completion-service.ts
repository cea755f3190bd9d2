import { randomUUID } from "node:crypto";
import type { GenerationEvent, GenerationResult, TokenCount } from "../../engines/engine.ts";
import type { ModelEngines } from "../../engines/model-engines.ts";
import type { RequestContext } from "../../platform/context/request-context.ts";
import { badUserInput, ServiceError } from "../../platform/errors/service-error.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import type { CompletionRecord, CompletionStreamEventRecord, EmbeddingResultRecord, FinishReason, RerankResultRecord } from "./completion-record.ts";
import { checkText, resolveServingModel, type GroundingCall, type PreparedCompletion } from "./completion-request.ts";
import type { GroundingRetriever } from "./grounding/grounding-source.ts";
import { toServiceError } from "./engine-error-mapping.ts";
import { EngineTimeEstimator } from "./engine-time-estimator.ts";
import type { InferenceLimits } from "./inference-limits.ts";
import type { CompletionStore } from "./store/completion-store.ts";
import type { MeteredUsage } from "../../platform/metering/metered-usage.ts";
import { failureOutcome, type CallMeter, type MeteredCall, type MeteredCallStart, type MeteredCost } from "./metering/call-meter.ts";
import type { CacheInput } from "./generated/resolvers-types.ts";
import { completionCacheKey, embeddingsCacheKey } from "./cache/response-cache-key.ts";
import { isDeterministic, type CacheHit, type CacheResultRecord, type CachedCompletion, type ResponseCache } from "./cache/response-cache.ts";
import type { SemanticCache, SemanticProbe } from "./cache/semantic-cache.ts";

/** Reservation for a prompt whose count is an estimate: this many times the estimate. */
const estimatedPromptReservationFactor = 2;

/** Who asks, and when the request arrived (latencies are measured from it). */
export interface CallContext {
  request: RequestContext;
  /**
   * Aborts when the client goes away: the engine stops and the request leaves its batch. The services
   * pass an operation signal (`createOperationSignal`), which the scheduler also aborts when it refuses
   * one of the operation's calls as overloaded, dropping the work the operation's other fields queued.
   */
  signal: AbortSignal;
  /** `performance.now()` at arrival. */
  arrivedAt: number;
  /** Sums what the operation's calls used, for the response's `extensions.metered`; absent on WebSocket subscriptions (their end event carries the usage). */
  metered?: MeteredUsage;
}

/** Where a completion is cached: its exact key, for how long, and whether paraphrases may match it. */
interface CompletionCacheEntry {
  key: string;
  ttlSeconds: number;
  /** Set when the request asked for the semantic cache too. */
  minSimilarity?: number;
}

/** Runs validated requests on the engines and records the finished completions. */
export class CompletionService {
  readonly #engines: ModelEngines;
  readonly #store: CompletionStore;
  readonly #limits: InferenceLimits;
  readonly #meter: CallMeter;
  readonly #retriever: GroundingRetriever | undefined;
  readonly #responseCache: ResponseCache;
  readonly #semanticCache: SemanticCache | undefined;
  /** Milliseconds per token of each model's embedding calls, for the engine-time budget. */
  readonly #engineTime = new EngineTimeEstimator();

  constructor(dependencies: { engines: ModelEngines; store: CompletionStore; limits: InferenceLimits; meter: CallMeter; retriever?: GroundingRetriever; responseCache: ResponseCache; semanticCache?: SemanticCache }) {
    this.#engines = dependencies.engines;
    this.#store = dependencies.store;
    this.#limits = dependencies.limits;
    this.#meter = dependencies.meter;
    this.#retriever = dependencies.retriever;
    this.#responseCache = dependencies.responseCache;
    this.#semanticCache = dependencies.semanticCache;
  }

  /** How a request of `call` retrieves grounding chunks; undefined when no retriever is configured. */
  groundingFor(call: CallContext): GroundingCall | undefined {
    return this.#retriever === undefined ? undefined : { retriever: this.#retriever, request: call.request, signal: call.signal };
  }

  get engines(): ModelEngines {
    return this.#engines;
  }

  get limits(): InferenceLimits {
    return this.#limits;
  }

  /** Generates, or with `cache` (deterministic requests only) serves the same tenant's cached answer for this model version and request. */
  async complete(prepared: PreparedCompletion, call: CallContext, cache?: CacheInput | null): Promise<CompletionRecord> {
    const cached = this.#completionCacheKey(prepared, call, cache);
    if (cached !== undefined) {
      const hit = await this.#responseCache.findCompletion(cached.key, cached.ttlSeconds, call.request.tenantId, "completion");
      if (hit !== undefined) return this.#serveCached(prepared, call, hit, "COMPLETION");
    }
    const probe = await this.#semanticProbe(prepared, call, cached, "completion");
    if (probe?.hit !== undefined) return this.#serveCached(prepared, call, probe.hit, "COMPLETION");
    const completionId = randomUUID();
    const metered = await this.#open(prepared, call, completionId, "COMPLETION");
    let result: GenerationResult;
    try {
      result = await prepared.scheduler.generate(prepared.request, { tenantId: call.request.tenantId, signal: call.signal });
    } catch (error) {
      const serviceError = toServiceError(error, prepared.model.id);
      await metered.finish(failureOutcome(serviceError));
      throw serviceError;
    }
    // Billing follows what the client gets: the call is finished (settled, metered) only once its
    // record is saved; a failed save is metered FAILED with the tokens the engine used.
    const cacheResult = await this.#keep(cached, result, call, "completion", probe);
    const record = this.#record(completionId, prepared, call, result, null, metered.priceOf(result.usage), cacheResult);
    await this.#save(record, metered);
    await metered.finish(outcomeOf(result, completionId, null));
    return record;
  }

  /** Saves a finished completion; when that fails, finishes `metered` as FAILED with the tokens used (not charged unless BILL_FAILED_COMPLETIONS) and throws the store's error. */
  async #save(record: CompletionRecord, metered: MeteredCall): Promise<void> {
    try {
      await this.#store.save(record);
    } catch (error) {
      const serviceError = error instanceof ServiceError ? error : new ServiceError(ErrorCode.InternalServerError, "The completion could not be saved.", { cause: error });
      await metered.finish({ ...failureOutcome(serviceError, { promptTokens: record.usage.promptTokens, completionTokens: record.usage.completionTokens }), tokensEstimated: record.usage.estimated === true });
      throw serviceError;
    }
  }

  /** Reserves the call's most possible use against the tenant's quota; throws QUOTA_EXCEEDED before any engine work. */
  #open(prepared: PreparedCompletion, call: CallContext, completionId: string, operation: "COMPLETION" | "STREAM"): Promise<MeteredCall> {
    return this.#meter.open({
      call,
      model: prepared.model,
      operation,
      eventId: completionId,
      // An estimated count can be short by half or more (measured: 3,000 digits were 1,500
      // estimated, 5,999 real): reserve twice the estimate so the quota still holds.
      estimatedPromptTokens: prepared.promptTokensExact ? prepared.promptTokens : prepared.promptTokens * estimatedPromptReservationFactor,
      estimatedCompletionTokens: prepared.request.parameters.maxTokens,
      genAiOperation: prepared.request.prompt.kind === "chat" ? "chat" : "text_completion",
    });
  }

  /**
   * Streams a generation as GraphQL events. The iterator is hand-written, not an async generator:
   * a generator's `return()` waits for the pending `next()`, i.e. the next token, while a client
   * that leaves must stop the engine at once.
   */
  async stream(prepared: PreparedCompletion, call: CallContext, cache?: CacheInput | null): Promise<AsyncIterableIterator<CompletionStreamEventRecord>> {
    const cached = this.#completionCacheKey(prepared, call, cache);
    if (cached !== undefined) {
      const hit = await this.#responseCache.findCompletion(cached.key, cached.ttlSeconds, call.request.tenantId, "stream");
      if (hit !== undefined) return replay(await this.#serveCached(prepared, call, hit, "STREAM"));
    }
    const probe = await this.#semanticProbe(prepared, call, cached, "stream");
    if (probe?.hit !== undefined) return replay(await this.#serveCached(prepared, call, probe.hit, "STREAM"));
    const completionId = randomUUID();
    // Reserved before the first event: a stream over quota fails at subscribe, with no engine work.
    const metered = await this.#open(prepared, call, completionId, "STREAM");
    // The scheduler's stream listens to the caller's signal itself (and stops listening when it ends).
    let upstream: AsyncIterator<GenerationEvent>;
    try {
      upstream = prepared.scheduler.streamGeneration(prepared.request, { tenantId: call.request.tenantId, signal: call.signal });
    } catch (error) {
      // Finished here or never: an unfinished call would keep renewing its stream slot.
      const serviceError = toServiceError(error, prepared.model.id);
      await metered.finish(failureOutcome(serviceError));
      throw serviceError;
    }
    let firstTokenAt: number | undefined;
    let deltas = 0;
    let finished = false;
    const timeToFirstToken = () => (firstTokenAt === undefined ? null : firstTokenAt - call.arrivedAt);
    const finish = async () => {
      if (finished) return;
      finished = true;
      // Stops the engine if it is still generating (the reader left early). Not an abort: a
      // stream that reached its end would be counted as cancelled.
      await upstream.return?.();
      // A client that left before the end: the tokens it was sent are what it used (one per delta).
      await metered.finish({
        status: "CANCELLED",
        errorCode: ErrorCode.RequestCancelled,
        promptTokens: prepared.promptTokens,
        completionTokens: deltas,
        timeToFirstTokenMillis: timeToFirstToken(),
        completionId: null,
      });
    };
    const service = this;
    const iterator: AsyncIterableIterator<CompletionStreamEventRecord> = {
      async next(): Promise<IteratorResult<CompletionStreamEventRecord>> {
        if (finished) return { done: true, value: undefined };
        let step: IteratorResult<GenerationEvent>;
        try {
          step = await upstream.next();
        } catch (error) {
          const serviceError = toServiceError(error, prepared.model.id);
          await metered.finish(failureOutcome(serviceError, { promptTokens: prepared.promptTokens, completionTokens: deltas }));
          await finish();
          return { done: false, value: { __typename: "StreamFailure", error: serviceError } };
        }
        if (step.done === true) {
          await finish();
          return { done: true, value: undefined };
        }
        const event = step.value;
        switch (event.type) {
          case "text-start":
            return { done: false, value: { __typename: "TextStartEvent", completionId, modelId: prepared.model.id } };
          case "text-delta":
            firstTokenAt ??= performance.now();
            deltas += 1;
            return { done: false, value: { __typename: "TextDeltaEvent", completionId, index: event.index, text: event.text } };
          case "text-end": {
            const cacheResult = await service.#keep(cached, event.result, call, "stream", probe);
            const record = service.#record(completionId, prepared, call, event.result, timeToFirstToken(), metered.priceOf(event.result.usage), cacheResult);
            try {
              await service.#save(record, metered);
            } catch (error) {
              // Metered FAILED by #save; the stream ends with the store's error instead of its end event.
              await finish();
              return { done: false, value: { __typename: "StreamFailure", error } };
            }
            await metered.finish(outcomeOf(event.result, completionId, timeToFirstToken()));
            await finish();
            return { done: false, value: { __typename: "TextEndEvent", completion: record } };
          }
        }
      },
      async return(): Promise<IteratorResult<CompletionStreamEventRecord>> {
        await finish();
        return { done: true, value: undefined };
      },
      async throw(error?: unknown): Promise<IteratorResult<CompletionStreamEventRecord>> {
        await finish();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /** Embeds the texts, or with `cache` serves the same tenant's cached vectors for this model version and these texts. */
  async embed(modelName: string, texts: readonly string[], call: CallContext, cache?: CacheInput | null): Promise<EmbeddingResultRecord> {
    if (texts.length === 0) throw badUserInput("texts", "texts must not be empty.");
    if (texts.length > this.#limits.maximumEmbeddingTexts) {
      throw badUserInput("texts", `At most ${this.#limits.maximumEmbeddingTexts} texts per request, got ${texts.length}.`);
    }
    texts.forEach((text, index) => checkText(`texts[${index}]`, text, this.#limits));
    this.#checkRequestCharacters(texts);
    const requestedTtlSeconds = this.#responseCache.ttlOf(cache, "cache");
    const { model, scheduler } = await resolveServingModel(this.#engines, call.request, modelName, "EMBEDDING", "model");
    const ttlSeconds = cache === null || cache === undefined ? this.#responseCache.defaultTtlOf(cache, model) : requestedTtlSeconds;
    const cacheKey = ttlSeconds === undefined ? undefined : embeddingsCacheKey(call.request.tenantId, model, texts);
    if (cacheKey !== undefined && ttlSeconds !== undefined) {
      const hit = await this.#responseCache.findEmbeddings(cacheKey, ttlSeconds, call.request.tenantId);
      if (hit !== undefined) {
        await this.#meterCacheHit({ call, model, operation: "EMBEDDING", eventId: randomUUID(), estimatedPromptTokens: 0, estimatedCompletionTokens: 0 }, null);
        return { modelId: model.id, ...hit.answer, cache: hit.result };
      }
    }
    try {
      const counts = await Promise.all(texts.map((text) => scheduler.countPromptTokens({ kind: "text", text })));
      const tooLong = counts.findIndex((count) => count.tokens > model.contextLength);
      if (tooLong >= 0) {
        throw new ServiceError(
          ErrorCode.ContextLengthExceeded,
          `Text ${tooLong} takes ${counts[tooLong]?.tokens} tokens, over the context length of ${model.id} (${model.contextLength}).`,
          { field: `texts[${tooLong}]`, details: { promptTokens: counts[tooLong]?.tokens, contextLength: model.contextLength } },
        );
      }
      const promptTokens = counts.reduce((sum, count) => sum + count.tokens, 0);
      this.#checkEmbeddingWork(model.id, promptTokens);
      const metered = await this.#meter.open({ call, model, operation: "EMBEDDING", eventId: randomUUID(), estimatedPromptTokens: promptTokens, estimatedCompletionTokens: 0 });
      let vectors: Float32Array[];
      const embeddingStartedAt = performance.now();
      try {
        vectors = await Promise.all(texts.map((text) => scheduler.embed(text, { tenantId: call.request.tenantId, signal: call.signal })));
      } catch (error) {
        const serviceError = toServiceError(error, model.id);
        await metered.finish(failureOutcome(serviceError));
        throw serviceError;
      }
      // Queue wait included: under load the estimate rises, and the largest calls are refused first.
      this.#engineTime.record(model.id, promptTokens, performance.now() - embeddingStartedAt);
      const promptTokensEstimated = counts.some((count) => !count.exact);
      const dimensions = vectors[0]?.length ?? 0;
      const cacheResult =
        cacheKey === undefined || ttlSeconds === undefined ? null : await this.#responseCache.storeEmbeddings(cacheKey, ttlSeconds, { dimensions, vectors, promptTokens, promptTokensEstimated }, call.request.tenantId);
      await metered.finish({ status: "SUCCEEDED", errorCode: null, promptTokens, completionTokens: 0, timeToFirstTokenMillis: null, completionId: null });
      return { modelId: model.id, dimensions, vectors, promptTokens, promptTokensEstimated, cache: cacheResult };
    } catch (error) {
      throw toServiceError(error, model.id);
    }
  }

  /**
   * Scores `documents` against `query` with a RERANKING model. Metered like embeddings (operation
   * RERANKING, prompt tokens only: each pair's query, document and separators), within the same
   * per-call limits on texts, characters and tokens.
   */
  async rerank(modelName: string, query: string, documents: readonly string[], call: CallContext, options: { truncate?: boolean } = {}): Promise<RerankResultRecord> {
    checkText("query", query, this.#limits);
    if (documents.length === 0) throw badUserInput("documents", "documents must not be empty.");
    if (documents.length > this.#limits.maximumEmbeddingTexts) {
      throw badUserInput("documents", `At most ${this.#limits.maximumEmbeddingTexts} documents per request, got ${documents.length}.`);
    }
    documents.forEach((document, index) => checkText(`documents[${index}]`, document, this.#limits));
    this.#checkRequestCharacters([...documents.map(() => query), ...documents]);
    const { model, scheduler } = await resolveServingModel(this.#engines, call.request, modelName, "RERANKING", "model");
    try {
      const count = (text: string) => scheduler.countPromptTokens({ kind: "text", text });
      const [queryCount, ...counts] = await Promise.all([query, ...documents].map(count));
      const queryTokens = queryCount?.tokens ?? 0;
      // A pair is [CLS] query [SEP] document [SEP]: three special tokens besides the texts.
      const documentBudget = model.contextLength - queryTokens - 3;
      if (documentBudget < 1) {
        throw new ServiceError(ErrorCode.ContextLengthExceeded, `The query takes ${queryTokens} tokens, leaving no room for a document in the context of ${model.id} (${model.contextLength}).`, {
          field: "query",
          details: { promptTokens: queryTokens, contextLength: model.contextLength },
        });
      }
      let ranked = documents;
      let documentCounts = counts;
      if (options.truncate === true) {
        const fitted = await Promise.all(documents.map((document, index) => fitToTokens(document, counts[index] as TokenCount, documentBudget, count)));
        ranked = fitted.map((fit) => fit.text);
        documentCounts = fitted.map((fit) => fit.count);
      }
      const pairTokens = documentCounts.map((documentCount) => queryTokens + documentCount.tokens + 3);
      const tooLong = pairTokens.findIndex((tokens) => tokens > model.contextLength);
      if (tooLong >= 0) {
        throw new ServiceError(
          ErrorCode.ContextLengthExceeded,
          `Document ${tooLong} with the query takes ${pairTokens[tooLong]} tokens, over the context length of ${model.id} (${model.contextLength}).`,
          { field: `documents[${tooLong}]`, details: { promptTokens: pairTokens[tooLong], contextLength: model.contextLength } },
        );
      }
      const promptTokens = pairTokens.reduce((sum, tokens) => sum + tokens, 0);
      this.#checkEmbeddingWork(model.id, promptTokens);
      const metered = await this.#meter.open({ call, model, operation: "RERANKING", eventId: randomUUID(), estimatedPromptTokens: promptTokens, estimatedCompletionTokens: 0 });
      let scores: number[];
      const startedAt = performance.now();
      try {
        scores = await scheduler.rank(query, ranked, { tenantId: call.request.tenantId, signal: call.signal });
      } catch (error) {
        const serviceError = toServiceError(error, model.id);
        await metered.finish(failureOutcome(serviceError));
        throw serviceError;
      }
      this.#engineTime.record(model.id, promptTokens, performance.now() - startedAt);
      await metered.finish({ status: "SUCCEEDED", errorCode: null, promptTokens, completionTokens: 0, timeToFirstTokenMillis: null, completionId: null });
      return { modelId: model.id, scores, promptTokens, promptTokensEstimated: [queryCount, ...documentCounts].some((tokenCount) => tokenCount?.exact === false) };
    } catch (error) {
      throw toServiceError(error, model.id);
    }
  }

  /** Tokens of each text in the model's tokenizer (any capability: collections count chunk sizes with their embedding model). */
  async countTokens(modelName: string, texts: readonly string[], caller: RequestContext): Promise<number[]> {
    if (texts.length === 0) throw badUserInput("texts", "texts must not be empty.");
    if (texts.length > this.#limits.maximumEmbeddingTexts) {
      throw badUserInput("texts", `At most ${this.#limits.maximumEmbeddingTexts} texts per request, got ${texts.length}.`);
    }
    texts.forEach((text, index) => {
      if (text.length > this.#limits.maximumTextCharacters) throw badUserInput(`texts[${index}]`, `The text has ${text.length} characters; the limit is ${this.#limits.maximumTextCharacters}.`);
    });
    this.#checkRequestCharacters(texts);
    const { model, scheduler } = await resolveServingModel(this.#engines, caller, modelName, undefined, "model");
    try {
      return (await Promise.all(texts.map((text) => scheduler.countPromptTokens({ kind: "text", text })))).map((count) => count.tokens);
    } catch (error) {
      throw toServiceError(error, model.id);
    }
  }

  /** All the texts of one call, before any tokenizing: MAX_REQUEST_CHARACTERS. */
  #checkRequestCharacters(texts: readonly string[]): void {
    const characters = texts.reduce((sum, text) => sum + text.length, 0);
    if (characters > this.#limits.maximumRequestCharacters) {
      throw requestTooLarge("CHARACTERS", this.#limits.maximumRequestCharacters, characters, `The texts have ${characters} characters in all; one call may have ${this.#limits.maximumRequestCharacters}.`);
    }
  }

  /** The counted tokens of one embeddings call, before any embedding: MAX_EMBEDDING_REQUEST_TOKENS and the engine-time budget. */
  #checkEmbeddingWork(modelId: string, promptTokens: number): void {
    const { maximumEmbeddingRequestTokens, embeddingRequestBudgetMillis } = this.#limits;
    if (promptTokens > maximumEmbeddingRequestTokens) {
      throw requestTooLarge("TOKENS", maximumEmbeddingRequestTokens, promptTokens, `The texts take ${promptTokens} tokens in all; one call may take ${maximumEmbeddingRequestTokens}.`);
    }
    const estimatedMillis = this.#engineTime.estimate(modelId, promptTokens);
    if (embeddingRequestBudgetMillis > 0 && estimatedMillis !== undefined && estimatedMillis > embeddingRequestBudgetMillis) {
      const rounded = Math.ceil(estimatedMillis);
      throw requestTooLarge("ENGINE_MILLIS", embeddingRequestBudgetMillis, rounded, `Embedding ${promptTokens} tokens would take about ${rounded} ms of ${modelId}'s time; one call may take ${embeddingRequestBudgetMillis} ms.`);
    }
  }

  /**
   * A grounded request that abstained with NO_ANSWER: nothing is generated and no engine time or
   * quota is used; the completion is recorded (empty text, finishReason ABSTAINED) like any other.
   */
  async abstain(prepared: PreparedCompletion, call: CallContext): Promise<CompletionRecord> {
    const record: CompletionRecord = {
      id: randomUUID(),
      tenantId: call.request.tenantId,
      modelId: prepared.model.id,
      text: "",
      finishReason: "ABSTAINED",
      usage: { promptTokens: 0, completionTokens: 0 },
      latencyMillis: performance.now() - call.arrivedAt,
      timeToFirstTokenMillis: null,
      citationChunkIds: [],
      grounding: prepared.grounding,
      meteredCostMicros: 0,
      meteredCurrency: prepared.model.pricing.currency,
      cache: null,
      createdAt: new Date().toISOString(),
    };
    await this.#store.save(record);
    return record;
  }

  /** `abstain` as a stream: a start event, then the end event with the recorded completion. */
  async abstainStream(prepared: PreparedCompletion, call: CallContext): Promise<AsyncIterableIterator<CompletionStreamEventRecord>> {
    const record = await this.abstain(prepared, call);
    return replay(record);
  }

  /** The cache key and TTL of a request that asked for the cache; BAD_USER_INPUT for a bad TTL or a request that is not deterministic. */
  #completionCacheKey(prepared: PreparedCompletion, call: CallContext, cache: CacheInput | null | undefined): CompletionCacheEntry | undefined {
    if (cache === null || cache === undefined) {
      // The model's default applies to deterministic requests only, and never refuses one.
      const ttlSeconds = this.#responseCache.defaultTtlOf(cache, prepared.model);
      if (ttlSeconds === undefined || !isDeterministic(prepared.request.parameters)) return undefined;
      return { key: completionCacheKey(call.request.tenantId, prepared.model, prepared.request), ttlSeconds };
    }
    const ttlSeconds = this.#responseCache.ttlOf(cache, "input.cache");
    if (ttlSeconds === undefined) return undefined;
    if (!isDeterministic(prepared.request.parameters)) {
      throw badUserInput("input.cache", "The response cache keeps deterministic requests only: set temperature to 0 (or the model's default must be 0), or give a seed.");
    }
    const minSimilarity = cache.minSimilarity ?? undefined;
    if (minSimilarity !== undefined) {
      if (!(minSimilarity >= 0.5 && minSimilarity <= 1)) throw badUserInput("input.cache.minSimilarity", `minSimilarity must be between 0.5 and 1, got ${minSimilarity}.`);
      if (this.#semanticCache === undefined) throw badUserInput("input.cache.minSimilarity", "The semantic cache is not configured on this service (SEMANTIC_CACHE_EMBEDDING_MODEL); ask for the exact cache only.");
    }
    return { key: completionCacheKey(call.request.tenantId, prepared.model, prepared.request), ttlSeconds, ...(minSimilarity === undefined ? {} : { minSimilarity }) };
  }

  /**
   * After an exact miss, the semantic lookup of a request that asked for one: the probe (to index the
   * answer generated next) and, when a paraphrase's answer is still cached, that hit.
   */
  async #semanticProbe(prepared: PreparedCompletion, call: CallContext, cached: CompletionCacheEntry | undefined, operation: "completion" | "stream"): Promise<(SemanticProbe & { hit?: CacheHit<CachedCompletion> }) | undefined> {
    if (cached?.minSimilarity === undefined || this.#semanticCache === undefined) return undefined;
    const probe = await this.#semanticCache.probe(prepared.model, prepared.request, call.request.tenantId, cached.minSimilarity, call.signal);
    if (probe?.match === undefined) return probe;
    const hit = await this.#responseCache.findCompletion(probe.match.key, cached.ttlSeconds, call.request.tenantId, operation, "semantic");
    if (hit === undefined) return probe;
    return { ...probe, hit: { ...hit, result: { ...hit.result, kind: "SEMANTIC", similarity: probe.match.similarity } } };
  }

  /** Keeps a finished generation in the cache when the request asked for it; what `Completion.cache` reports. Cancelled generations are not kept. */
  async #keep(cached: CompletionCacheEntry | undefined, result: GenerationResult, call: CallContext, operation: "completion" | "stream", probe?: SemanticProbe): Promise<CacheResultRecord | null> {
    if (cached === undefined) return null;
    if (result.finishReason === "cancelled") return { hit: false, kind: null, ttlSeconds: null };
    const answer: CachedCompletion = { text: result.text, finishReason: result.finishReason === "stop" ? "STOP" : "LENGTH", usage: result.usage };
    const stored = await this.#responseCache.storeCompletion(cached.key, cached.ttlSeconds, answer, call.request.tenantId, operation);
    // Indexed for paraphrases only once the answer itself is in the cache.
    if (probe !== undefined && stored.ttlSeconds !== null) await this.#semanticCache?.remember(probe, cached.key, cached.ttlSeconds);
    return stored;
  }

  /**
   * Answers from the cache: a new completion (its own id, readable by `completion(id)`) with the
   * cached text, no engine work, metered as a cache hit (no tokens, no cost, no quota reservation).
   */
  async #serveCached(prepared: PreparedCompletion, call: CallContext, hit: CacheHit<CachedCompletion>, operation: "COMPLETION" | "STREAM"): Promise<CompletionRecord> {
    const record: CompletionRecord = {
      id: randomUUID(),
      tenantId: call.request.tenantId,
      modelId: prepared.model.id,
      text: hit.answer.text,
      finishReason: hit.answer.finishReason,
      usage: hit.answer.usage,
      latencyMillis: performance.now() - call.arrivedAt,
      timeToFirstTokenMillis: null,
      citationChunkIds: prepared.citationChunkIds,
      grounding: prepared.grounding,
      meteredCostMicros: 0,
      meteredCurrency: prepared.model.pricing.currency,
      cache: hit.result,
      createdAt: new Date().toISOString(),
    };
    const start: MeteredCallStart = {
      call,
      model: prepared.model,
      operation,
      eventId: record.id,
      estimatedPromptTokens: 0,
      estimatedCompletionTokens: 0,
      genAiOperation: prepared.request.prompt.kind === "chat" ? "chat" : "text_completion",
    };
    try {
      await this.#store.save(record);
    } catch (error) {
      const serviceError = error instanceof ServiceError ? error : new ServiceError(ErrorCode.InternalServerError, "The completion could not be saved.", { cause: error });
      await this.#meter.record(start, undefined, { ...failureOutcome(serviceError), cacheHit: true });
      throw serviceError;
    }
    await this.#meterCacheHit(start, record.id);
    return record;
  }

  /** One usage event for a call answered from the cache: SUCCEEDED, zero tokens, zero cost, `cacheHit`. */
  async #meterCacheHit(start: MeteredCallStart, completionId: string | null): Promise<void> {
    await this.#meter.record(start, undefined, { status: "SUCCEEDED", errorCode: null, promptTokens: 0, completionTokens: 0, timeToFirstTokenMillis: null, completionId, cacheHit: true });
  }

  find(id: string, tenantId: string): Promise<CompletionRecord | undefined> {
    return this.#store.get(id, tenantId);
  }

  #record(id: string, prepared: PreparedCompletion, call: CallContext, result: GenerationResult, timeToFirstTokenMillis: number | null, cost: MeteredCost, cache: CacheResultRecord | null): CompletionRecord {
    return {
      id,
      tenantId: call.request.tenantId,
      modelId: prepared.model.id,
      text: result.text,
      finishReason: result.finishReason.toUpperCase() as FinishReason,
      usage: result.usage,
      latencyMillis: performance.now() - call.arrivedAt,
      timeToFirstTokenMillis,
      citationChunkIds: prepared.citationChunkIds,
      grounding: prepared.grounding,
      meteredCostMicros: cost.costMicros,
      meteredCurrency: cost.currency,
      cache,
      createdAt: new Date().toISOString(),
    };
  }
}

/**
 * A finished completion as a stream: a start event, its whole text as one delta (none when empty),
 * the end event. A generator is fine here: nothing upstream to stop when the client leaves.
 */
function replay(record: CompletionRecord): AsyncIterableIterator<CompletionStreamEventRecord> {
  return (async function* (): AsyncGenerator<CompletionStreamEventRecord> {
    yield { __typename: "TextStartEvent", completionId: record.id, modelId: record.modelId };
    if (record.text !== "") yield { __typename: "TextDeltaEvent", completionId: record.id, index: 0, text: record.text };
    yield { __typename: "TextEndEvent", completion: record };
  })();
}

function outcomeOf(result: GenerationResult, completionId: string, timeToFirstTokenMillis: number | null) {
  return {
    status: result.finishReason === "cancelled" ? ("CANCELLED" as const) : ("SUCCEEDED" as const),
    errorCode: result.finishReason === "cancelled" ? ErrorCode.RequestCancelled : null,
    promptTokens: result.usage.promptTokens,
    completionTokens: result.usage.completionTokens,
    tokensEstimated: result.usage.estimated === true,
    timeToFirstTokenMillis,
    completionId,
  };
}

/** REQUEST_TOO_LARGE: nothing ran on the engine; the caller splits its texts over calls. */
function requestTooLarge(limit: "CHARACTERS" | "TOKENS" | "ENGINE_MILLIS", maximum: number, requested: number, message: string): ServiceError {
  return new ServiceError(ErrorCode.RequestTooLarge, `${message} Split the texts over several calls.`, { field: "texts", details: { limit, maximum, requested } });
}

/**
 * `text` cut (keeping its start, at a character) to at most `maximumTokens`, with its count: the
 * length is scaled by the share of tokens that fit, with a margin, and counted again, a few times
 * at most (tokens per character vary little within one text). Unchanged when it fits.
 */
async function fitToTokens(text: string, counted: TokenCount, maximumTokens: number, count: (text: string) => Promise<TokenCount>): Promise<{ text: string; count: TokenCount }> {
  let fitted = { text, count: counted };
  for (let attempt = 0; attempt < 8 && fitted.count.tokens > maximumTokens; attempt += 1) {
    const characters = Math.max(1, Math.floor(fitted.text.length * (maximumTokens / fitted.count.tokens) * 0.9));
    const shorter = Array.from(fitted.text).slice(0, characters).join("");
    fitted = { text: shorter, count: await count(shorter) };
  }
  return fitted;
}
