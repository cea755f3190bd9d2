/**
 * Options of the OpenAI-compatible engine, their defaults and validation.
 */
import type { Logger } from "../../platform/logging/logger.ts";
import { defaultEgressPolicy, EgressGuard, EgressRefusedError, type EgressPolicy } from "../../platform/network/egress-policy.ts";
import type { ResolveHost } from "../../platform/network/guarded-lookup.ts";
import { EngineError } from "../engine-error.ts";

export interface OpenAICompatibleEngineOptions {
  /**
   * Base URL of the server's OpenAI API including the version path, e.g. `http://127.0.0.1:8000/v1`
   * (vLLM, SGLang, llama.cpp server, Ollama, TGI) or `https://api.openai.com/v1`. Required.
   * `/tokenize` is looked up on the server root: this URL without a trailing `/v1`.
   */
  readonly baseUrl: string;
  /** Model name sent as `model` in every request (vLLM's `--served-model-name`, an Ollama tag). Required. */
  readonly upstreamModel: string;
  /** Bearer token sent as `Authorization: Bearer <apiKey>`. Default: none, and no Authorization header is sent. */
  readonly apiKey?: string;
  /** Context length in tokens the server serves (vLLM `--max-model-len`, llama.cpp `--ctx-size`). Required, a positive integer. */
  readonly contextLength: number;
  /**
   * Length of the embedding vectors the model returns; every vector is checked against it.
   * Default: undefined — the length of the first reply is learned and then enforced.
   */
  readonly embeddingDimensions?: number;
  /**
   * Milliseconds one attempt may take. Plain calls: the whole request and reply. Streams: the wait for
   * the reply headers and then for each next chunk (a long generation that keeps sending is never cut).
   * Default 60000.
   */
  readonly requestTimeoutMillis?: number;
  /** Retries after the first attempt for retryable failures (connection errors, 5xx, 429, timeouts); 0 disables them. Default 2. */
  readonly maxRetries?: number;
  /** Backoff ceiling before the first retry, in milliseconds; it doubles per retry and the wait is 50–100 % of it (jitter). Default 500. */
  readonly initialBackoffMillis?: number;
  /**
   * Longest single backoff wait, in milliseconds. A `retry-after` longer than this is not waited out here:
   * the call fails with `rate-limited` and `retryAfterMillis` so the scheduler decides. Default 8000.
   */
  readonly maxBackoffMillis?: number;
  /** Most texts sent in one `/embeddings` call; longer batches are split into calls of this size, sent one after another. Default 256. */
  readonly maxEmbeddingInputsPerCall?: number;
  /** Milliseconds a `/tokenize` (or llama.cpp `/apply-template`) call may take before the count falls back to an estimate. Default 5000. */
  readonly tokenizeTimeoutMillis?: number;
  /** Ask for `stream_options: {include_usage: true}` so the server reports exact usage in the last chunk; turn off for servers that reject the field. Default true. */
  readonly requestStreamUsage?: boolean;
  /** How long, in milliseconds, a server's refusal of an array `prompt` is remembered before one array call is tried again. Default 600000 (10 minutes). */
  readonly arrayPromptRefusalMemoryMillis?: number;
  /**
   * A GGUF file of the served model (absolute path), loaded for its vocabulary and chat template only:
   * exact token counts for servers whose streams carry no usage and that cannot tokenize chats
   * (llama-cpp-python). Default: none.
   */
  readonly tokenizerPath?: string;
  /** A Jinja chat template for the local tokenizer, instead of its file's. Default: the file's. */
  readonly chatTemplate?: string;
  /**
   * Which addresses the engine may connect to: `baseUrl`'s host is checked when the engine is created,
   * and every address it resolves to when a connection opens (DNS rebinding). Redirects are never
   * followed. Default: public addresses only (`defaultEgressPolicy`); services read it from
   * ENGINE_ALLOWED_HOSTS and ENGINE_ALLOW_PUBLIC_NETWORKS.
   */
  readonly network?: EgressPolicy;
  /** Host-name resolution for connections (tests inject one). Default: the system resolver (`dns.lookup`). */
  readonly resolveHost?: ResolveHost;
  /**
   * fetch used for every HTTP request instead of the guarded transport (tests inject one): `network`
   * is then NOT enforced. Default: a node:http transport that enforces `network`.
   */
  readonly fetch?: typeof fetch;
  /** Where upstream failures are logged, with the upstream's error text that clients never see. Default: none. */
  readonly logger?: Logger;
  /** Random numbers in [0, 1) for backoff jitter (tests make it deterministic). Default Math.random. */
  readonly random?: () => number;
}

export interface ResolvedOpenAICompatibleEngineOptions {
  readonly baseUrl: string;
  readonly upstreamModel: string;
  readonly apiKey: string | undefined;
  readonly contextLength: number;
  readonly embeddingDimensions: number | undefined;
  readonly requestTimeoutMillis: number;
  readonly maxRetries: number;
  readonly initialBackoffMillis: number;
  readonly maxBackoffMillis: number;
  readonly maxEmbeddingInputsPerCall: number;
  readonly tokenizeTimeoutMillis: number;
  readonly requestStreamUsage: boolean;
  readonly arrayPromptRefusalMemoryMillis: number;
  readonly tokenizerPath: string | undefined;
  readonly chatTemplate: string | undefined;
  readonly egressGuard: EgressGuard;
  readonly resolveHost: ResolveHost | undefined;
  /** A replacement transport, or undefined for the guarded one. */
  readonly fetch: typeof fetch | undefined;
  readonly logger: Logger | undefined;
  readonly random: () => number;
}

export const defaultOpenAICompatibleEngineOptions = {
  requestTimeoutMillis: 60_000,
  maxRetries: 2,
  initialBackoffMillis: 500,
  maxBackoffMillis: 8_000,
  maxEmbeddingInputsPerCall: 256,
  tokenizeTimeoutMillis: 5_000,
  requestStreamUsage: true,
  arrayPromptRefusalMemoryMillis: 600_000,
} as const;

function invalidOption(message: string): EngineError {
  // A misconfigured engine cannot run at all; retrying would not help.
  return new EngineError("engine-unavailable", `OpenAI-compatible engine: ${message}`);
}

function requireInteger(name: string, value: number, minimum: number): number {
  if (!Number.isInteger(value) || value < minimum) throw invalidOption(`${name} must be an integer >= ${minimum}, got ${String(value)}`);
  return value;
}

function guardFor(policy: EgressPolicy): EgressGuard {
  try {
    return new EgressGuard(policy);
  } catch (error) {
    throw new EngineError("engine-unavailable", `OpenAI-compatible engine: the network policy is invalid: ${(error as Error).message}`, { cause: error });
  }
}

/** The check without DNS; the message stays generic because it reaches API clients (the refusal is the cause). */
function checkBaseUrl(guard: EgressGuard, baseUrl: URL): void {
  try {
    guard.checkUrl(baseUrl);
  } catch (error) {
    if (!(error instanceof EgressRefusedError)) throw error;
    throw new EngineError("engine-unavailable", "OpenAI-compatible engine: the baseUrl's host is not allowed by this server's engine network policy (ENGINE_ALLOWED_HOSTS)", { cause: error });
  }
}

export function resolveOpenAICompatibleEngineOptions(options: OpenAICompatibleEngineOptions): ResolvedOpenAICompatibleEngineOptions {
  let baseUrl: URL;
  try {
    baseUrl = new URL(options.baseUrl);
  } catch (error) {
    throw new EngineError("engine-unavailable", `OpenAI-compatible engine: baseUrl is not a URL: ${options.baseUrl}`, { cause: error });
  }
  if (baseUrl.protocol !== "http:" && baseUrl.protocol !== "https:") throw invalidOption(`baseUrl must be http(s), got ${options.baseUrl}`);
  if (options.upstreamModel.trim() === "") throw invalidOption("upstreamModel must not be empty");
  const egressGuard = guardFor(options.network ?? defaultEgressPolicy);
  const defaults = defaultOpenAICompatibleEngineOptions;
  const resolved: ResolvedOpenAICompatibleEngineOptions = {
    // The SDK appends paths to the base URL, so a trailing slash would double up.
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    upstreamModel: options.upstreamModel,
    apiKey: options.apiKey,
    contextLength: requireInteger("contextLength", options.contextLength, 1),
    embeddingDimensions:
      options.embeddingDimensions === undefined ? undefined : requireInteger("embeddingDimensions", options.embeddingDimensions, 1),
    requestTimeoutMillis: requireInteger("requestTimeoutMillis", options.requestTimeoutMillis ?? defaults.requestTimeoutMillis, 1),
    maxRetries: requireInteger("maxRetries", options.maxRetries ?? defaults.maxRetries, 0),
    initialBackoffMillis: requireInteger("initialBackoffMillis", options.initialBackoffMillis ?? defaults.initialBackoffMillis, 0),
    maxBackoffMillis: requireInteger("maxBackoffMillis", options.maxBackoffMillis ?? defaults.maxBackoffMillis, 0),
    maxEmbeddingInputsPerCall: requireInteger(
      "maxEmbeddingInputsPerCall",
      options.maxEmbeddingInputsPerCall ?? defaults.maxEmbeddingInputsPerCall,
      1,
    ),
    tokenizeTimeoutMillis: requireInteger("tokenizeTimeoutMillis", options.tokenizeTimeoutMillis ?? defaults.tokenizeTimeoutMillis, 1),
    requestStreamUsage: options.requestStreamUsage ?? defaults.requestStreamUsage,
    arrayPromptRefusalMemoryMillis: requireInteger("arrayPromptRefusalMemoryMillis", options.arrayPromptRefusalMemoryMillis ?? defaults.arrayPromptRefusalMemoryMillis, 0),
    tokenizerPath: options.tokenizerPath,
    chatTemplate: options.chatTemplate,
    egressGuard,
    resolveHost: options.resolveHost,
    fetch: options.fetch,
    logger: options.logger,
    random: options.random ?? Math.random,
  };
  if (resolved.maxBackoffMillis < resolved.initialBackoffMillis) {
    throw invalidOption(`maxBackoffMillis (${resolved.maxBackoffMillis}) must be >= initialBackoffMillis (${resolved.initialBackoffMillis})`);
  }
  if (options.fetch === undefined) checkBaseUrl(egressGuard, baseUrl);
  return resolved;
}
