import { randomUUID } from "node:crypto";
import type { GenerationEvent, GenerationResult } from "../../engines/engine.ts";
import type { ModelEngines } from "../../engines/model-engines.ts";
import type { RequestContext } from "../../platform/context/request-context.ts";
import { badUserInput, ServiceError } from "../../platform/errors/service-error.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import type { CompletionRecord, CompletionStreamEventRecord, EmbeddingResultRecord, FinishReason } from "./completion-record.ts";
import { checkText, resolveServingModel, type GroundingCall, type PreparedCompletion } from "./completion-request.ts";
import type { GroundingRetriever } from "./grounding/grounding-source.ts";
import { toServiceError } from "./engine-error-mapping.ts";
import { EngineTimeEstimator } from "./engine-time-estimator.ts";
import type { InferenceLimits } from "./inference-limits.ts";
import type { CompletionStore } from "./store/completion-store.ts";
import type { MeteredUsage } from "../../platform/metering/metered-usage.ts";
import { failureOutcome, type CallMeter, type MeteredCall, type MeteredCost } from "./metering/call-meter.ts";

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

/** Runs validated requests on the engines and records the finished completions. */
export class CompletionService {
  readonly #engines: ModelEngines;
  readonly #store: CompletionStore;
  readonly #limits: InferenceLimits;
  readonly #meter: CallMeter;
  readonly #retriever: GroundingRetriever | undefined;
  /** Milliseconds per token of each model's embedding calls, for the engine-time budget. */
  readonly #engineTime = new EngineTimeEstimator();

  constructor(dependencies: { engines: ModelEngines; store: CompletionStore; limits: InferenceLimits; meter: CallMeter; retriever?: GroundingRetriever }) {
    this.#engines = dependencies.engines;
    this.#store = dependencies.store;
    this.#limits = dependencies.limits;
    this.#meter = dependencies.meter;
    this.#retriever = dependencies.retriever;
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

  async complete(prepared: PreparedCompletion, call: CallContext): Promise<CompletionRecord> {
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
    const record = this.#record(completionId, prepared, call, result, null, metered.priceOf(result.usage));
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
  async stream(prepared: PreparedCompletion, call: CallContext): Promise<AsyncIterableIterator<CompletionStreamEventRecord>> {
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
            const record = service.#record(completionId, prepared, call, event.result, timeToFirstToken(), metered.priceOf(event.result.usage));
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

  async embed(modelName: string, texts: readonly string[], call: CallContext): Promise<EmbeddingResultRecord> {
    if (texts.length === 0) throw badUserInput("texts", "texts must not be empty.");
    if (texts.length > this.#limits.maximumEmbeddingTexts) {
      throw badUserInput("texts", `At most ${this.#limits.maximumEmbeddingTexts} texts per request, got ${texts.length}.`);
    }
    texts.forEach((text, index) => checkText(`texts[${index}]`, text, this.#limits));
    this.#checkRequestCharacters(texts);
    const { model, scheduler } = await resolveServingModel(this.#engines, call.request, modelName, "EMBEDDING", "model");
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
      await metered.finish({ status: "SUCCEEDED", errorCode: null, promptTokens, completionTokens: 0, timeToFirstTokenMillis: null, completionId: null });
      return { modelId: model.id, dimensions: vectors[0]?.length ?? 0, vectors, promptTokens, promptTokensEstimated: counts.some((count) => !count.exact) };
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
      createdAt: new Date().toISOString(),
    };
    await this.#store.save(record);
    return record;
  }

  /** `abstain` as a stream: a start event, then the end event with the recorded completion. */
  async abstainStream(prepared: PreparedCompletion, call: CallContext): Promise<AsyncIterableIterator<CompletionStreamEventRecord>> {
    const record = await this.abstain(prepared, call);
    // A generator is fine here: nothing upstream to stop when the client leaves.
    return (async function* (): AsyncGenerator<CompletionStreamEventRecord> {
      yield { __typename: "TextStartEvent", completionId: record.id, modelId: record.modelId };
      yield { __typename: "TextEndEvent", completion: record };
    })();
  }

  find(id: string, tenantId: string): Promise<CompletionRecord | undefined> {
    return this.#store.get(id, tenantId);
  }

  #record(id: string, prepared: PreparedCompletion, call: CallContext, result: GenerationResult, timeToFirstTokenMillis: number | null, cost: MeteredCost): CompletionRecord {
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
      createdAt: new Date().toISOString(),
    };
  }
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
