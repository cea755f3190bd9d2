/**
 * Every `extensions.code` this project puts on a GraphQL error. Clients may switch on these strings:
 * they are part of the public API and never change meaning.
 */
export enum ErrorCode {
  /** No credentials, or credentials that match no API key. */
  Unauthenticated = "UNAUTHENTICATED",
  /** The caller is known but lacks the role the operation needs. */
  Forbidden = "FORBIDDEN",
  /** An argument is malformed or out of range; `extensions.field` names it. */
  BadUserInput = "BAD_USER_INPUT",
  /**
   * The HTTP request itself is malformed: a body that is not JSON, a method other than GET or POST
   * (status 405), a body Apollo Server cannot read as an operation. Apollo Server uses this code too.
   */
  BadRequest = "BAD_REQUEST",
  /** The request body is larger than MAX_REQUEST_BODY_BYTES (status 413); `extensions.maximumBytes` gives the limit. */
  PayloadTooLarge = "PAYLOAD_TOO_LARGE",
  /**
   * Too many requests (status 429) for an API key, a tenant, or (unauthenticated) a client address,
   * per minute or in flight at once. `extensions.policy` names the limit (as in the `RateLimit`
   * header), `retryAfterMillis` says when to retry (also in `Retry-After`, in seconds).
   */
  RateLimited = "RATE_LIMITED",
  /** The model id or alias matches no model. */
  ModelNotFound = "MODEL_NOT_FOUND",
  /** A model with this id already exists. */
  ModelAlreadyExists = "MODEL_ALREADY_EXISTS",
  /** An id or alias is already taken by another model (as its id or one of its aliases). */
  AliasConflict = "ALIAS_CONFLICT",
  /** `expectedVersion` is not the model's current version: someone else changed it first. */
  VersionConflict = "VERSION_CONFLICT",
  /** The model exists but is disabled in the registry. */
  ModelDisabled = "MODEL_DISABLED",
  /** The model cannot do what was asked (an embedding model asked to chat); `extensions.capabilities` lists what it can. */
  CapabilityNotSupported = "CAPABILITY_NOT_SUPPORTED",
  /** Prompt plus `maxTokens` exceed the model's context; `extensions.promptTokens` and `contextLength` give the counts. */
  ContextLengthExceeded = "CONTEXT_LENGTH_EXCEEDED",
  /** The model's engine cannot run (file missing, GPU absent, upstream refuses our credentials). */
  EngineUnavailable = "ENGINE_UNAVAILABLE",
  /** The client cancelled or went away; no result was produced. */
  RequestCancelled = "REQUEST_CANCELLED",
  /** The service cannot take more work right now; `extensions.retryAfterMillis` says when to retry. */
  Overloaded = "OVERLOADED",
  /** A dependency (store, engine, subgraph) failed or is unreachable. */
  ServiceUnavailable = "SERVICE_UNAVAILABLE",
  /**
   * The shared store (Redis) is full: it reached its `maxmemory` and refuses writes (`noeviction`).
   * Not retryable: it stays full until an operator raises `maxmemory` or shortens the retention
   * (docs/OPERATIONS.md), or keys expire. A call refused this way is never charged.
   */
  StoreFull = "STORE_FULL",
  /** A subscription was sent as a plain HTTP request; use multipart HTTP (`Accept: multipart/mixed;subscriptionSpec=1.0`), SSE (`Accept: text/event-stream`) or graphql-ws on the same URL; HTTP 400. */
  SubscriptionOverHttp = "SUBSCRIPTION_OVER_HTTP",
  /** A subscription's client did not take events as fast as they came; `extensions.maxBufferedEvents` says how many were held. */
  SubscriptionBufferOverflow = "SUBSCRIPTION_BUFFER_OVERFLOW",
  /** The WebSocket already has `extensions.maxOperations` operations in flight. */
  TooManyOperations = "TOO_MANY_OPERATIONS",
  /** The collection id matches no collection of the caller's tenant (another tenant's collections are never revealed). */
  CollectionNotFound = "COLLECTION_NOT_FOUND",
  /** The tenant already has a collection with this name; `extensions.collectionId` names it. */
  CollectionAlreadyExists = "COLLECTION_ALREADY_EXISTS",
  /** The document id matches no document of the caller's tenant. */
  DocumentNotFound = "DOCUMENT_NOT_FOUND",
  /** A document is over the size limit; `extensions.maximumBytes` and `actualBytes` give the sizes. */
  DocumentTooLarge = "DOCUMENT_TOO_LARGE",
  /** The embedding model returned vectors of another length than the collection's; `extensions.expected` and `actual` give them. */
  EmbeddingDimensionMismatch = "EMBEDDING_DIMENSION_MISMATCH",
  /**
   * A document's ingestion did not complete within INGESTION_TIMEOUT_MILLIS (or the service running
   * it stopped); nothing of it was kept. `extensions.timeoutMillis` gives the limit. Ingest it again.
   */
  IngestionTimedOut = "INGESTION_TIMED_OUT",
  /**
   * The collection is moving to another embedding model (`migrateCollection`): it takes no
   * ingestions or deletions, and no other migration, until that ends; searches keep working.
   * `extensions.migrationId`, `chunksEmbedded`, `chunksTotal`.
   */
  MigrationInProgress = "MIGRATION_IN_PROGRESS",
  /** A migration cannot begin while documents of the collection are being ingested; `extensions.documentIds` names some. */
  IngestionInProgress = "INGESTION_IN_PROGRESS",
  /**
   * A migration's new index found fewer of the exact nearest neighbours than its `minimumRecall`
   * (recall@10 on a sample of chunks): it was not switched to; the collection keeps its model.
   */
  MigrationRecallTooLow = "MIGRATION_RECALL_TOO_LOW",
  /**
   * A tenant quota would be exceeded. `extensions.limit` names it (TOKENS_PER_MINUTE,
   * TOKENS_PER_DAY, COST_PER_MONTH, CONCURRENT_STREAMS), with `limitValue`, `used`, `requested`,
   * and `resetsAt` / `retryAfterMillis` when the window resets (null for streams: when one ends).
   */
  QuotaExceeded = "QUOTA_EXCEEDED",
  /**
   * The document breaks one of the gateway's operation limits (`gateway/limits/operation-limits.ts`),
   * checked before validation and planning; `extensions.maximum` is the limit, `found` the document's.
   */
  MaxDocumentTokensExceeded = "MAX_DOCUMENT_TOKENS_EXCEEDED",
  MaxDepthExceeded = "MAX_DEPTH_EXCEEDED",
  MaxAliasesExceeded = "MAX_ALIASES_EXCEEDED",
  MaxRootFieldsExceeded = "MAX_ROOT_FIELDS_EXCEEDED",
  MaxDirectivesExceeded = "MAX_DIRECTIVES_EXCEEDED",
  MaxFragmentDepthExceeded = "MAX_FRAGMENT_DEPTH_EXCEEDED",
  /** The operation's estimated result holds more objects than MAX_FAN_OUT (lists multiply); `extensions.maximum`, `estimated`. */
  MaxFanOutExceeded = "MAX_FAN_OUT_EXCEEDED",
  /**
   * The operation's estimated cost is over a per-operation ceiling. `extensions.limit` names it
   * (COST_SCORE, MODEL_TOKENS or COST_MICROS), with `maximum` and `estimated`; nothing ran.
   */
  OperationCostExceeded = "OPERATION_COST_EXCEEDED",
  /** An HTTP request carried more operations than MAX_BATCH_OPERATIONS (1 turns batching off); `extensions.maximum`, `found`. */
  MaxBatchOperationsExceeded = "MAX_BATCH_OPERATIONS_EXCEEDED",
  /**
   * One embeddings or tokenCounts call asks for more engine work than one request may: more
   * characters or tokens in all than MAX_REQUEST_CHARACTERS / MAX_EMBEDDING_REQUEST_TOKENS, or an
   * estimated engine time over EMBEDDING_REQUEST_BUDGET_MILLIS. `extensions.details` names the
   * `limit`, with `maximum` and `requested`; nothing ran on the engine. Split the texts over calls.
   */
  RequestTooLarge = "REQUEST_TOO_LARGE",
  /** The request's `documentId` (or APQ hash, in `only` mode) is not in the persisted documents manifest; HTTP 400. */
  PersistedDocumentNotFound = "PERSISTED_DOCUMENT_NOT_FOUND",
  /** PERSISTED_DOCUMENTS_MODE=only and the request's document is not in the manifest: send its `documentId`; HTTP 400. */
  PersistedDocumentRequired = "PERSISTED_DOCUMENT_REQUIRED",
  /** A bug: the error was not expected. The message is generic; details are in the server log. */
  InternalServerError = "INTERNAL_SERVER_ERROR",
}

/** Codes whose operations may succeed if repeated unchanged later. */
const retryableCodes: ReadonlySet<ErrorCode> = new Set([ErrorCode.Overloaded, ErrorCode.ServiceUnavailable, ErrorCode.QuotaExceeded, ErrorCode.IngestionTimedOut, ErrorCode.RateLimited, ErrorCode.MigrationInProgress, ErrorCode.IngestionInProgress]);

export function isRetryable(code: ErrorCode): boolean {
  return retryableCodes.has(code);
}
