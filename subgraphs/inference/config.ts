import { commonEnvironment, toCommonConfig, type CommonConfig } from "../../platform/config/common-config.ts";
import { peerServiceEnvironment, peerServiceUrl } from "../../platform/config/peer-service-url.ts";
import { booleanVariable, integerVariable, parseEnvironment, portVariable } from "../../platform/config/parse-environment.ts";
import { engineEnvironment, toEngineConfig, type EngineConfig } from "../../engines/engine-config.ts";
import { defaultInferenceLimits, type InferenceLimits } from "./inference-limits.ts";
import { toWarmUpSettings, warmUpEnvironment, type WarmUpSettings } from "./warm-up/warm-up-settings.ts";
import { responseCacheEnvironment, toResponseCacheConfig, type ResponseCacheConfig } from "./cache/response-cache-settings.ts";

export interface InferenceConfig extends CommonConfig {
  /** Port of the subgraph's HTTP and WebSocket server. Default 4002. */
  port: number;
  engines: EngineConfig;
  limits: InferenceLimits;
  /** How long finished completions stay readable by id, in milliseconds. Default 86400000 (24 hours). */
  completionRetentionMillis: number;
  /** GraphQL endpoint of the retrieval subgraph, which grounded completions search. `RETRIEVAL_URL`, else `http://127.0.0.1:<RETRIEVAL_PORT>/graphql` (default port 4003). */
  retrievalUrl: string;
  /** Admit calls unchecked when the quota store is unreachable (true), or refuse them (false, the default): quotas fail closed. */
  quotaFailOpen: boolean;
  /** Usage events held in memory while their transport (Redis) is down, oldest dropped beyond. Default 10,000. */
  usageBufferMaxEvents: number;
  /** Charge calls that failed after engine work (record not saved, engine broke off) for their tokens. BILL_FAILED_COMPLETIONS. Default false: recorded FAILED with their tokens, cost zero. */
  billFailedCalls: boolean;
  /** How long a concurrent-stream slot stays held without renewal, in milliseconds (renewed every third of it while the stream runs). STREAM_SLOT_LEASE_SECONDS. Default 30,000. */
  streamSlotLeaseMillis: number;
  /** Models loaded before /readyz reports ready (WARM_UP_MODELS, WARM_UP_MAX_MODELS, WARM_UP_RETRY_SECONDS). Default: none. */
  warmUp: WarmUpSettings;
  /** The exact response cache (RESPONSE_CACHE_MAX_TTL_SECONDS; embedded: RESPONSE_CACHE_MAX_ENTRIES, RESPONSE_CACHE_MAX_BYTES). */
  responseCache: ResponseCacheConfig;
}

/** Every variable the inference subgraph reads. */
export const inferenceEnvironment = {
  ...commonEnvironment,
  ...engineEnvironment,
  INFERENCE_PORT: portVariable(4002),
  MAX_EMBEDDING_TEXTS: integerVariable(defaultInferenceLimits.maximumEmbeddingTexts, 1, 100_000),
  MAX_TEXT_CHARACTERS: integerVariable(defaultInferenceLimits.maximumTextCharacters, 1, 100_000_000),
  MAX_REQUEST_CHARACTERS: integerVariable(defaultInferenceLimits.maximumRequestCharacters, 1, 1_000_000_000),
  MAX_EMBEDDING_REQUEST_TOKENS: integerVariable(defaultInferenceLimits.maximumEmbeddingRequestTokens, 1, 100_000_000),
  EMBEDDING_REQUEST_BUDGET_MILLIS: integerVariable(defaultInferenceLimits.embeddingRequestBudgetMillis, 0, 3_600_000),
  DEFAULT_MAX_TOKENS: integerVariable(defaultInferenceLimits.defaultMaxTokens, 1, 1_000_000),
  COMPLETION_RETENTION_MILLIS: integerVariable(86_400_000, 1_000, 30 * 86_400_000),
  ...peerServiceEnvironment("retrieval"),
  QUOTA_FAIL_OPEN: booleanVariable(false),
  USAGE_BUFFER_MAX_EVENTS: integerVariable(10_000, 1, 10_000_000),
  BILL_FAILED_COMPLETIONS: booleanVariable(false),
  STREAM_SLOT_LEASE_SECONDS: integerVariable(30, 3, 3_600),
  ...warmUpEnvironment,
  ...responseCacheEnvironment,
};

export function loadInferenceConfig(environment: NodeJS.ProcessEnv = process.env): InferenceConfig {
  const values = parseEnvironment(inferenceEnvironment, environment);
  return {
    ...toCommonConfig(values),
    port: values.INFERENCE_PORT,
    engines: toEngineConfig(values),
    limits: {
      ...defaultInferenceLimits,
      maximumEmbeddingTexts: values.MAX_EMBEDDING_TEXTS,
      maximumTextCharacters: values.MAX_TEXT_CHARACTERS,
      maximumRequestCharacters: values.MAX_REQUEST_CHARACTERS,
      maximumEmbeddingRequestTokens: values.MAX_EMBEDDING_REQUEST_TOKENS,
      embeddingRequestBudgetMillis: values.EMBEDDING_REQUEST_BUDGET_MILLIS,
      defaultMaxTokens: values.DEFAULT_MAX_TOKENS,
    },
    completionRetentionMillis: values.COMPLETION_RETENTION_MILLIS,
    retrievalUrl: peerServiceUrl(values, "retrieval"),
    quotaFailOpen: values.QUOTA_FAIL_OPEN,
    usageBufferMaxEvents: values.USAGE_BUFFER_MAX_EVENTS,
    billFailedCalls: values.BILL_FAILED_COMPLETIONS,
    streamSlotLeaseMillis: values.STREAM_SLOT_LEASE_SECONDS * 1_000,
    warmUp: toWarmUpSettings(values),
    responseCache: toResponseCacheConfig(values),
  };
}
