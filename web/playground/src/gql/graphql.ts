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

export type ChatMessageInput = {
  content: string;
  role: ChatRole;
};

export type ChatRole =
  | 'ASSISTANT'
  | 'SYSTEM'
  | 'USER';

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

export type FinishReason =
  /** Grounding abstained with `onAbstain: NO_ANSWER`: nothing was generated (see `Completion.grounding`). */
  | 'ABSTAINED'
  /** The client went away or cancelled. */
  | 'CANCELLED'
  /** The `maxTokens` limit. */
  | 'LENGTH'
  /** A stop sequence or the model's end-of-sequence token. */
  | 'STOP';

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

export type ModelCapability =
  | 'CHAT'
  | 'COMPLETION'
  | 'EMBEDDING'
  /** Scores how relevant documents are to a query (a cross-encoder reranker): `rerank`, and `SearchInput.rerank`. */
  | 'RERANKING';

export type RerankInput = {
  /**
   * How many of the search's best hits the reranker reads, `topK` to 100. Default: `topK`, at least 20.
   * Each chunk is read up to the reranker's context length (longer chunks are cut for it).
   */
  candidates?: number | null | undefined;
  /** Id or alias of a model with the RERANKING capability. */
  model: string;
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

export type PlaygroundModelsQueryVariables = Exact<{ [key: string]: never; }>;


export type PlaygroundModelsQuery = { models: { nodes: Array<{ id: string, displayName: string, capabilities: Array<ModelCapability>, pricing: { inputPerMillionTokens: number, outputPerMillionTokens: number, currency: string } }> } | null, quota: { currentUse: { tokensToday: number, costThisMonth: number } | null } | null };

export type PlaygroundCollectionsQueryVariables = Exact<{ [key: string]: never; }>;


export type PlaygroundCollectionsQuery = { collections: Array<{ id: string, name: string, documentCount: number }> | null };

export type PlaygroundDocumentsQueryVariables = Exact<{
  id: string | number;
}>;


export type PlaygroundDocumentsQuery = { collection: { id: string, documents: { nodes: Array<{ id: string, title: string | null, source: string, status: DocumentStatus, chunkCount: number }> } | null } | null };

export type PlaygroundCreateCollectionMutationVariables = Exact<{
  input: CreateCollectionInput;
}>;


export type PlaygroundCreateCollectionMutation = { createCollection: { id: string, name: string, documentCount: number } | null };

export type PlaygroundIngestMutationVariables = Exact<{
  input: IngestDocumentInput;
}>;


export type PlaygroundIngestMutation = { ingestDocument: { id: string, title: string | null, source: string, status: DocumentStatus, chunkCount: number } | null };

export type PlaygroundStreamSubscriptionVariables = Exact<{
  input: CompletionInput;
}>;


export type PlaygroundStreamSubscription = { completionStream:
    | { __typename: 'TextDeltaEvent', id: string, text: string }
    | { __typename: 'TextEndEvent', id: string, completion: { id: string, finishReason: FinishReason, latencyMillis: number, timeToFirstTokenMillis: number | null, usage: { promptTokens: number, completionTokens: number, estimated: boolean }, cost: { amount: number, currency: string } | null, citations: Array<{ id: string, index: number, text: string, headingPath: Array<string>, document: { title: string | null, source: string } } | null> } }
    | { __typename: 'TextStartEvent' }
   };


export const PlaygroundModelsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PlaygroundModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"models"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"statuses"},"value":{"kind":"ListValue","values":[{"kind":"EnumValue","value":"ACTIVE"},{"kind":"EnumValue","value":"DEPRECATED"}]}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"capabilities"}},{"kind":"Field","name":{"kind":"Name","value":"pricing"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inputPerMillionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"outputPerMillionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"quota"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"currentUse"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"tokensToday"}},{"kind":"Field","name":{"kind":"Name","value":"costThisMonth"}}]}}]}}]}}]} as unknown as DocumentNode<PlaygroundModelsQuery, PlaygroundModelsQueryVariables>;
export const PlaygroundCollectionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PlaygroundCollections"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"collections"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"documentCount"}}]}}]}}]} as unknown as DocumentNode<PlaygroundCollectionsQuery, PlaygroundCollectionsQueryVariables>;
export const PlaygroundDocumentsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PlaygroundDocuments"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"collection"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"documents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"chunkCount"}}]}}]}}]}}]}}]} as unknown as DocumentNode<PlaygroundDocumentsQuery, PlaygroundDocumentsQueryVariables>;
export const PlaygroundCreateCollectionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PlaygroundCreateCollection"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateCollectionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createCollection"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"documentCount"}}]}}]}}]} as unknown as DocumentNode<PlaygroundCreateCollectionMutation, PlaygroundCreateCollectionMutationVariables>;
export const PlaygroundIngestDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"PlaygroundIngest"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"IngestDocumentInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ingestDocument"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"chunkCount"}}]}}]}}]} as unknown as DocumentNode<PlaygroundIngestMutation, PlaygroundIngestMutationVariables>;
export const PlaygroundStreamDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"PlaygroundStream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completionStream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TextDeltaEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TextEndEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"completion"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"latencyMillis"}},{"kind":"Field","name":{"kind":"Name","value":"timeToFirstTokenMillis"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}},{"kind":"Field","name":{"kind":"Name","value":"estimated"}}]}},{"kind":"Field","name":{"kind":"Name","value":"cost"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"amount"}},{"kind":"Field","name":{"kind":"Name","value":"currency"}}]}},{"kind":"Field","name":{"kind":"Name","value":"citations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"index"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"headingPath"}},{"kind":"Field","name":{"kind":"Name","value":"document"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"source"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<PlaygroundStreamSubscription, PlaygroundStreamSubscriptionVariables>;