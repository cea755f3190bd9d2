/**
 * An InferenceEngine backed by an OpenAI-compatible HTTP server: vLLM, SGLang, llama.cpp server,
 * Ollama (`/v1`), TGI's Messages API, or OpenAI itself.
 */
import { setMaxListeners } from "node:events";
import type OpenAI from "openai";
import { EngineError } from "../engine-error.ts";
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
import { generateBatchResults, type ArrayPromptSupport } from "./batch-generation.ts";
import { renderChatML } from "./chat-template.ts";
import { embedTexts } from "./embedding-batch.ts";
import { streamGenerationEvents } from "./generation-stream.ts";
import { createOpenAIClient } from "./openai-client.ts";
import {
  resolveOpenAICompatibleEngineOptions,
  type OpenAICompatibleEngineOptions,
  type ResolvedOpenAICompatibleEngineOptions,
} from "./openai-compatible-options.ts";
import { validateGenerationRequest } from "./request-validation.ts";
import type { RetryPolicy } from "./retry-policy.ts";
import { ServerTokenizer, serverRootUrl } from "./server-tokenizer.ts";
import { LocalTokenizer } from "./local-tokenizer.ts";
import { estimatePromptTokens, estimateTextTokens } from "./token-estimate.ts";
import { callWithRetries, type UpstreamCallSettings } from "./upstream-call.ts";
import { createRerank, operations, type UpstreamConnection } from "./upstream-requests.ts";
import { createUpstreamTransport, type UpstreamTransport } from "./upstream-transport.ts";

export class OpenAICompatibleEngine implements InferenceEngine {
  readonly #options: ResolvedOpenAICompatibleEngineOptions;
  readonly #connection: UpstreamConnection;
  /** Aborted by close(): every in-flight request listens to it. */
  readonly #closing = new AbortController();
  readonly #tokenizer: ServerTokenizer;
  readonly #callSettings: UpstreamCallSettings;
  #learnedEmbeddingDimensions: number | undefined;
  readonly #arrayPrompts: ArrayPromptSupport;
  readonly #transport: UpstreamTransport;

  constructor(options: OpenAICompatibleEngineOptions) {
    // Every in-flight request listens to the engine's close: dozens at once is normal, not a leak.
    setMaxListeners(0, this.#closing.signal);
    this.#options = resolveOpenAICompatibleEngineOptions(options);
    this.#transport = createUpstreamTransport(this.#options);
    const client: OpenAI = createOpenAIClient(this.#options, this.#transport.fetch);
    this.#connection = { client, model: this.#options.upstreamModel };
    this.#arrayPrompts = { refusedUntil: 0, refusalMemoryMillis: this.#options.arrayPromptRefusalMemoryMillis };
    const retryPolicy: RetryPolicy = {
      maxRetries: this.#options.maxRetries,
      initialBackoffMillis: this.#options.initialBackoffMillis,
      maxBackoffMillis: this.#options.maxBackoffMillis,
      random: this.#options.random,
    };
    this.#callSettings = { retryPolicy, requestTimeoutMillis: this.#options.requestTimeoutMillis, engineSignal: this.#closing.signal, logger: this.#options.logger };
    this.#tokenizer = new ServerTokenizer({
      client,
      serverRootUrl: serverRootUrl(this.#options.baseUrl),
      model: this.#options.upstreamModel,
      timeoutMillis: this.#options.tokenizeTimeoutMillis,
      engineSignal: this.#closing.signal,
    });
  }

  describe(): EngineDescription {
    return {
      kind: "openai-compatible",
      contextLength: this.#options.contextLength,
      embeddingDimensions: this.#options.embeddingDimensions ?? this.#learnedEmbeddingDimensions,
    };
  }

  async *streamGeneration(request: GenerationRequest, signal?: AbortSignal): AsyncGenerator<GenerationEvent, void, undefined> {
    this.#assertOpen();
    validateGenerationRequest(request);
    yield* streamGenerationEvents(
      {
        connection: this.#connection,
        retryPolicy: this.#callSettings.retryPolicy,
        requestTimeoutMillis: this.#options.requestTimeoutMillis,
        requestStreamUsage: this.#options.requestStreamUsage,
        contextLength: this.#options.contextLength,
        engineSignal: this.#closing.signal,
        countPromptTokens: (prompt) => this.countPromptTokens(prompt),
        countCompletionTokens: (text) => this.countCompletionTokens(text),
        logger: this.#options.logger,
      },
      request,
      signal,
    );
  }

  async generateBatch(requests: readonly GenerationRequest[], signal?: AbortSignal): Promise<GenerationResult[]> {
    this.#assertOpen();
    for (const request of requests) validateGenerationRequest(request);
    if (requests.length === 0) return [];
    return generateBatchResults(
      {
        connection: this.#connection,
        call: this.#callSettings,
        arrayPrompts: this.#arrayPrompts,
        stream: (request, streamSignal) => this.streamGeneration(request, streamSignal),
      },
      requests,
      signal,
    );
  }

  /**
   * `POST /rerank` under the API base (`/v1/rerank`) in the Jina / Cohere shape, which llama.cpp
   * server (`--reranking`), vLLM and Infinity serve; TGI's `/rerank` (another shape) is not spoken.
   * Servers report probabilities (vLLM, Cohere, Jina) or logits (llama.cpp server): a reply with a
   * score outside [0, 1] is read as logits and passed through the sigmoid, so scores are always
   * probabilities as the interface says. A server without the endpoint answers 404: `invalid-request`.
   */
  async rank(query: string, documents: readonly string[], signal?: AbortSignal): Promise<number[]> {
    this.#assertOpen();
    if (documents.length === 0) return [];
    const scores = await callWithRetries(this.#callSettings, operations.rerank, (attemptSignal) => createRerank(this.#connection, query, documents, attemptSignal), signal);
    return scores.every((score) => score >= 0 && score <= 1) ? scores : scores.map((logit) => 1 / (1 + Math.exp(-logit)));
  }

  async embedBatch(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    this.#assertOpen();
    return embedTexts(
      {
        connection: this.#connection,
        call: this.#callSettings,
        maxInputsPerCall: this.#options.maxEmbeddingInputsPerCall,
        expectedDimensions: () => this.#options.embeddingDimensions ?? this.#learnedEmbeddingDimensions,
        learnDimensions: (dimensions) => {
          this.#learnedEmbeddingDimensions ??= dimensions;
        },
      },
      texts,
      signal,
    );
  }

  /**
   * Exact from the local tokenizer file when the registry names one (no network), else from the
   * server's tokenizer endpoint where it has one; otherwise ~4 characters per token plus chat
   * overhead, `exact: false`.
   */
  async countPromptTokens(prompt: GenerationPrompt): Promise<TokenCount> {
    this.#assertOpen();
    const local = await this.#localTokenizer();
    if (local !== undefined) return { tokens: local.countPrompt(prompt), exact: true };
    const tokens = await this.#tokenizer.count(prompt);
    if (tokens !== undefined) return { tokens, exact: true };
    return { tokens: estimatePromptTokens(prompt), exact: false };
  }

  /** Tokens of generated text when the server reported no usage: local tokenizer, server endpoint, estimate. */
  async countCompletionTokens(text: string): Promise<TokenCount> {
    if (text === "") return { tokens: 0, exact: true };
    const local = await this.#localTokenizer();
    if (local !== undefined) return { tokens: local.countCompletion(text), exact: true };
    const tokens = await this.#tokenizer.countCompletion(text);
    if (tokens !== undefined) return { tokens, exact: true };
    return { tokens: estimateTextTokens(text), exact: false };
  }

  #localTokenizerLoad: Promise<LocalTokenizer> | undefined;

  #localTokenizer(): Promise<LocalTokenizer | undefined> {
    const { tokenizerPath, chatTemplate } = this.#options;
    if (tokenizerPath === undefined) return Promise.resolve(undefined);
    this.#localTokenizerLoad ??= LocalTokenizer.open(tokenizerPath, chatTemplate);
    return this.#localTokenizerLoad;
  }

  /**
   * A ChatML rendering. The server applies the model's real template to the `messages` we send, so this
   * is the approximation the token estimates assume, not necessarily the text the model sees.
   */
  async applyChatTemplate(messages: readonly ChatMessage[]): Promise<string> {
    this.#assertOpen();
    return renderChatML(messages);
  }

  /** Aborts in-flight requests (they end as cancelled) and refuses new ones; idempotent. */
  async close(): Promise<void> {
    this.#closing.abort();
    this.#transport.close();
    const local = this.#localTokenizerLoad;
    this.#localTokenizerLoad = undefined;
    await local?.then((tokenizer) => tokenizer.close()).catch(() => undefined);
  }

  #assertOpen(): void {
    if (this.#closing.signal.aborted) throw new EngineError("engine-unavailable", "the OpenAI-compatible engine is closed");
  }
}
