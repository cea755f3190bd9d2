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
import type { InferenceLimits } from "./inference-limits.ts";
import type { CompletionStore } from "./store/completion-store.ts";

/** Who asks, and when the request arrived (latencies are measured from it). */
export interface CallContext {
  request: RequestContext;
  /** Aborts when the client goes away: the engine stops and the request leaves its batch. */
  signal: AbortSignal;
  /** `performance.now()` at arrival. */
  arrivedAt: number;
}

/** Runs validated requests on the engines and records the finished completions. */
export class CompletionService {
  readonly #engines: ModelEngines;
  readonly #store: CompletionStore;
  readonly #limits: InferenceLimits;
  readonly #retriever: GroundingRetriever | undefined;

  constructor(engines: ModelEngines, store: CompletionStore, limits: InferenceLimits, retriever?: GroundingRetriever) {
    this.#engines = engines;
    this.#store = store;
    this.#limits = limits;
    this.#retriever = retriever;
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
    let result: GenerationResult;
    try {
      result = await prepared.scheduler.generate(prepared.request, call.signal);
    } catch (error) {
      throw toServiceError(error, prepared.model.id);
    }
    const record = this.#record(randomUUID(), prepared, call, result, null);
    await this.#store.save(record);
    return record;
  }

  /**
   * Streams a generation as GraphQL events. The iterator is hand-written, not an async generator:
   * a generator's `return()` waits for the pending `next()`, i.e. the next token, while a client
   * that leaves must stop the engine at once.
   */
  stream(prepared: PreparedCompletion, call: CallContext): AsyncIterableIterator<CompletionStreamEventRecord> {
    const cancel = new AbortController();
    const onClientGone = () => cancel.abort();
    call.signal.addEventListener("abort", onClientGone, { once: true });
    const upstream = prepared.scheduler.streamGeneration(prepared.request, cancel.signal);
    const completionId = randomUUID();
    let firstTokenAt: number | undefined;
    let finished = false;
    const finish = async () => {
      if (finished) return;
      finished = true;
      call.signal.removeEventListener("abort", onClientGone);
      cancel.abort();
      await upstream.return?.();
    };
    const service = this;
    const iterator: AsyncIterableIterator<CompletionStreamEventRecord> = {
      async next(): Promise<IteratorResult<CompletionStreamEventRecord>> {
        if (finished) return { done: true, value: undefined };
        let step: IteratorResult<GenerationEvent>;
        try {
          step = await upstream.next();
        } catch (error) {
          await finish();
          return { done: false, value: { __typename: "StreamFailure", error: toServiceError(error, prepared.model.id) } };
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
            return { done: false, value: { __typename: "TextDeltaEvent", completionId, index: event.index, text: event.text } };
          case "text-end": {
            const timeToFirstToken = firstTokenAt === undefined ? null : firstTokenAt - call.arrivedAt;
            const record = service.#record(completionId, prepared, call, event.result, timeToFirstToken);
            await finish();
            await service.#store.save(record);
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
    const { model, scheduler } = await resolveServingModel(this.#engines, modelName, "EMBEDDING", "model");
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
      const vectors = await Promise.all(texts.map((text) => scheduler.embed(text, call.signal)));
      return {
        modelId: model.id,
        dimensions: vectors[0]?.length ?? 0,
        vectors,
        promptTokens: counts.reduce((sum, count) => sum + count.tokens, 0),
      };
    } catch (error) {
      throw toServiceError(error, model.id);
    }
  }

  /** Tokens of each text in the model's tokenizer (any capability: collections count chunk sizes with their embedding model). */
  async countTokens(modelName: string, texts: readonly string[]): Promise<number[]> {
    if (texts.length === 0) throw badUserInput("texts", "texts must not be empty.");
    if (texts.length > this.#limits.maximumEmbeddingTexts) {
      throw badUserInput("texts", `At most ${this.#limits.maximumEmbeddingTexts} texts per request, got ${texts.length}.`);
    }
    texts.forEach((text, index) => {
      if (text.length > this.#limits.maximumTextCharacters) throw badUserInput(`texts[${index}]`, `The text has ${text.length} characters; the limit is ${this.#limits.maximumTextCharacters}.`);
    });
    const { model, scheduler } = await resolveServingModel(this.#engines, modelName, undefined, "model");
    try {
      return (await Promise.all(texts.map((text) => scheduler.countPromptTokens({ kind: "text", text })))).map((count) => count.tokens);
    } catch (error) {
      throw toServiceError(error, model.id);
    }
  }

  find(id: string, tenantId: string): Promise<CompletionRecord | undefined> {
    return this.#store.get(id, tenantId);
  }

  #record(id: string, prepared: PreparedCompletion, call: CallContext, result: GenerationResult, timeToFirstTokenMillis: number | null): CompletionRecord {
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
      createdAt: new Date().toISOString(),
    };
  }
}
