/**
 * The in-process llama.cpp engine (node-llama-cpp): one shared model, one generation context whose
 * sequences are decoded together, a pool of embedding contexts for embedding models, and a
 * ranking context for rerankers (rank pooling).
 */
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
import { EngineError } from "../engine-error.ts";
import { linkSignals, sharedAbortController } from "./abort-signals.ts";
import { EmbeddingPool } from "./embedding-pool.ts";
import { GenerationContext, type GenerationContextStatistics } from "./generation-context.ts";
import { planGeneration, type GenerationPlan } from "./generation-plan.ts";
import {
  resolveContextLength,
  resolveEngineOptions,
  type LlamaCppEngineOptions,
  type ResolvedLlamaCppEngineOptions,
} from "./llama-cpp-options.ts";
import { supportsEmbeddings, supportsRanking } from "./model-capabilities.ts";
import { RankingContext } from "./ranking-context.ts";
import { PromptFormatter } from "./prompt-formatter.ts";
import { cpuBudget } from "./cpu-budget.ts";
import { llamaRuntime } from "./llama-instances.ts";
import { acquireSharedModel, type SharedModelLease } from "./shared-models.ts";

export type { LlamaCppEngineOptions, LlamaGpuMode } from "./llama-cpp-options.ts";
export { sharedModelStatistics, type SharedModelStatistics } from "./shared-models.ts";

/** Counters of the generation context, for tests, benchmarks and metrics. All zero before the context exists. */
export type LlamaCppEngineStatistics = GenerationContextStatistics;

const emptyStatistics: LlamaCppEngineStatistics = {
  sequences: 0,
  busySequences: 0,
  peakBusySequences: 0,
  waitingGenerations: 0,
  evaluatedTokens: 0,
  decodeBatches: 0,
  batchedSequences: 0,
  largestBatchSequences: 0,
};

export class LlamaCppEngine implements InferenceEngine {
  readonly #options: ResolvedLlamaCppEngineOptions;
  readonly #modelLease: SharedModelLease;
  readonly #formatter: PromptFormatter;
  readonly #contextLength: number;
  readonly #embeds: boolean;
  readonly #ranks: boolean;
  /** Aborted by `close`: every running call listens to it besides its caller's signal. */
  readonly #closing = sharedAbortController();
  #generationContext: Promise<GenerationContext> | undefined;
  #createdGenerationContext: GenerationContext | undefined;
  #embeddingPool: Promise<EmbeddingPool> | undefined;
  #rankingContext: Promise<RankingContext> | undefined;
  #closed: Promise<void> | undefined;

  private constructor(options: ResolvedLlamaCppEngineOptions, modelLease: SharedModelLease, contextLength: number) {
    this.#options = options;
    this.#modelLease = modelLease;
    this.#contextLength = contextLength;
    this.#formatter = new PromptFormatter(modelLease.model, options.chatTemplate === undefined ? {} : { chatTemplate: options.chatTemplate });
    this.#embeds = supportsEmbeddings(modelLease.model);
    this.#ranks = supportsRanking(modelLease.model);
  }

  /**
   * Loads (or shares) the model and, for generation models, creates the generation context, so a
   * misconfigured engine fails here rather than on its first request.
   */
  static async open(options: LlamaCppEngineOptions): Promise<LlamaCppEngine> {
    const resolved = resolveEngineOptions(options);
    const modelLease = await acquireSharedModel(resolved.modelPath, resolved.gpu, options.logger);
    try {
      const engine = new LlamaCppEngine(resolved, modelLease, resolveContextLength(resolved, modelLease.model.trainContextSize));
      const runtime = await llamaRuntime(resolved.gpu);
      // The start-up line an operator checks on a GPU node: which backend runs and how much of the model it holds.
      options.logger?.info("llama.cpp model loaded", {
        modelPath: resolved.modelPath,
        requestedGpu: resolved.gpu,
        backend: runtime.gpu === false ? "cpu" : runtime.gpu,
        offloadedLayers: modelLease.model.gpuLayers,
        totalLayers: modelLease.model.fileInsights.totalLayers,
        threads: resolved.threads,
        processThreads: runtime.maxThreads,
        // Where the thread budget came from: the cores, capped by the container's CPU quota.
        ...cpuBudgetFields(),
      });
      // Embedding models and rerankers rarely generate: their generation context is made on first use.
      if (!engine.#embeds && !engine.#ranks) await engine.#generation();
      return engine;
    } catch (error) {
      await modelLease.release();
      throw error;
    }
  }

  describe(): EngineDescription {
    return {
      kind: "llama-cpp",
      contextLength: this.#contextLength,
      embeddingDimensions: this.#embeds ? this.#modelLease.model.embeddingVectorSize : undefined,
      ...(this.#embeds || this.#ranks ? {} : { chatTemplate: this.#formatter.describeChatTemplate() }),
    };
  }

  /** "jinja" when chats use the model's own template (file or registry), else the built-in wrapper's name, e.g. "ChatML". */
  get chatTemplateName(): string {
    return this.#formatter.chatTemplateName;
  }

  statistics(): LlamaCppEngineStatistics {
    return this.#createdGenerationContext?.statistics() ?? emptyStatistics;
  }

  streamGeneration(request: GenerationRequest, signal?: AbortSignal): AsyncIterable<GenerationEvent> {
    return this.#stream(request, signal);
  }

  async generateBatch(requests: readonly GenerationRequest[], signal?: AbortSignal): Promise<GenerationResult[]> {
    this.#ensureOpen();
    // Every request is checked before any is decoded, so one bad request fails the batch without wasted work.
    const plans = requests.map((request) => this.#plan(request));
    const context = await this.#generation();
    // A failure stops the batch's other generations instead of letting them run on unobserved.
    const linked = linkSignals([signal, this.#closing.signal]);
    try {
      return await Promise.all(
        plans.map(async (plan, index) => {
          // Each sequence also listens to its own request's signal: one caller leaving frees its sequence.
          const own = linkSignals([linked.signal, requests[index]?.signal]);
          try {
            return await collectResult(context.run(plan, own.signal));
          } catch (error) {
            linked.abort();
            throw error;
          } finally {
            own.dispose();
          }
        }),
      );
    } finally {
      linked.dispose();
    }
  }

  async embedBatch(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    this.#ensureOpen();
    if (!this.#embeds) {
      throw new EngineError("invalid-request", "This model does not produce embeddings (its GGUF file sets no pooling type)");
    }
    texts.forEach((text, index) => {
      if (typeof text !== "string" || text.length === 0) throw new EngineError("invalid-request", `Text ${index} is empty`);
    });
    if (texts.length === 0) return [];
    const pool = await this.#embeddings();
    const linked = linkSignals([signal, this.#closing.signal]);
    try {
      return await pool.embed(texts, linked.signal);
    } finally {
      linked.dispose();
    }
  }

  /** Probabilities in [0, 1] from node-llama-cpp's ranking context (sigmoid of the model's logit); see InferenceEngine.rank. */
  async rank(query: string, documents: readonly string[], signal?: AbortSignal): Promise<number[]> {
    this.#ensureOpen();
    if (!this.#ranks) {
      throw new EngineError("invalid-request", "This model is not a reranker (its GGUF file's pooling type is not rank)");
    }
    if (typeof query !== "string" || query.length === 0) throw new EngineError("invalid-request", "The query is empty");
    documents.forEach((document, index) => {
      if (typeof document !== "string" || document.length === 0) throw new EngineError("invalid-request", `Document ${index} is empty`);
    });
    if (documents.length === 0) return [];
    this.#rankingContext ??= RankingContext.create(this.#modelLease.model, { contextLength: this.#contextLength, threads: this.#options.threads });
    const context = await this.#rankingContext;
    const linked = linkSignals([signal, this.#closing.signal]);
    try {
      return await context.rank(query, documents, linked.signal);
    } finally {
      linked.dispose();
    }
  }

  async countPromptTokens(prompt: GenerationPrompt): Promise<TokenCount> {
    this.#ensureOpen();
    return { tokens: this.#formatter.format(prompt).tokens.length, exact: true };
  }

  async applyChatTemplate(messages: readonly ChatMessage[]): Promise<string> {
    this.#ensureOpen();
    return this.#formatter.applyChatTemplate(messages);
  }

  /**
   * Cancels running generations (they end with finishReason "cancelled"), rejects waiting ones,
   * frees the contexts and lets go of the shared model. Safe to call more than once.
   */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async *#stream(request: GenerationRequest, signal: AbortSignal | undefined): AsyncGenerator<GenerationEvent, void, undefined> {
    this.#ensureOpen();
    const plan = this.#plan(request);
    const context = await this.#generation();
    const linked = linkSignals([signal, this.#closing.signal]);
    try {
      yield* context.run(plan, linked.signal);
    } finally {
      linked.dispose();
    }
  }

  #plan(request: GenerationRequest): GenerationPlan {
    return planGeneration(request, this.#formatter, this.#contextLength);
  }

  #generation(): Promise<GenerationContext> {
    this.#generationContext ??= GenerationContext.create(this.#modelLease.model, {
      contextLength: this.#contextLength,
      sequences: this.#options.sequences,
      threads: this.#options.threads,
      batchSize: this.#options.batchSize,
    }).then((context) => {
      this.#createdGenerationContext = context;
      return context;
    });
    return this.#generationContext;
  }

  #embeddings(): Promise<EmbeddingPool> {
    this.#embeddingPool ??= EmbeddingPool.create(this.#modelLease.model, {
      contexts: this.#options.embeddingContexts,
      contextLength: this.#contextLength,
      threads: this.#options.threads,
    });
    return this.#embeddingPool;
  }

  #ensureOpen(): void {
    if (this.#closed !== undefined) throw new EngineError("engine-unavailable", "The engine is closed");
  }

  async #close(): Promise<void> {
    this.#closing.abort();
    const [generation, embeddings, ranking] = await Promise.allSettled([
      this.#generationContext ?? Promise.resolve(undefined),
      this.#embeddingPool ?? Promise.resolve(undefined),
      this.#rankingContext ?? Promise.resolve(undefined),
    ]);
    // Disposing waits for a decode in flight to finish its batch; generations then see their aborted signal.
    if (generation.status === "fulfilled") await generation.value?.dispose();
    if (embeddings.status === "fulfilled") await embeddings.value?.dispose();
    if (ranking.status === "fulfilled") await ranking.value?.dispose();
    await this.#modelLease.release();
  }
}

async function collectResult(events: AsyncIterable<GenerationEvent>): Promise<GenerationResult> {
  for await (const event of events) {
    if (event.type === "text-end") return event.result;
  }
  throw new Error("A generation always ends with text-end");
}

function cpuBudgetFields(): Record<string, unknown> {
  const { cpus, cores, quotaCpus } = cpuBudget();
  return { cpus, cores, ...(quotaCpus === undefined ? {} : { cpuQuota: quotaCpus }) };
}
