/**
 * The one interface every inference engine implements (llama.cpp in-process, OpenAI-compatible
 * servers). The batching scheduler and the subgraphs see engines only through it.
 */

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** What to continue: raw text (completion) or a conversation (chat, formatted by the model's template). */
export type GenerationPrompt = { kind: "text"; text: string } | { kind: "chat"; messages: ChatMessage[] };

export interface GenerationParameters {
  /** Most tokens to generate. */
  maxTokens: number;
  /** Sampling temperature, 0 (greedy) to 2. Engine default when unset. */
  temperature?: number;
  /** Nucleus sampling mass, (0, 1]. Engine default when unset. */
  topP?: number;
  /** Generation ends before any of these strings; the stop string is not part of the text. */
  stop?: string[];
  /** Seed of the sampler: the same seed, prompt and parameters give the same text. */
  seed?: number;
}

export interface GenerationRequest {
  prompt: GenerationPrompt;
  parameters: GenerationParameters;
  /**
   * Cancels this request alone inside a `generateBatch` call (the batch's own signal cancels all).
   * Engines that decode requests independently (llama.cpp sequences) stop its work and free its
   * slot, finishing it as `cancelled`; engines that send the batch as one upstream call
   * (OpenAI-compatible `/completions`) cannot, and the caller drops its result.
   */
  signal?: AbortSignal;
}

/** Why generation ended: a stop sequence or end-of-sequence token, the token limit, or the caller aborted. */
export type FinishReason = "stop" | "length" | "cancelled";

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /**
   * Present (true) when a count is the ~4-characters-per-token estimate: the server reported no
   * usage and no tokenizer was at hand. Billing and quotas treat such counts with a margin.
   */
  estimated?: true;
}

export interface GenerationResult {
  text: string;
  finishReason: FinishReason;
  usage: TokenUsage;
}

/** Stream events, named noun-then-verb; the deltas joined equal the non-streamed text for the same seed. */
export type GenerationEvent =
  | { type: "text-start" }
  | { type: "text-delta"; index: number; text: string }
  | { type: "text-end"; result: GenerationResult };

export interface TokenCount {
  tokens: number;
  /** False when the engine cannot tokenize exactly (some remote servers) and `tokens` is an estimate. */
  exact: boolean;
}

export interface EngineDescription {
  /** `llama-cpp` or `openai-compatible`. */
  kind: "llama-cpp" | "openai-compatible";
  /** Context length in tokens the engine serves (may be below the model's trained length). */
  contextLength: number;
  /** Length of embedding vectors, or undefined when the engine does not embed. */
  embeddingDimensions: number | undefined;
  /** How chats are rendered, for the logs (e.g. "the model file's Jinja chat template"). */
  chatTemplate?: string;
}

export interface InferenceEngine {
  describe(): EngineDescription;

  /**
   * Streams one generation. Aborting `signal` stops the work on the engine (frees its sequence,
   * closes the upstream request), not just the reading; the stream then ends with `finishReason: "cancelled"`.
   */
  streamGeneration(request: GenerationRequest, signal?: AbortSignal): AsyncIterable<GenerationEvent>;

  /** Generates for several prompts in one call where the engine can; results in request order. */
  generateBatch(requests: readonly GenerationRequest[], signal?: AbortSignal): Promise<GenerationResult[]>;

  /** Embeds several texts in one call where the engine can; vectors in input order. */
  embedBatch(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;

  /**
   * Scores each document's relevance to `query` with a reranker (cross-encoder): one score per
   * document, in input order, higher = more relevant. Scores are probabilities in [0, 1] (the
   * sigmoid of the model's relevance logit), comparable across queries of the same model only.
   * Present on engines that can rerank; an engine whose model is not a reranker throws
   * EngineError `invalid-request`.
   */
  rank?(query: string, documents: readonly string[], signal?: AbortSignal): Promise<number[]>;

  /** Tokens `prompt` takes once formatted (chat template applied). */
  countPromptTokens(prompt: GenerationPrompt): Promise<TokenCount>;

  /** The conversation as the model sees it, formatted with the model's chat template. */
  applyChatTemplate(messages: readonly ChatMessage[]): Promise<string>;

  /** Releases the model and connections. */
  close(): Promise<void>;
}
