/**
 * Options of the in-process llama.cpp engine, their defaults and validation.
 */
import type { Logger } from "../../platform/logging/logger.ts";
import { EngineError } from "../engine-error.ts";
import { availableCpus } from "./cpu-budget.ts";

/**
 * Where llama.cpp runs. "cpu" never touches a GPU; "cuda" requires an NVIDIA GPU and the prebuilt
 * CUDA binary (`@node-llama-cpp/linux-x64-cuda`) and fails instead of falling back to the CPU;
 * "auto" uses whichever prebuilt GPU backend works here and otherwise the CPU.
 */
export type LlamaGpuMode = "cpu" | "cuda" | "auto";

export const llamaGpuModes: readonly LlamaGpuMode[] = ["cpu", "cuda", "auto"];

export interface LlamaCppEngineOptions {
  /** Path of the GGUF model file. Required. Engines given the same file (and gpu mode) share one loaded copy. */
  modelPath: string;
  /** Where to run. Default "cpu". */
  gpu?: LlamaGpuMode;
  /**
   * Tokens one generation may hold, prompt plus completion, in tokens (each sequence gets this much KV cache).
   * Default: the model's trained context length, capped at `maxDefaultContextLength`.
   * Must not exceed the trained context length.
   */
  contextLength?: number;
  /**
   * Cap on the default `contextLength`, in tokens. Models trained on 128k tokens would otherwise reserve
   * 128k tokens of KV cache per sequence. Ignored when `contextLength` is given. Default 8192.
   */
  maxDefaultContextLength?: number;
  /** Parallel sequences in the one generation context: generations decoded together in one batch. Default 8. */
  sequences?: number;
  /**
   * Embedding contexts in the pool; each embeds one text at a time, so this is the embedding parallelism.
   * Created on the first `embedBatch`, and only for models with a pooling type (embedding models). Default 1.
   */
  embeddingContexts?: number;
  /**
   * CPU threads per context, in threads. Default: the CPUs this process may use (cores capped by the
   * cgroup CPU quota, see cpu-budget.ts). node-llama-cpp's own default
   * is max(4, cores): on a 2-core machine that oversubscribes the CPU and is ~100x slower.
   */
  threads?: number;
  /** Most tokens decoded in one llama.cpp batch, summed over all sequences. Default min(512, contextLength x sequences). */
  batchSize?: number;
  /** A Jinja chat template used instead of the file's `tokenizer.chat_template`. Default: the file's. */
  chatTemplate?: string;
  /** Receives the start-up line (backend, offloaded layers, threads) and the `auto` fallback warning. Default: none. */
  logger?: Logger;
}

/** Options with every default applied except the context length, which needs the loaded model. */
export interface ResolvedLlamaCppEngineOptions {
  readonly modelPath: string;
  readonly gpu: LlamaGpuMode;
  readonly contextLength: number | undefined;
  readonly maxDefaultContextLength: number;
  readonly sequences: number;
  readonly embeddingContexts: number;
  readonly threads: number;
  readonly batchSize: number | undefined;
  readonly chatTemplate: string | undefined;
}

export const defaultSequences = 8;
export const defaultEmbeddingContexts = 1;
export const defaultMaxDefaultContextLength = 8192;

export function resolveEngineOptions(options: LlamaCppEngineOptions): ResolvedLlamaCppEngineOptions {
  if (typeof options.modelPath !== "string" || options.modelPath.length === 0) {
    throw new EngineError("invalid-request", "modelPath must be a non-empty string");
  }
  const gpu = options.gpu ?? "cpu";
  if (!llamaGpuModes.includes(gpu)) {
    throw new EngineError("invalid-request", `gpu must be one of ${llamaGpuModes.join(", ")}, got ${String(gpu)}`);
  }
  return {
    modelPath: options.modelPath,
    gpu,
    contextLength: optionalPositiveInteger("contextLength", options.contextLength),
    maxDefaultContextLength: optionalPositiveInteger("maxDefaultContextLength", options.maxDefaultContextLength) ?? defaultMaxDefaultContextLength,
    sequences: optionalPositiveInteger("sequences", options.sequences) ?? defaultSequences,
    embeddingContexts: optionalPositiveInteger("embeddingContexts", options.embeddingContexts) ?? defaultEmbeddingContexts,
    threads: optionalPositiveInteger("threads", options.threads) ?? availableCpus(),
    batchSize: optionalPositiveInteger("batchSize", options.batchSize),
    chatTemplate: optionalTemplate(options.chatTemplate),
  };
}

/** The context length to serve, once the model's trained length is known. */
export function resolveContextLength(options: ResolvedLlamaCppEngineOptions, trainedContextLength: number): number {
  if (options.contextLength === undefined) {
    return Math.min(trainedContextLength, options.maxDefaultContextLength);
  }
  // Beyond the trained length the model's positions are untrained and the output degrades silently.
  if (options.contextLength > trainedContextLength) {
    throw new EngineError(
      "invalid-request",
      `contextLength ${options.contextLength} exceeds the model's trained context length of ${trainedContextLength} tokens`,
    );
  }
  return options.contextLength;
}

function optionalPositiveInteger(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new EngineError("invalid-request", `${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function optionalTemplate(template: string | undefined): string | undefined {
  if (template === undefined) return undefined;
  if (typeof template !== "string" || template.trim() === "") throw new EngineError("invalid-request", "chatTemplate must be a non-empty string");
  return template;
}
