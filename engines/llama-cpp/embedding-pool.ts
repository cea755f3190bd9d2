/**
 * Embedding contexts for an embedding model. node-llama-cpp embeds one text per call per context
 * (behind a lock), so `Promise.all` on one context is serial; texts are spread over a pool of
 * contexts instead, each embedding one text at a time.
 */
import type { LlamaEmbeddingContext, LlamaModel } from "node-llama-cpp";
import { EngineError } from "../engine-error.ts";
import { linkSignals } from "./abort-signals.ts";
import { ResourcePool } from "./resource-pool.ts";

export interface EmbeddingPoolOptions {
  readonly contexts: number;
  readonly contextLength: number;
  readonly threads: number;
}

export class EmbeddingPool {
  readonly #contexts: readonly LlamaEmbeddingContext[];
  readonly #pool: ResourcePool<LlamaEmbeddingContext>;
  readonly #contextLength: number;

  private constructor(contexts: readonly LlamaEmbeddingContext[], contextLength: number) {
    this.#contexts = contexts;
    this.#pool = new ResourcePool(contexts);
    this.#contextLength = contextLength;
  }

  static async create(model: LlamaModel, options: EmbeddingPoolOptions): Promise<EmbeddingPool> {
    const contexts: LlamaEmbeddingContext[] = [];
    try {
      for (let index = 0; index < options.contexts; index += 1) {
        // A pooled embedding needs the whole input in one batch, so the batch is as long as the context.
        contexts.push(
          await model.createEmbeddingContext({ contextSize: options.contextLength, batchSize: options.contextLength, threads: options.threads }),
        );
      }
    } catch (error) {
      await Promise.all(contexts.map((context) => context.dispose()));
      const reason = error instanceof Error ? error.message : String(error);
      throw new EngineError("engine-unavailable", `llama.cpp could not create ${options.contexts} embedding contexts: ${reason}`, {
        cause: error,
      });
    }
    return new EmbeddingPool(contexts, options.contextLength);
  }

  /** Vectors in input order. Texts must be non-empty (checked by the engine). */
  async embed(texts: readonly string[], signal: AbortSignal): Promise<Float32Array[]> {
    const [firstContext] = this.#contexts;
    if (firstContext === undefined) throw new Error("An embedding pool always has a context");
    texts.forEach((text, index) => this.#checkFits(firstContext, text, index));
    // One failure stops the texts still waiting for a context.
    const linked = linkSignals([signal]);
    try {
      return await Promise.all(
        texts.map(async (text) => {
          try {
            return await this.#embedOne(text, linked.signal);
          } catch (error) {
            linked.abort();
            throw error;
          }
        }),
      );
    } finally {
      linked.dispose();
    }
  }

  async dispose(): Promise<void> {
    this.#pool.close(new EngineError("cancelled", "The engine was closed"));
    await Promise.all(this.#contexts.map((context) => context.dispose()));
  }

  async #embedOne(text: string, signal: AbortSignal): Promise<Float32Array> {
    const context = await this.#pool.acquire(signal);
    try {
      if (signal.aborted) throw new EngineError("cancelled", "Embedding was aborted");
      const embedding = await context.getEmbeddingFor(text);
      return unitLength(Float32Array.from(embedding.vector));
    } catch (error) {
      if (error instanceof EngineError) throw error;
      if (signal.aborted) throw new EngineError("cancelled", "Embedding was aborted", { cause: error });
      const reason = error instanceof Error ? error.message : String(error);
      throw new EngineError("unavailable", `llama.cpp failed while embedding: ${reason}`, { cause: error });
    } finally {
      this.#pool.release(context);
    }
  }

  /** node-llama-cpp refuses inputs that fill the whole context; refuse them first, with the numbers. */
  #checkFits(context: LlamaEmbeddingContext, text: string, index: number): void {
    const tokens = context.calculateInputLength(text);
    if (tokens < this.#contextLength) return;
    throw new EngineError(
      "context-overflow",
      `Text ${index} takes ${tokens} tokens; the embedding context length limit is ${this.#contextLength} tokens (at most ${this.#contextLength - 1} per text)`,
    );
  }
}

/**
 * The vector scaled to length 1, as llama.cpp's own server and sentence-transformers' models
 * (all-MiniLM-L6-v2 ends with a Normalize module) return them; llama.cpp's pooled output is not
 * normalised (measured norms 1.5-7.2 on MiniLM). Cosine similarity is unchanged; dot products
 * become cosines. A zero vector stays zero.
 */
function unitLength(vector: Float32Array): Float32Array {
  let sumOfSquares = 0;
  for (const value of vector) sumOfSquares += value * value;
  if (sumOfSquares === 0) return vector;
  const scale = 1 / Math.sqrt(sumOfSquares);
  for (let index = 0; index < vector.length; index += 1) vector[index] = (vector[index] ?? 0) * scale;
  return vector;
}
