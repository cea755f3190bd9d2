/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** What a grounded completion does when the evidence is below its threshold. */
export type AbstainFallback =
  /** Let the model answer from its own knowledge, without sources: no citations. */
  | 'ANSWER_UNGROUNDED'
  /** Generate nothing: the completion's `text` is empty, `finishReason` ABSTAINED, no tokens are used. */
  | 'NO_ANSWER';

export type AliasSplitInput = {
  alias: string;
  /** 1 to 4 arms. */
  arms: Array<SplitArmInput>;
  stickiness?: SplitStickiness | null | undefined;
};

/**
 * Opt in to the exact response cache. The key is the tenant, the model's id and version (any change to
 * the model in the registry makes a new version, so earlier answers are never served for it) and the
 * request as the engine gets it (prompt or messages after grounding, and every sampling parameter);
 * tenants never share entries. A cached answer uses no engine time and is metered as a cache hit: no
 * tokens, no cost.
 */
export type CacheInput = {
  /**
   * Also serve the answer of an earlier request that means the same (a paraphrase): one of the same
   * tenant, model version, system prompt and parameters whose conversation's embedding has at least
   * this cosine similarity to this one's, 0.5 to 1. A hit on a question that only reads alike serves a
   * wrong answer: with all-MiniLM-L6-v2, 0.95 served none on the project's labelled set while 0.9
   * answered "when does the store close?" with the opening time (docs/BENCHMARKS.md). Needs
   * SEMANTIC_CACHE_EMBEDDING_MODEL on the inference service; completions and completion streams.
   */
  minSimilarity?: number | null | undefined;
  /**
   * How old a cached answer may be, and how long this answer is kept, in seconds: 1 to
   * RESPONSE_CACHE_MAX_TTL_SECONDS (default 86400).
   */
  ttlSeconds: number;
};

export type CacheKind =
  /** Same tenant, model version and normalised request. */
  | 'EXACT'
  /** Same tenant, model version, system prompt and parameters, and a conversation that means the same (`CacheInput.minSimilarity`). */
  | 'SEMANTIC';

export type ChatMessageInput = {
  content: string;
  role: ChatRole;
};

export type ChatRole =
  | 'ASSISTANT'
  | 'SYSTEM'
  | 'USER';

export type CollectionMigrationStatus =
  /** The collection uses the target model; the previous storage is gone. */
  | 'COMPLETED'
  /**
   * Stopped before switching (see `error`): the collection keeps its model and every chunk. Also a
   * migration whose service stopped before it ended (SERVICE_UNAVAILABLE).
   */
  | 'FAILED'
  /**
   * Embedding. Searches use the current model; the collection takes no ingestions or deletions
   * (MIGRATION_IN_PROGRESS) until the migration ends.
   */
  | 'RUNNING';

/** What to generate. Give either `prompt` (completion) or `messages` (chat), not both. */
export type CompletionInput = {
  /**
   * Serve the answer from the exact response cache when this tenant made the same request to the same
   * model version within `ttlSeconds`, and keep this answer for later ones (see `CacheInput`). Only for
   * deterministic requests: `temperature` 0 (given or the model's default) or a `seed`; otherwise the
   * request fails with BAD_USER_INPUT. Absent: the model's `responseCacheTtlSeconds`, when it has one
   * and the request is deterministic (else the cache is neither read nor written); `null`: no cache,
   * whatever the model's default.
   */
  cache?: CacheInput | null | undefined;
  /** Answer from a retrieval collection; the completion's `citations` list the chunks given to the model. */
  grounding?: GroundingInput | null | undefined;
  /** Most tokens to generate. Default: the model's default, else 256. */
  maxTokens?: number | null | undefined;
  /** Conversation to answer, formatted with the model's chat template. */
  messages?: Array<ChatMessageInput> | null | undefined;
  /** Model id or alias. */
  model: string | number;
  /** Text to continue. */
  prompt?: string | null | undefined;
  /**
   * Sampler seed. On a llama.cpp model, the same seed, input and model give the same text, streamed
   * or not, when the request is decoded alone (no other generation on that model at the same time).
   * Greedy decoding (temperature 0) is under the same rule. While other generations run on the model, the text can
   * differ: llama.cpp decodes concurrent requests in one batch and its arithmetic is not
   * batch-invariant (measured on SmolLM2-135M: 0 of 8 seeded requests arriving 30 ms apart matched
   * the alone result). OpenAI-compatible servers keep their own promise, usually best effort.
   */
  seed?: number | null | undefined;
  /** Generation ends before any of these strings (at most 16). */
  stop?: Array<string> | null | undefined;
  /** Sampling temperature, 0 (greedy) to 2. */
  temperature?: number | null | undefined;
  /** Nucleus sampling mass, greater than 0 and at most 1. */
  topP?: number | null | undefined;
};

export type CreateCollectionInput = {
  /** Largest chunk in tokens, 16 to 8,192 and at most the model's context length. Default 256. */
  chunkMaxTokens?: number | null | undefined;
  /** Overlap between consecutive chunks in tokens, 0 to half of `chunkMaxTokens`. Default 32. */
  chunkOverlapTokens?: number | null | undefined;
  description?: string | null | undefined;
  /** Registry id or alias of a model with the EMBEDDING capability. */
  embeddingModel: string | number;
  /** See `Collection.groundingMinSimilarity`: -1 to 1. Default null (no default threshold). */
  groundingMinSimilarity?: number | null | undefined;
  /** Letters, digits, `_`, `-` and `.`; 1 to 100 characters; unique within the tenant. */
  name: string;
};

export type DocumentMediaType =
  /** Markdown: headings start new sections; each chunk records the headings above it. */
  | 'TEXT_MARKDOWN'
  /** Plain text: paragraphs separated by blank lines. */
  | 'TEXT_PLAIN';

export type DocumentStatus =
  /** The last ingestion failed (see `ingestion.error`). A document that was READY before keeps serving that version. */
  | 'FAILED'
  /** The first ingestion is running; searches do not see the document yet. */
  | 'INGESTING'
  /** Searchable. A re-ingestion may be running (see `ingestion`); searches see the previous version until it completes. */
  | 'READY';

export type EngineKind =
  /** llama.cpp in-process (node-llama-cpp), CPU or CUDA. */
  | 'LLAMA_CPP'
  /** Any server speaking the OpenAI HTTP API: vLLM, SGLang, llama.cpp server, Ollama, TGI, OpenAI. */
  | 'OPENAI_COMPATIBLE';

/**
 * Every `extensions.code` the graph puts on its errors (besides those of the GraphQL layer itself:
 * GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, PERSISTED_QUERY_NOT_FOUND,
 * PERSISTED_QUERY_NOT_SUPPORTED, OPERATION_RESOLUTION_FAILURE). Part of the public API: a code never
 * changes meaning. `extensions.retryable` says whether repeating the operation unchanged may succeed.
 */
export type ErrorCode =
  /** An id or alias is already taken by another model (as its id or one of its aliases). */
  | 'ALIAS_CONFLICT'
  /**
   * The HTTP request itself is malformed: a body that is not JSON, a method other than GET or POST
   * (status 405), a body Apollo Server cannot read as an operation. Apollo Server uses this code too.
   */
  | 'BAD_REQUEST'
  /** An argument is malformed or out of range; `extensions.field` names it. */
  | 'BAD_USER_INPUT'
  /**
   * The model cannot do what was asked (an embedding model asked to chat); `extensions.capabilities`
   * lists what it can.
   */
  | 'CAPABILITY_NOT_SUPPORTED'
  /** The tenant already has a collection with this name; `extensions.collectionId` names it. */
  | 'COLLECTION_ALREADY_EXISTS'
  /**
   * The collection id matches no collection of the caller's tenant (another tenant's collections are
   * never revealed).
   */
  | 'COLLECTION_NOT_FOUND'
  /**
   * Prompt plus `maxTokens` exceed the model's context; `extensions.promptTokens` and `contextLength`
   * give the counts.
   */
  | 'CONTEXT_LENGTH_EXCEEDED'
  /** The document id matches no document of the caller's tenant. */
  | 'DOCUMENT_NOT_FOUND'
  /** A document is over the size limit; `extensions.maximumBytes` and `actualBytes` give the sizes. */
  | 'DOCUMENT_TOO_LARGE'
  /**
   * The embedding model returned vectors of another length than the collection's;
   * `extensions.expected` and `actual` give them.
   */
  | 'EMBEDDING_DIMENSION_MISMATCH'
  /** The model's engine cannot run (file missing, GPU absent, upstream refuses our credentials). */
  | 'ENGINE_UNAVAILABLE'
  /** The caller is known but lacks the role the operation needs. */
  | 'FORBIDDEN'
  /**
   * A migration cannot begin while documents of the collection are being ingested;
   * `extensions.documentIds` names some. Retryable.
   */
  | 'INGESTION_IN_PROGRESS'
  /**
   * A document's ingestion did not complete within INGESTION_TIMEOUT_MILLIS (or the service running it
   * stopped); nothing of it was kept. `extensions.timeoutMillis` gives the limit. Ingest it again.
   */
  | 'INGESTION_TIMED_OUT'
  /** A bug: the error was not expected. The message is generic; details are in the server log. */
  | 'INTERNAL_SERVER_ERROR'
  | 'MAX_ALIASES_EXCEEDED'
  /**
   * An HTTP request carried more operations than MAX_BATCH_OPERATIONS (1 turns batching off);
   * `extensions.maximum`, `found`.
   */
  | 'MAX_BATCH_OPERATIONS_EXCEEDED'
  | 'MAX_DEPTH_EXCEEDED'
  | 'MAX_DIRECTIVES_EXCEEDED'
  /**
   * The document breaks one of the gateway's operation limits (tokens, depth, aliases, root fields,
   * directives, fragment depth), checked before validation and planning; `extensions.maximum` is the
   * limit, `found` the document's.
   */
  | 'MAX_DOCUMENT_TOKENS_EXCEEDED'
  /**
   * The operation's estimated result holds more objects than MAX_FAN_OUT (lists multiply);
   * `extensions.maximum`, `estimated`.
   */
  | 'MAX_FAN_OUT_EXCEEDED'
  | 'MAX_FRAGMENT_DEPTH_EXCEEDED'
  | 'MAX_ROOT_FIELDS_EXCEEDED'
  /**
   * The collection is moving to another embedding model (`migrateCollection`): it takes no
   * ingestions or deletions, and no other migration, until that ends; searches keep working.
   * `extensions.migrationId`, `chunksEmbedded`, `chunksTotal`. Retryable.
   */
  | 'MIGRATION_IN_PROGRESS'
  /**
   * A migration's new index found fewer of the exact nearest neighbours than its `minimumRecall`
   * (recall@10 on a sample of chunks): it was not switched to; the collection keeps its model.
   */
  | 'MIGRATION_RECALL_TOO_LOW'
  /** A model with this id already exists. */
  | 'MODEL_ALREADY_EXISTS'
  /** The model exists but is disabled in the registry. */
  | 'MODEL_DISABLED'
  /** The model id or alias matches no model. */
  | 'MODEL_NOT_FOUND'
  /**
   * The operation's estimated cost is over a per-operation ceiling. `extensions.limit` names it
   * (COST_SCORE, MODEL_TOKENS or COST_MICROS), with `maximum` and `estimated`; nothing ran.
   */
  | 'OPERATION_COST_EXCEEDED'
  /** The service cannot take more work right now; `extensions.retryAfterMillis` says when to retry. */
  | 'OVERLOADED'
  /**
   * The request body is larger than MAX_REQUEST_BODY_BYTES (status 413); `extensions.maximumBytes`
   * gives the limit.
   */
  | 'PAYLOAD_TOO_LARGE'
  /**
   * The request's `documentId` (or APQ hash, in `only` mode) is not in the persisted documents
   * manifest; HTTP 400.
   */
  | 'PERSISTED_DOCUMENT_NOT_FOUND'
  /**
   * PERSISTED_DOCUMENTS_MODE=only and the request's document is not in the manifest: send its
   * `documentId`; HTTP 400.
   */
  | 'PERSISTED_DOCUMENT_REQUIRED'
  /**
   * A tenant quota would be exceeded. `extensions.limit` names it (TOKENS_PER_MINUTE, TOKENS_PER_DAY,
   * COST_PER_MONTH, CONCURRENT_STREAMS), with `limitValue`, `used`, `requested`, and `resetsAt` /
   * `retryAfterMillis` when the window resets (null for streams: when one ends).
   */
  | 'QUOTA_EXCEEDED'
  /**
   * Too many requests (status 429) for an API key, a tenant, or (unauthenticated) a client address,
   * per minute or in flight at once. `extensions.policy` names the limit (as in the `RateLimit`
   * header), `retryAfterMillis` says when to retry (also in `Retry-After`, in seconds).
   */
  | 'RATE_LIMITED'
  /** The client cancelled or went away; no result was produced. */
  | 'REQUEST_CANCELLED'
  /**
   * One embeddings or tokenCounts call asks for more engine work than one request may: more characters
   * or tokens in all than MAX_REQUEST_CHARACTERS / MAX_EMBEDDING_REQUEST_TOKENS, or an estimated
   * engine time over EMBEDDING_REQUEST_BUDGET_MILLIS. `extensions.details` names the `limit`, with
   * `maximum` and `requested`; nothing ran on the engine. Split the texts over calls.
   */
  | 'REQUEST_TOO_LARGE'
  /** A dependency (store, engine, subgraph) failed or is unreachable. */
  | 'SERVICE_UNAVAILABLE'
  /**
   * The shared store (Redis) is full: it reached its `maxmemory` and refuses writes. Not retryable:
   * it stays full until an operator raises `maxmemory` or shortens the retention, or keys expire. A
   * call refused this way is never charged.
   */
  | 'STORE_FULL'
  /**
   * A subscription's client did not take events as fast as they came; `extensions.maxBufferedEvents`
   * says how many were held.
   */
  | 'SUBSCRIPTION_BUFFER_OVERFLOW'
  /** A subscription was sent over HTTP without asking for a stream: accept `text/event-stream` (SSE) or `multipart/mixed;subscriptionSpec="1.0"` (multipart), or use graphql-ws on the same URL. */
  | 'SUBSCRIPTION_OVER_HTTP'
  /** The WebSocket already has `extensions.maxOperations` operations in flight. */
  | 'TOO_MANY_OPERATIONS'
  /** No credentials, or credentials that match no API key. */
  | 'UNAUTHENTICATED'
  /** `expectedVersion` is not the model's current version: someone else changed it first. */
  | 'VERSION_CONFLICT';

export type FinishReason =
  /** Grounding abstained with `onAbstain: NO_ANSWER`: nothing was generated (see `Completion.grounding`). */
  | 'ABSTAINED'
  /** The client went away or cancelled. */
  | 'CANCELLED'
  /** The `maxTokens` limit. */
  | 'LENGTH'
  /** A stop sequence or the model's end-of-sequence token. */
  | 'STOP';

export type GenerationParametersInput = {
  maxTokens?: number | null | undefined;
  stop?: Array<string> | null | undefined;
  temperature?: number | null | undefined;
  topP?: number | null | undefined;
};

/**
 * Ground a completion in a retrieval collection: the best chunks for the query are put in the prompt
 * (as many as fit the model's context after the prompt and `maxTokens`), numbered so the model can
 * cite them, and returned as the completion's `citations`.
 */
export type GroundingInput = {
  collectionId: string | number;
  /** Only chunks of documents matching every filter. */
  filters?: Array<MetadataFilterInput> | null | undefined;
  /** Chunks scoring below this are left out (the scale depends on `mode`). */
  minScore?: number | null | undefined;
  /**
   * Answer or abstain: when the best evidence found (the highest cosine similarity between the query
   * and any chunk of the collection, within the filters) is below this, nothing is put in the prompt
   * and `onAbstain` decides what happens. -1 to 1. Default: the collection's
   * `groundingMinSimilarity`; with neither, the completion never abstains. all-MiniLM-L6-v2 on this
   * project's labelled set: questions a document answers scored 0.15 to 0.73 (58 of 60 at 0.3 or more),
   * off-topic ones 0.08 to 0.46 (10 of 12 below 0.3); see docs/BENCHMARKS.md.
   */
  minSimilarity?: number | null | undefined;
  /** Default HYBRID. */
  mode?: SearchMode | null | undefined;
  /** What to do when the completion abstains. Default NO_ANSWER. */
  onAbstain?: AbstainFallback | null | undefined;
  /** What to search for. Default: the prompt, or the last user message. */
  query?: string | null | undefined;
  /**
   * Reorders the search's best chunks with a reranker before the best `topK` go into the prompt
   * (`SearchInput.rerank`). Off when absent.
   */
  rerank?: RerankInput | null | undefined;
  /** Chunks to retrieve, 1 to 20. Default 4. */
  topK?: number | null | undefined;
};

export type GroundingStatus =
  /** The best evidence was below the threshold: no chunk was put in the prompt. */
  | 'ABSTAINED'
  /** The best chunks were put in the prompt (see `citations`). */
  | 'GROUNDED';

export type IngestDocumentInput = {
  collectionId: string | number;
  /** UTF-8 text, non-empty, at most the server's MAX_DOCUMENT_BYTES. */
  content: string;
  /** Default TEXT_MARKDOWN. */
  mediaType?: DocumentMediaType | null | undefined;
  metadata?: Array<MetadataEntryInput> | null | undefined;
  /** Ingesting a source already in the collection replaces that document, atomically. */
  source: string;
  title?: string | null | undefined;
  /**
   * When true (the default) the mutation returns once the document is searchable, or fails with the
   * ingestion's error. When false it returns at once with the ingestion running; poll `document(id)`.
   */
  waitForCompletion?: boolean | null | undefined;
};

export type MetadataEntryInput = {
  /** Letters, digits, `_`, `-` and `.`; at most 64 characters. */
  key: string;
  /** At most 1,024 characters. */
  value: string;
};

/** Matches documents whose metadata value for `key` is one of `values`. */
export type MetadataFilterInput = {
  key: string;
  /** One to 100 values. */
  values: Array<string>;
};

export type MigrateCollectionInput = {
  collectionId: string | number;
  /** Id or alias of an enabled embedding model other than the collection's. */
  embeddingModel: string;
  /** The least recall@10, 0 to 1, the new index must reach before the collection switches to it. */
  minimumRecall?: number | null | undefined;
};

export type ModelCapability =
  | 'CHAT'
  | 'COMPLETION'
  | 'EMBEDDING'
  /** Scores how relevant documents are to a query (a cross-encoder reranker): `rerank`, and `SearchInput.rerank`. */
  | 'RERANKING';

export type ModelDeploymentInput = {
  /** An OPENAI_COMPATIBLE engine that leaves out `apiKey` keeps the key stored for the deployment of that name. */
  engine: ModelEngineInput;
  maxConcurrentRequests?: number | null | undefined;
  name: string;
  priority?: number | null | undefined;
  weight?: number | null | undefined;
};

export type ModelEngineInput = {
  /** Write-only: stored for the engine, never returned. */
  apiKey?: string | null | undefined;
  baseUrl?: string | null | undefined;
  /** A Jinja chat template used instead of the GGUF file's (see ModelEngine.chatTemplate). Leave out to use the file's. */
  chatTemplate?: string | null | undefined;
  kind: EngineKind;
  modelPath?: string | null | undefined;
  /** OPENAI_COMPATIBLE: a GGUF file of the served model, for exact token counts (see ModelEngine.tokenizerPath). */
  tokenizerPath?: string | null | undefined;
  upstreamModel?: string | null | undefined;
};

export type ModelFilter = {
  /** Models having every one of these capabilities. */
  capabilities?: Array<ModelCapability> | null | undefined;
  family?: string | null | undefined;
  /** Models in any of these statuses. */
  statuses?: Array<ModelStatus> | null | undefined;
};

export type ModelPricingInput = {
  currency?: string | null | undefined;
  inputPerMillionTokens: number;
  outputPerMillionTokens: number;
};

export type ModelStatus =
  /** Serves requests. */
  | 'ACTIVE'
  /** Serves requests, but clients should move to another model. */
  | 'DEPRECATED'
  /** Refuses requests. */
  | 'DISABLED';

export type RegisterModelInput = {
  /** Splits of some of its aliases among other models (each alias at most once). */
  aliasSplits?: Array<AliasSplitInput> | null | undefined;
  aliases?: Array<string> | null | undefined;
  capabilities: Array<ModelCapability>;
  contextLength: number;
  defaultParameters?: GenerationParametersInput | null | undefined;
  /** Several engines that serve the model (at most 16, names unique); or give `engine` instead. */
  deployments?: Array<ModelDeploymentInput> | null | undefined;
  displayName: string;
  embeddingDimensions?: number | null | undefined;
  /** The one engine that serves the model; or give `deployments` instead. */
  engine?: ModelEngineInput | null | undefined;
  family: string;
  id: string | number;
  pricing: ModelPricingInput;
  /** 1 to 2,592,000 (30 days); see Model.responseCacheTtlSeconds. */
  responseCacheTtlSeconds?: number | null | undefined;
  routing?: RoutingStrategy | null | undefined;
  status?: ModelStatus | null | undefined;
};

export type RerankInput = {
  /**
   * How many of the search's best hits the reranker reads, `topK` to 100. Default: `topK`, at least 20.
   * Each chunk is read up to the reranker's context length (longer chunks are cut for it).
   */
  candidates?: number | null | undefined;
  /** Id or alias of a model with the RERANKING capability. */
  model: string;
};

export type RoutingStrategy =
  /** Each call to the deployment with the fewest calls in flight for its `maxConcurrentRequests`. */
  | 'LEAST_BUSY'
  /** Each call to a deployment drawn in proportion to its weight. */
  | 'WEIGHTED';

export type SearchInput = {
  /**
   * A previous page's `pageInfo.endCursor`, with the same input otherwise: the hits after that page.
   * Each page runs the search again: pages are consistent unless the collection changed in between.
   */
  after?: string | null | undefined;
  collectionId: string | number;
  /** Only chunks of documents matching every filter. */
  filters?: Array<MetadataFilterInput> | null | undefined;
  /** Hits in this page, 1 to 100. Default: all of `topK`. */
  first?: number | null | undefined;
  /**
   * Most UTF-8 bytes of each hit's `text`: 64 to 65,536. Default 8,192. Longer chunk texts are cut at a
   * character boundary and the hit's `textTruncated` is true (`chunk.text` is always whole).
   */
  maxTextBytes?: number | null | undefined;
  /** Hits scoring below this are left out (the scale depends on `mode`). */
  minScore?: number | null | undefined;
  /** Default HYBRID. */
  mode?: SearchMode | null | undefined;
  query: string;
  /**
   * Reorders the search's best hits with a reranker (a cross-encoder reading query and chunk together):
   * more precise, and slower (one model evaluation per candidate). Off when absent.
   */
  rerank?: RerankInput | null | undefined;
  /** Hits ranked, over all pages: 1 to 100. Default 10. */
  topK?: number | null | undefined;
};

export type SearchMode =
  /**
   * Both: each list's scores normalised to 0-1 (min-max within its candidates), then combined with a
   * weight of 0.85 on the vector score and 0.15 on the keyword score; `score` is the combination (0 to
   * 1, comparable within one search only). Weights chosen on a labelled set (docs/BENCHMARKS.md).
   */
  | 'HYBRID'
  /** Full-text search; `score` is BM25 (unbounded, comparable within one search only). */
  | 'KEYWORD'
  /** Nearest chunks to the query's embedding; `score` is the cosine similarity (-1 to 1). */
  | 'VECTOR';

export type SplitArmInput = {
  modelId: string | number;
  percent: number;
};

/** What a split keeps together: every request of one tenant, or of one API key, goes to the same arm. */
export type SplitStickiness =
  | 'API_KEY'
  | 'TENANT';

export type TenantQuotaInput = {
  /** 1 or more; null for unlimited. */
  concurrentStreams?: number | null | undefined;
  /** Greater than 0; null for unlimited. */
  costPerMonth?: number | null | undefined;
  tenantId: string | number;
  /** 1 or more; null for unlimited. */
  tokensPerDay?: number | null | undefined;
  /** 1 or more; null for unlimited. */
  tokensPerMinute?: number | null | undefined;
};

/** Fields left out keep their current value. */
export type UpdateModelInput = {
  /** Replaces every split ([] removes them): the change reaches every replica on its next request. */
  aliasSplits?: Array<AliasSplitInput> | null | undefined;
  aliases?: Array<string> | null | undefined;
  capabilities?: Array<ModelCapability> | null | undefined;
  contextLength?: number | null | undefined;
  defaultParameters?: GenerationParametersInput | null | undefined;
  /** Replaces every deployment. */
  deployments?: Array<ModelDeploymentInput> | null | undefined;
  displayName?: string | null | undefined;
  embeddingDimensions?: number | null | undefined;
  /** Replaces the engine of a model with one deployment; a model with several takes `deployments`. */
  engine?: ModelEngineInput | null | undefined;
  family?: string | null | undefined;
  pricing?: ModelPricingInput | null | undefined;
  /** null removes the model's default cache TTL. */
  responseCacheTtlSeconds?: number | null | undefined;
  routing?: RoutingStrategy | null | undefined;
};

export type UsageDimension =
  | 'MODEL'
  | 'TENANT';

export type UsageGranularity =
  /** One row per UTC day. */
  | 'DAY'
  /** One row per UTC hour. */
  | 'HOUR'
  /** One row for the whole range. */
  | 'TOTAL';

export type UsageQueryInput = {
  /** Admins only: every tenant. */
  allTenants?: boolean | null | undefined;
  /** Inclusive; rounded down to the hour. */
  from: string;
  /** Default DAY. */
  granularity?: UsageGranularity | null | undefined;
  /** Default [MODEL]. */
  groupBy?: Array<UsageDimension> | null | undefined;
  /** Only this model. */
  modelId?: string | number | null | undefined;
  /** Admins only: this tenant instead of their own. */
  tenantId?: string | number | null | undefined;
  /** Exclusive. At most 400 days after `from`. */
  to: string;
};

export type BenchRegisterMutationVariables = Exact<{
  input: RegisterModelInput;
}>;


export type BenchRegisterMutation = { registerModel: { id: string } | null };

export type RegisterFetchedModelMutationVariables = Exact<{
  input: RegisterModelInput;
}>;


export type RegisterFetchedModelMutation = { registerModel: { id: string, version: number, contextLength: number, embeddingDimensions: number | null, engine: { modelPath: string | null } } | null };

export type ClientStackRegisterMutationVariables = Exact<{
  input: RegisterModelInput;
}>;


export type ClientStackRegisterMutation = { registerModel: { id: string } | null };

export type ClientStackCompletionMutationVariables = Exact<{
  input: CompletionInput;
}>;


export type ClientStackCompletionMutation = { createCompletion: { id: string, text: string } | null };

export type ClientStackModelsQueryVariables = Exact<{ [key: string]: never; }>;


export type ClientStackModelsQuery = { models: { totalCount: number } | null };

export type ClientStackEventsSubscriptionVariables = Exact<{
  input: CompletionInput;
}>;


export type ClientStackEventsSubscription = { completionStream:
    | { __typename: 'TextDeltaEvent', id: string, completionId: string, index: number, text: string }
    | { __typename: 'TextEndEvent', id: string, completionId: string, completion: { id: string, text: string } }
    | { __typename: 'TextStartEvent', id: string, completionId: string }
   };

export type InstallableRegisterMutationVariables = Exact<{
  input: RegisterModelInput;
}>;


export type InstallableRegisterMutation = { registerModel: { id: string } | null };

export type FetchedModelQueryVariables = Exact<{
  id: string | number;
}>;


export type FetchedModelQuery = { model: { id: string, family: string, capabilities: Array<ModelCapability>, contextLength: number, embeddingDimensions: number | null, engine: { kind: EngineKind, modelPath: string | null } } | null };

export type RegisterInferenceModelMutationVariables = Exact<{
  input: RegisterModelInput;
}>;


export type RegisterInferenceModelMutation = { registerModel: { id: string, version: number } | null };

export type SetInferenceModelStatusMutationVariables = Exact<{
  id: string | number;
  status: ModelStatus;
}>;


export type SetInferenceModelStatusMutation = { setModelStatus: { id: string, status: ModelStatus } | null };

export type CreateCompletionMutationVariables = Exact<{
  input: CompletionInput;
}>;


export type CreateCompletionMutation = { createCompletion: { id: string, text: string, finishReason: FinishReason, latencyMillis: number, timeToFirstTokenMillis: number | null, createdAt: string, usage: { promptTokens: number, completionTokens: number, totalTokens: number }, model: { id: string, displayName: string, pricing: { inputPerMillionTokens: number, currency: string } } | null } | null };

export type CompletionByIdQueryVariables = Exact<{
  id: string | number;
}>;


export type CompletionByIdQuery = { completion: { id: string, text: string, model: { id: string } | null } | null };

export type EmbeddingsQueryVariables = Exact<{
  model: string | number;
  texts: Array<string> | string;
}>;


export type EmbeddingsQuery = { embeddings: { dimensions: number, embeddings: Array<{ index: number, vector: Array<number> }>, usage: { promptTokens: number }, model: { id: string, displayName: string } | null } | null };

export type RegisterModelMutationVariables = Exact<{
  input: RegisterModelInput;
}>;


export type RegisterModelMutation = { registerModel: { id: string, version: number, aliases: Array<string>, status: ModelStatus, createdAt: string, engine: { kind: EngineKind, modelPath: string | null, baseUrl: string | null, upstreamModel: string | null, hasApiKey: boolean }, pricing: { inputPerMillionTokens: number, outputPerMillionTokens: number, currency: string } } | null };

export type ModelByNameQueryVariables = Exact<{
  id: string | number;
}>;


export type ModelByNameQuery = { model: { id: string, displayName: string, version: number, status: ModelStatus, contextLength: number, embeddingDimensions: number | null, capabilities: Array<ModelCapability> } | null };

export type ListModelsQueryVariables = Exact<{
  filter?: ModelFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ListModelsQuery = { models: { totalCount: number, nodes: Array<{ id: string }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null };

export type UpdateModelMutationVariables = Exact<{
  id: string | number;
  expectedVersion: number;
  input: UpdateModelInput;
}>;


export type UpdateModelMutation = { updateModel: { id: string, version: number, displayName: string, aliases: Array<string> } | null };

export type SetModelStatusMutationVariables = Exact<{
  id: string | number;
  status: ModelStatus;
}>;


export type SetModelStatusMutation = { setModelStatus: { id: string, status: ModelStatus, version: number } | null };

export type DeleteModelMutationVariables = Exact<{
  id: string | number;
  expectedVersion?: number | null | undefined;
}>;


export type DeleteModelMutation = { deleteModel: { id: string } | null };

export type RegisterCachedModelMutationVariables = Exact<{
  input: RegisterModelInput;
}>;


export type RegisterCachedModelMutation = { registerModel: { id: string, version: number } | null };

export type UpdateCachedModelMutationVariables = Exact<{
  id: string | number;
  expectedVersion: number;
  input: UpdateModelInput;
}>;


export type UpdateCachedModelMutation = { updateModel: { id: string, version: number } | null };

export type CachedCompletionMutationVariables = Exact<{
  input: CompletionInput;
}>;


export type CachedCompletionMutation = { createCompletion: { id: string, text: string, finishReason: FinishReason, usage: { promptTokens: number, completionTokens: number }, cost: { amountMicros: number } | null, cache: { hit: boolean, kind: CacheKind | null, ttlSeconds: number | null } | null } | null };

export type CachedCompletionByIdQueryVariables = Exact<{
  id: string | number;
}>;


export type CachedCompletionByIdQuery = { completion: { id: string, text: string, cache: { hit: boolean, kind: CacheKind | null } | null } | null };

export type CachedEmbeddingsQueryVariables = Exact<{
  model: string | number;
  texts: Array<string> | string;
  cache?: CacheInput | null | undefined;
}>;


export type CachedEmbeddingsQuery = { embeddings: { embeddings: Array<{ index: number, vector: Array<number> }>, usage: { promptTokens: number }, cache: { hit: boolean, kind: CacheKind | null, ttlSeconds: number | null } | null } | null };

export type CachedCompletionStreamSubscriptionVariables = Exact<{
  input: CompletionInput;
}>;


export type CachedCompletionStreamSubscription = { completionStream:
    | { __typename: 'TextDeltaEvent', index: number, text: string }
    | { __typename: 'TextEndEvent', completion: { id: string, text: string, cache: { hit: boolean, kind: CacheKind | null } | null } }
    | { __typename: 'TextStartEvent' }
   };

export type CacheUsageQueryVariables = Exact<{
  input: UsageQueryInput;
}>;


export type CacheUsageQuery = { usage: { totals: { requests: number, cacheHits: number, cacheHitRate: number, promptTokens: number, completionTokens: number, costs: Array<{ amountMicros: number }> } } | null };

export type RegisterRetrievalModelMutationVariables = Exact<{
  input: RegisterModelInput;
}>;


export type RegisterRetrievalModelMutation = { registerModel: { id: string } | null };

export type CreateCollectionMutationVariables = Exact<{
  input: CreateCollectionInput;
}>;


export type CreateCollectionMutation = { createCollection: { id: string, name: string, dimensions: number, chunkMaxTokens: number, chunkOverlapTokens: number, embeddingModel: { id: string, displayName: string } | null } | null };

export type IngestDocumentMutationVariables = Exact<{
  input: IngestDocumentInput;
}>;


export type IngestDocumentMutation = { ingestDocument: { id: string, source: string, title: string | null, mediaType: DocumentMediaType, status: DocumentStatus, chunkCount: number, tokenCount: number, characterCount: number, contentHash: string | null, metadata: Array<{ key: string, value: string }>, ingestion: { chunksEmbedded: number, chunksTotal: number | null, error: { code: ErrorCode, message: string } | null } | null, collection: { id: string, name: string } } | null };

export type DocumentByIdQueryVariables = Exact<{
  id: string | number;
}>;


export type DocumentByIdQuery = { document: { id: string, status: DocumentStatus, chunkCount: number, ingestion: { chunksEmbedded: number, chunksTotal: number | null, error: { code: ErrorCode } | null } | null } | null };

export type CollectionDocumentsQueryVariables = Exact<{
  id: string | number;
  filters?: Array<MetadataFilterInput> | MetadataFilterInput | null | undefined;
}>;


export type CollectionDocumentsQuery = { collection: { id: string, documentCount: number, metadataKeys: Array<string>, documents: { totalCount: number, nodes: Array<{ id: string, source: string, status: DocumentStatus }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null } | null };

export type SearchQueryVariables = Exact<{
  input: SearchInput;
}>;


export type SearchQuery = { search: { mode: SearchMode, hits: Array<{ score: number, vectorRank: number | null, keywordRank: number | null, chunk: { id: string, index: number, text: string, headingPath: Array<string>, tokenCount: number, document: { id: string, source: string, title: string | null, metadata: Array<{ key: string, value: string }> } } }> } | null };

export type DeleteDocumentMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteDocumentMutation = { deleteDocument: boolean | null };

export type DeleteCollectionMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteCollectionMutation = { deleteCollection: boolean | null };

export type GroundedCompletionMutationVariables = Exact<{
  input: CompletionInput;
}>;


export type GroundedCompletionMutation = { createCompletion: { id: string, text: string, usage: { promptTokens: number }, citations: Array<{ id: string, text: string, document: { source: string } } | null> } | null };

export type GroundedStreamSubscriptionVariables = Exact<{
  input: CompletionInput;
}>;


export type GroundedStreamSubscription = { completionStream:
    | { __typename: 'TextDeltaEvent' }
    | { __typename: 'TextEndEvent', completion: { id: string, citations: Array<{ id: string, text: string, document: { source: string } } | null> } }
    | { __typename: 'TextStartEvent' }
   };

export type CompletionStreamSubscriptionVariables = Exact<{
  input: CompletionInput;
}>;


export type CompletionStreamSubscription = { completionStream:
    | { __typename: 'TextDeltaEvent', completionId: string, index: number, text: string }
    | { __typename: 'TextEndEvent', completion: { id: string, text: string, finishReason: FinishReason, timeToFirstTokenMillis: number | null, usage: { promptTokens: number, completionTokens: number }, model: { id: string, displayName: string, pricing: { inputPerMillionTokens: number, outputPerMillionTokens: number } } | null } }
    | { __typename: 'TextStartEvent', completionId: string, model: { id: string } | null }
   };

export type StreamedCompletionTextMutationVariables = Exact<{
  input: CompletionInput;
}>;


export type StreamedCompletionTextMutation = { createCompletion: { text: string } | null };

export type RegisterStreamingModelMutationVariables = Exact<{
  input: RegisterModelInput;
}>;


export type RegisterStreamingModelMutation = { registerModel: { id: string } | null };

export type StreamingModelCountQueryVariables = Exact<{ [key: string]: never; }>;


export type StreamingModelCountQuery = { models: { totalCount: number } | null };

export type RegisterMeteredModelMutationVariables = Exact<{
  input: RegisterModelInput;
}>;


export type RegisterMeteredModelMutation = { registerModel: { id: string, version: number } | null };

export type UpdateMeteredPricingMutationVariables = Exact<{
  id: string | number;
  expectedVersion: number;
  input: UpdateModelInput;
}>;


export type UpdateMeteredPricingMutation = { updateModel: { id: string, version: number } | null };

export type MeteredCompletionMutationVariables = Exact<{
  input: CompletionInput;
}>;


export type MeteredCompletionMutation = { createCompletion: { id: string, usage: { promptTokens: number, completionTokens: number }, cost: { amount: number, amountMicros: number, currency: string } | null } | null };

export type MeteredEmbeddingsQueryVariables = Exact<{
  model: string | number;
  texts: Array<string> | string;
}>;


export type MeteredEmbeddingsQuery = { embeddings: { usage: { promptTokens: number } } | null };

export type MeteredStreamSubscriptionVariables = Exact<{
  input: CompletionInput;
}>;


export type MeteredStreamSubscription = { completionStream:
    | { __typename: 'TextDeltaEvent' }
    | { __typename: 'TextEndEvent', completion: { id: string, cost: { amountMicros: number, currency: string } | null } }
    | { __typename: 'TextStartEvent' }
   };

export type UsageReportQueryVariables = Exact<{
  input: UsageQueryInput;
}>;


export type UsageReportQuery = { usage: { granularity: UsageGranularity, rows: Array<{ periodStart: string | null, tenantId: string | null, model: { id: string, displayName: string } | null, summary: { requests: number, failed: number, promptTokens: number, completionTokens: number } }>, totals: { requests: number, succeeded: number, failed: number, cancelled: number, errorRate: number, promptTokens: number, completionTokens: number, totalTokens: number, costs: Array<{ amount: number, amountMicros: number, currency: string }>, latencyMillis: { p50: number | null, p99: number | null } } } | null };

export type ModelUsageQueryVariables = Exact<{
  id: string | number;
  from: string;
  to: string;
}>;


export type ModelUsageQuery = { model: { id: string, usage: { requests: number, costs: Array<{ amountMicros: number }> } | null } | null };

export type SetQuotaMutationVariables = Exact<{
  input: TenantQuotaInput;
}>;


export type SetQuotaMutation = { setTenantQuota: { tenantId: string, tokensPerMinute: number | null, tokensPerDay: number | null, costPerMonth: number | null, concurrentStreams: number | null, updatedAt: string } | null };

export type RemoveQuotaMutationVariables = Exact<{
  tenantId: string | number;
}>;


export type RemoveQuotaMutation = { removeTenantQuota: boolean | null };

export type QuotaStatusQueryVariables = Exact<{
  tenantId?: string | number | null | undefined;
}>;


export type QuotaStatusQuery = { quota: { tenantId: string, tokensPerMinute: number | null, currentUse: { tokensThisMinute: number, tokensToday: number, costThisMonth: number, activeStreams: number } | null } | null };

export type RegisterGroundingModelMutationVariables = Exact<{
  input: RegisterModelInput;
}>;


export type RegisterGroundingModelMutation = { registerModel: { id: string } | null };

export type CreateGroundingCollectionMutationVariables = Exact<{
  input: CreateCollectionInput;
}>;


export type CreateGroundingCollectionMutation = { createCollection: { id: string, groundingMinSimilarity: number | null } | null };

export type IngestGroundingDocumentMutationVariables = Exact<{
  input: IngestDocumentInput;
}>;


export type IngestGroundingDocumentMutation = { ingestDocument: { id: string, status: DocumentStatus } | null };

export type GroundedOrAbstainedMutationVariables = Exact<{
  input: CompletionInput;
}>;


export type GroundedOrAbstainedMutation = { createCompletion: { text: string, finishReason: FinishReason, usage: { promptTokens: number, completionTokens: number }, citations: Array<{ document: { source: string } } | null>, grounding: { status: GroundingStatus, bestSimilarity: number | null, minSimilarity: number | null, fallback: AbstainFallback | null } | null } | null };

export type AbstainingStreamSubscriptionVariables = Exact<{
  input: CompletionInput;
}>;


export type AbstainingStreamSubscription = { completionStream:
    | { __typename: 'TextDeltaEvent' }
    | { __typename: 'TextEndEvent', completion: { text: string, finishReason: FinishReason, grounding: { status: GroundingStatus, fallback: AbstainFallback | null } | null } }
    | { __typename: 'TextStartEvent' }
   };

export type PagedSearchQueryVariables = Exact<{
  input: SearchInput;
}>;


export type PagedSearchQuery = { search: { totalCount: number, bestSimilarity: number | null, pageInfo: { hasNextPage: boolean, endCursor: string | null }, hits: Array<{ text: string, textTruncated: boolean, similarity: number | null, chunk: { id: string, text: string, headingPath: Array<string> } }> } | null };

export type RegisterRealModelMutationVariables = Exact<{
  input: RegisterModelInput;
}>;


export type RegisterRealModelMutation = { registerModel: { id: string } | null };

export type CreateRealCollectionMutationVariables = Exact<{
  input: CreateCollectionInput;
}>;


export type CreateRealCollectionMutation = { createCollection: { id: string, dimensions: number } | null };

export type IngestRealDocumentMutationVariables = Exact<{
  input: IngestDocumentInput;
}>;


export type IngestRealDocumentMutation = { ingestDocument: { id: string, source: string, status: DocumentStatus } | null };

export type SearchRealQueryVariables = Exact<{
  input: SearchInput;
}>;


export type SearchRealQuery = { search: { hits: Array<{ score: number, chunk: { document: { source: string } } }> } | null };

export type EmbedRealQueryVariables = Exact<{
  model: string | number;
  texts: Array<string> | string;
}>;


export type EmbedRealQuery = { embeddings: { dimensions: number, embeddings: Array<{ vector: Array<number> }>, usage: { promptTokens: number } } | null };

export type GroundedRealMutationVariables = Exact<{
  input: CompletionInput;
}>;


export type GroundedRealMutation = { createCompletion: { text: string, citations: Array<{ document: { source: string } } | null> } | null };

export type MigrateRealMutationVariables = Exact<{
  input: MigrateCollectionInput;
}>;


export type MigrateRealMutation = { migrateCollection: { id: string, migration: { id: string, status: CollectionMigrationStatus, chunksTotal: number, targetDimensions: number } | null } | null };

export type MigrationRealQueryVariables = Exact<{
  id: string | number;
}>;


export type MigrationRealQuery = { collection: { dimensions: number, embeddingModel: { id: string } | null, migration: { status: CollectionMigrationStatus, chunksTotal: number, chunksEmbedded: number, recallAtTen: number | null, error: { code: ErrorCode, message: string } | null, sourceEmbeddingModel: { id: string } | null, targetEmbeddingModel: { id: string } | null } | null } | null };

export type RerankRealQueryVariables = Exact<{
  model: string | number;
  query: string;
  documents: Array<string> | string;
}>;


export type RerankRealQuery = { rerank: { scores: Array<number>, model: { id: string } | null, usage: { promptTokens: number } } | null };

export type SearchRerankedRealQueryVariables = Exact<{
  input: SearchInput;
}>;


export type SearchRerankedRealQuery = { search: { hits: Array<{ score: number, rerankScore: number | null, similarity: number | null, chunk: { document: { source: string } } }> } | null };


export const BenchRegisterDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"BenchRegister"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RegisterModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registerModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<BenchRegisterMutation, BenchRegisterMutationVariables>;
export const RegisterFetchedModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RegisterFetchedModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RegisterModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registerModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"contextLength"}},{"kind":"Field","name":{"kind":"Name","value":"embeddingDimensions"}},{"kind":"Field","name":{"kind":"Name","value":"engine"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"modelPath"}}]}}]}}]}}]} as unknown as DocumentNode<RegisterFetchedModelMutation, RegisterFetchedModelMutationVariables>;
export const ClientStackRegisterDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ClientStackRegister"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RegisterModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registerModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<ClientStackRegisterMutation, ClientStackRegisterMutationVariables>;
export const ClientStackCompletionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ClientStackCompletion"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createCompletion"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}}]}}]}}]} as unknown as DocumentNode<ClientStackCompletionMutation, ClientStackCompletionMutationVariables>;
export const ClientStackModelsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ClientStackModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"models"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"5"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}}]}}]}}]} as unknown as DocumentNode<ClientStackModelsQuery, ClientStackModelsQueryVariables>;
export const ClientStackEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ClientStackEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completionStream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TextStartEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"completionId"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TextDeltaEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"completionId"}},{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"text"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TextEndEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"completionId"}},{"kind":"Field","name":{"kind":"Name","value":"completion"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ClientStackEventsSubscription, ClientStackEventsSubscriptionVariables>;
export const InstallableRegisterDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"InstallableRegister"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RegisterModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registerModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<InstallableRegisterMutation, InstallableRegisterMutationVariables>;
export const FetchedModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"FetchedModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"family"}},{"kind":"Field","name":{"kind":"Name","value":"capabilities"}},{"kind":"Field","name":{"kind":"Name","value":"contextLength"}},{"kind":"Field","name":{"kind":"Name","value":"embeddingDimensions"}},{"kind":"Field","name":{"kind":"Name","value":"engine"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"modelPath"}}]}}]}}]}}]} as unknown as DocumentNode<FetchedModelQuery, FetchedModelQueryVariables>;
export const RegisterInferenceModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RegisterInferenceModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RegisterModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registerModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<RegisterInferenceModelMutation, RegisterInferenceModelMutationVariables>;
export const SetInferenceModelStatusDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetInferenceModelStatus"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"status"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ModelStatus"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setModelStatus"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"Variable","name":{"kind":"Name","value":"status"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<SetInferenceModelStatusMutation, SetInferenceModelStatusMutationVariables>;
export const CreateCompletionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateCompletion"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createCompletion"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}}]}},{"kind":"Field","name":{"kind":"Name","value":"latencyMillis"}},{"kind":"Field","name":{"kind":"Name","value":"timeToFirstTokenMillis"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"model"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"pricing"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inputPerMillionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CreateCompletionMutation, CreateCompletionMutationVariables>;
export const CompletionByIdDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CompletionById"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completion"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"model"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]} as unknown as DocumentNode<CompletionByIdQuery, CompletionByIdQueryVariables>;
export const EmbeddingsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Embeddings"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"model"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"texts"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"embeddings"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"model"},"value":{"kind":"Variable","name":{"kind":"Name","value":"model"}}},{"kind":"Argument","name":{"kind":"Name","value":"texts"},"value":{"kind":"Variable","name":{"kind":"Name","value":"texts"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dimensions"}},{"kind":"Field","name":{"kind":"Name","value":"embeddings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"vector"}}]}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}}]}},{"kind":"Field","name":{"kind":"Name","value":"model"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}}]}}]}}]} as unknown as DocumentNode<EmbeddingsQuery, EmbeddingsQueryVariables>;
export const RegisterModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RegisterModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RegisterModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registerModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"aliases"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"engine"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"modelPath"}},{"kind":"Field","name":{"kind":"Name","value":"baseUrl"}},{"kind":"Field","name":{"kind":"Name","value":"upstreamModel"}},{"kind":"Field","name":{"kind":"Name","value":"hasApiKey"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pricing"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inputPerMillionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"outputPerMillionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}}]} as unknown as DocumentNode<RegisterModelMutation, RegisterModelMutationVariables>;
export const ModelByNameDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ModelByName"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"contextLength"}},{"kind":"Field","name":{"kind":"Name","value":"embeddingDimensions"}},{"kind":"Field","name":{"kind":"Name","value":"capabilities"}}]}}]}}]} as unknown as DocumentNode<ModelByNameQuery, ModelByNameQueryVariables>;
export const ListModelsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ListModels"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ModelFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"models"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<ListModelsQuery, ListModelsQueryVariables>;
export const UpdateModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"expectedVersion"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"expectedVersion"},"value":{"kind":"Variable","name":{"kind":"Name","value":"expectedVersion"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"aliases"}}]}}]}}]} as unknown as DocumentNode<UpdateModelMutation, UpdateModelMutationVariables>;
export const SetModelStatusDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetModelStatus"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"status"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ModelStatus"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setModelStatus"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"Variable","name":{"kind":"Name","value":"status"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<SetModelStatusMutation, SetModelStatusMutationVariables>;
export const DeleteModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"expectedVersion"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"expectedVersion"},"value":{"kind":"Variable","name":{"kind":"Name","value":"expectedVersion"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<DeleteModelMutation, DeleteModelMutationVariables>;
export const RegisterCachedModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RegisterCachedModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RegisterModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registerModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<RegisterCachedModelMutation, RegisterCachedModelMutationVariables>;
export const UpdateCachedModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateCachedModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"expectedVersion"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"expectedVersion"},"value":{"kind":"Variable","name":{"kind":"Name","value":"expectedVersion"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<UpdateCachedModelMutation, UpdateCachedModelMutationVariables>;
export const CachedCompletionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CachedCompletion"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createCompletion"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}}]}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMicros"}}]}},{"kind":"Field","name":{"kind":"Name","value":"cache"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hit"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"ttlSeconds"}}]}}]}}]}}]} as unknown as DocumentNode<CachedCompletionMutation, CachedCompletionMutationVariables>;
export const CachedCompletionByIdDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CachedCompletionById"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completion"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"cache"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hit"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}}]}}]}}]} as unknown as DocumentNode<CachedCompletionByIdQuery, CachedCompletionByIdQueryVariables>;
export const CachedEmbeddingsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CachedEmbeddings"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"model"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"texts"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"cache"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"CacheInput"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"embeddings"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"model"},"value":{"kind":"Variable","name":{"kind":"Name","value":"model"}}},{"kind":"Argument","name":{"kind":"Name","value":"texts"},"value":{"kind":"Variable","name":{"kind":"Name","value":"texts"}}},{"kind":"Argument","name":{"kind":"Name","value":"cache"},"value":{"kind":"Variable","name":{"kind":"Name","value":"cache"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"embeddings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"vector"}}]}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}}]}},{"kind":"Field","name":{"kind":"Name","value":"cache"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hit"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"ttlSeconds"}}]}}]}}]}}]} as unknown as DocumentNode<CachedEmbeddingsQuery, CachedEmbeddingsQueryVariables>;
export const CachedCompletionStreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"CachedCompletionStream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completionStream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TextDeltaEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"text"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TextEndEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completion"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"cache"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hit"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<CachedCompletionStreamSubscription, CachedCompletionStreamSubscriptionVariables>;
export const CacheUsageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CacheUsage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UsageQueryInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"usage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"cacheHits"}},{"kind":"Field","name":{"kind":"Name","value":"cacheHitRate"}},{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"costs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMicros"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CacheUsageQuery, CacheUsageQueryVariables>;
export const RegisterRetrievalModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RegisterRetrievalModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RegisterModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registerModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<RegisterRetrievalModelMutation, RegisterRetrievalModelMutationVariables>;
export const CreateCollectionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateCollection"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateCollectionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createCollection"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"dimensions"}},{"kind":"Field","name":{"kind":"Name","value":"chunkMaxTokens"}},{"kind":"Field","name":{"kind":"Name","value":"chunkOverlapTokens"}},{"kind":"Field","name":{"kind":"Name","value":"embeddingModel"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}}]}}]}}]} as unknown as DocumentNode<CreateCollectionMutation, CreateCollectionMutationVariables>;
export const IngestDocumentDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"IngestDocument"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"IngestDocumentInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ingestDocument"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"mediaType"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"chunkCount"}},{"kind":"Field","name":{"kind":"Name","value":"tokenCount"}},{"kind":"Field","name":{"kind":"Name","value":"characterCount"}},{"kind":"Field","name":{"kind":"Name","value":"contentHash"}},{"kind":"Field","name":{"kind":"Name","value":"metadata"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}},{"kind":"Field","name":{"kind":"Name","value":"ingestion"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chunksEmbedded"}},{"kind":"Field","name":{"kind":"Name","value":"chunksTotal"}},{"kind":"Field","name":{"kind":"Name","value":"error"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"collection"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<IngestDocumentMutation, IngestDocumentMutationVariables>;
export const DocumentByIdDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DocumentById"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"document"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"chunkCount"}},{"kind":"Field","name":{"kind":"Name","value":"ingestion"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chunksEmbedded"}},{"kind":"Field","name":{"kind":"Name","value":"chunksTotal"}},{"kind":"Field","name":{"kind":"Name","value":"error"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]}}]} as unknown as DocumentNode<DocumentByIdQuery, DocumentByIdQueryVariables>;
export const CollectionDocumentsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CollectionDocuments"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filters"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"MetadataFilterInput"}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"collection"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"documentCount"}},{"kind":"Field","name":{"kind":"Name","value":"metadataKeys"}},{"kind":"Field","name":{"kind":"Name","value":"documents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filters"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filters"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CollectionDocumentsQuery, CollectionDocumentsQueryVariables>;
export const SearchDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Search"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SearchInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"search"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"mode"}},{"kind":"Field","name":{"kind":"Name","value":"hits"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"score"}},{"kind":"Field","name":{"kind":"Name","value":"vectorRank"}},{"kind":"Field","name":{"kind":"Name","value":"keywordRank"}},{"kind":"Field","name":{"kind":"Name","value":"chunk"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"headingPath"}},{"kind":"Field","name":{"kind":"Name","value":"tokenCount"}},{"kind":"Field","name":{"kind":"Name","value":"document"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"metadata"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<SearchQuery, SearchQueryVariables>;
export const DeleteDocumentDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteDocument"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteDocument"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}]}}]} as unknown as DocumentNode<DeleteDocumentMutation, DeleteDocumentMutationVariables>;
export const DeleteCollectionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteCollection"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteCollection"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}]}}]} as unknown as DocumentNode<DeleteCollectionMutation, DeleteCollectionMutationVariables>;
export const GroundedCompletionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"GroundedCompletion"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createCompletion"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}}]}},{"kind":"Field","name":{"kind":"Name","value":"citations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"document"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"source"}}]}}]}}]}}]}}]} as unknown as DocumentNode<GroundedCompletionMutation, GroundedCompletionMutationVariables>;
export const GroundedStreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"GroundedStream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completionStream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TextEndEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completion"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"citations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"document"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"source"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<GroundedStreamSubscription, GroundedStreamSubscriptionVariables>;
export const CompletionStreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"CompletionStream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completionStream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TextStartEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completionId"}},{"kind":"Field","name":{"kind":"Name","value":"model"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TextDeltaEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completionId"}},{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"text"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TextEndEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completion"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}}]}},{"kind":"Field","name":{"kind":"Name","value":"timeToFirstTokenMillis"}},{"kind":"Field","name":{"kind":"Name","value":"model"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"pricing"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inputPerMillionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"outputPerMillionTokens"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<CompletionStreamSubscription, CompletionStreamSubscriptionVariables>;
export const StreamedCompletionTextDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"StreamedCompletionText"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createCompletion"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"text"}}]}}]}}]} as unknown as DocumentNode<StreamedCompletionTextMutation, StreamedCompletionTextMutationVariables>;
export const RegisterStreamingModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RegisterStreamingModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RegisterModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registerModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<RegisterStreamingModelMutation, RegisterStreamingModelMutationVariables>;
export const StreamingModelCountDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"StreamingModelCount"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"models"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}}]}}]}}]} as unknown as DocumentNode<StreamingModelCountQuery, StreamingModelCountQueryVariables>;
export const RegisterMeteredModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RegisterMeteredModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RegisterModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registerModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<RegisterMeteredModelMutation, RegisterMeteredModelMutationVariables>;
export const UpdateMeteredPricingDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateMeteredPricing"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"expectedVersion"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"expectedVersion"},"value":{"kind":"Variable","name":{"kind":"Name","value":"expectedVersion"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<UpdateMeteredPricingMutation, UpdateMeteredPricingMutationVariables>;
export const MeteredCompletionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"MeteredCompletion"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createCompletion"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}}]}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"amountMicros"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]}}]} as unknown as DocumentNode<MeteredCompletionMutation, MeteredCompletionMutationVariables>;
export const MeteredEmbeddingsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MeteredEmbeddings"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"model"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"texts"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"embeddings"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"model"},"value":{"kind":"Variable","name":{"kind":"Name","value":"model"}}},{"kind":"Argument","name":{"kind":"Name","value":"texts"},"value":{"kind":"Variable","name":{"kind":"Name","value":"texts"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}}]}}]}}]}}]} as unknown as DocumentNode<MeteredEmbeddingsQuery, MeteredEmbeddingsQueryVariables>;
export const MeteredStreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"MeteredStream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completionStream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TextEndEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completion"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMicros"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<MeteredStreamSubscription, MeteredStreamSubscriptionVariables>;
export const UsageReportDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"UsageReport"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UsageQueryInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"usage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"granularity"}},{"kind":"Field","name":{"kind":"Name","value":"rows"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"periodStart"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"model"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"summary"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}},{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"totals"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"succeeded"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}},{"kind":"Field","name":{"kind":"Name","value":"cancelled"}},{"kind":"Field","name":{"kind":"Name","value":"errorRate"}},{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"totalTokens"}},{"kind":"Field","name":{"kind":"Name","value":"costs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"amountMicros"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"latencyMillis"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"p50"}},{"kind":"Field","name":{"kind":"Name","value":"p99"}}]}}]}}]}}]}}]} as unknown as DocumentNode<UsageReportQuery, UsageReportQueryVariables>;
export const ModelUsageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ModelUsage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"from"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"to"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"model"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"from"},"value":{"kind":"Variable","name":{"kind":"Name","value":"from"}}},{"kind":"Argument","name":{"kind":"Name","value":"to"},"value":{"kind":"Variable","name":{"kind":"Name","value":"to"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"costs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amountMicros"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ModelUsageQuery, ModelUsageQueryVariables>;
export const SetQuotaDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetQuota"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TenantQuotaInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setTenantQuota"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"tokensPerMinute"}},{"kind":"Field","name":{"kind":"Name","value":"tokensPerDay"}},{"kind":"Field","name":{"kind":"Name","value":"costPerMonth"}},{"kind":"Field","name":{"kind":"Name","value":"concurrentStreams"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]} as unknown as DocumentNode<SetQuotaMutation, SetQuotaMutationVariables>;
export const RemoveQuotaDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RemoveQuota"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"removeTenantQuota"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"tenantId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}}}]}]}}]} as unknown as DocumentNode<RemoveQuotaMutation, RemoveQuotaMutationVariables>;
export const QuotaStatusDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"QuotaStatus"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"quota"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"tenantId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"tenantId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"tokensPerMinute"}},{"kind":"Field","name":{"kind":"Name","value":"currentUse"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tokensThisMinute"}},{"kind":"Field","name":{"kind":"Name","value":"tokensToday"}},{"kind":"Field","name":{"kind":"Name","value":"costThisMonth"}},{"kind":"Field","name":{"kind":"Name","value":"activeStreams"}}]}}]}}]}}]} as unknown as DocumentNode<QuotaStatusQuery, QuotaStatusQueryVariables>;
export const RegisterGroundingModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RegisterGroundingModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RegisterModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registerModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<RegisterGroundingModelMutation, RegisterGroundingModelMutationVariables>;
export const CreateGroundingCollectionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateGroundingCollection"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateCollectionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createCollection"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"groundingMinSimilarity"}}]}}]}}]} as unknown as DocumentNode<CreateGroundingCollectionMutation, CreateGroundingCollectionMutationVariables>;
export const IngestGroundingDocumentDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"IngestGroundingDocument"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"IngestDocumentInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ingestDocument"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<IngestGroundingDocumentMutation, IngestGroundingDocumentMutationVariables>;
export const GroundedOrAbstainedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"GroundedOrAbstained"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createCompletion"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}}]}},{"kind":"Field","name":{"kind":"Name","value":"citations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"document"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"source"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"grounding"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"bestSimilarity"}},{"kind":"Field","name":{"kind":"Name","value":"minSimilarity"}},{"kind":"Field","name":{"kind":"Name","value":"fallback"}}]}}]}}]}}]} as unknown as DocumentNode<GroundedOrAbstainedMutation, GroundedOrAbstainedMutationVariables>;
export const AbstainingStreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"AbstainingStream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completionStream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TextEndEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completion"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"grounding"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"fallback"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<AbstainingStreamSubscription, AbstainingStreamSubscriptionVariables>;
export const PagedSearchDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PagedSearch"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SearchInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"search"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"bestSimilarity"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"hits"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"textTruncated"}},{"kind":"Field","name":{"kind":"Name","value":"similarity"}},{"kind":"Field","name":{"kind":"Name","value":"chunk"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"headingPath"}}]}}]}}]}}]}}]} as unknown as DocumentNode<PagedSearchQuery, PagedSearchQueryVariables>;
export const RegisterRealModelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RegisterRealModel"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RegisterModelInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"registerModel"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]} as unknown as DocumentNode<RegisterRealModelMutation, RegisterRealModelMutationVariables>;
export const CreateRealCollectionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateRealCollection"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateCollectionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createCollection"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"dimensions"}}]}}]}}]} as unknown as DocumentNode<CreateRealCollectionMutation, CreateRealCollectionMutationVariables>;
export const IngestRealDocumentDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"IngestRealDocument"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"IngestDocumentInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ingestDocument"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<IngestRealDocumentMutation, IngestRealDocumentMutationVariables>;
export const SearchRealDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SearchReal"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SearchInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"search"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hits"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"score"}},{"kind":"Field","name":{"kind":"Name","value":"chunk"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"document"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"source"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<SearchRealQuery, SearchRealQueryVariables>;
export const EmbedRealDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"EmbedReal"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"model"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"texts"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"embeddings"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"model"},"value":{"kind":"Variable","name":{"kind":"Name","value":"model"}}},{"kind":"Argument","name":{"kind":"Name","value":"texts"},"value":{"kind":"Variable","name":{"kind":"Name","value":"texts"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dimensions"}},{"kind":"Field","name":{"kind":"Name","value":"embeddings"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"vector"}}]}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}}]}}]}}]}}]} as unknown as DocumentNode<EmbedRealQuery, EmbedRealQueryVariables>;
export const GroundedRealDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"GroundedReal"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createCompletion"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"citations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"document"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"source"}}]}}]}}]}}]}}]} as unknown as DocumentNode<GroundedRealMutation, GroundedRealMutationVariables>;
export const MigrateRealDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"MigrateReal"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"MigrateCollectionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"migrateCollection"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"migration"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"chunksTotal"}},{"kind":"Field","name":{"kind":"Name","value":"targetDimensions"}}]}}]}}]}}]} as unknown as DocumentNode<MigrateRealMutation, MigrateRealMutationVariables>;
export const MigrationRealDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MigrationReal"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"collection"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dimensions"}},{"kind":"Field","name":{"kind":"Name","value":"embeddingModel"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"migration"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"chunksTotal"}},{"kind":"Field","name":{"kind":"Name","value":"chunksEmbedded"}},{"kind":"Field","name":{"kind":"Name","value":"recallAtTen"}},{"kind":"Field","name":{"kind":"Name","value":"error"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"Field","name":{"kind":"Name","value":"sourceEmbeddingModel"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"targetEmbeddingModel"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]}}]} as unknown as DocumentNode<MigrationRealQuery, MigrationRealQueryVariables>;
export const RerankRealDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"RerankReal"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"model"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"query"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"documents"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rerank"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"model"},"value":{"kind":"Variable","name":{"kind":"Name","value":"model"}}},{"kind":"Argument","name":{"kind":"Name","value":"query"},"value":{"kind":"Variable","name":{"kind":"Name","value":"query"}}},{"kind":"Argument","name":{"kind":"Name","value":"documents"},"value":{"kind":"Variable","name":{"kind":"Name","value":"documents"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"scores"}},{"kind":"Field","name":{"kind":"Name","value":"model"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}}]}}]}}]}}]} as unknown as DocumentNode<RerankRealQuery, RerankRealQueryVariables>;
export const SearchRerankedRealDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SearchRerankedReal"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SearchInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"search"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hits"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"score"}},{"kind":"Field","name":{"kind":"Name","value":"rerankScore"}},{"kind":"Field","name":{"kind":"Name","value":"similarity"}},{"kind":"Field","name":{"kind":"Name","value":"chunk"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"document"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"source"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<SearchRerankedRealQuery, SearchRerankedRealQueryVariables>;