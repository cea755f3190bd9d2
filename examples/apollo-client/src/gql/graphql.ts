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

export type ApolloExampleModelsQueryVariables = Exact<{ [key: string]: never; }>;


export type ApolloExampleModelsQuery = { __typename: 'Query', models: { __typename: 'ModelConnection', nodes: Array<{ __typename: 'Model', id: string, displayName: string, capabilities: Array<ModelCapability> }> } | null };

export type ApolloExampleCompletionMutationVariables = Exact<{
  input: CompletionInput;
}>;


export type ApolloExampleCompletionMutation = { __typename: 'Mutation', createCompletion: { __typename: 'Completion', id: string, text: string, finishReason: FinishReason, usage: { __typename: 'TokenUsage', promptTokens: number, completionTokens: number } } | null };

export type ApolloExampleStreamSubscriptionVariables = Exact<{
  input: CompletionInput;
}>;


export type ApolloExampleStreamSubscription = { completionStream:
    | { __typename: 'TextDeltaEvent', id: string, text: string }
    | { __typename: 'TextEndEvent', id: string, completion: { __typename: 'Completion', id: string, finishReason: FinishReason, usage: { __typename: 'TokenUsage', completionTokens: number } } }
    | { __typename: 'TextStartEvent' }
   };


export const ApolloExampleModelsDocument = {"__meta__":{"hash":"sha256:d671b8c3fdf56bd93e6769e1cfa84490671e0135c8811b55a8c966db5f0f0a51"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ApolloExampleModels"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"models"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"capabilities"}}]}}]}}]}}]} as unknown as DocumentNode<ApolloExampleModelsQuery, ApolloExampleModelsQueryVariables>;
export const ApolloExampleCompletionDocument = {"__meta__":{"hash":"sha256:ed3209399eca3d007b5d362aa6389aeb056c58917caa22e4adc82c447e5d7fb1"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ApolloExampleCompletion"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"createCompletion"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"promptTokens"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}}]}}]}}]}}]} as unknown as DocumentNode<ApolloExampleCompletionMutation, ApolloExampleCompletionMutationVariables>;
export const ApolloExampleStreamDocument = {"__meta__":{"hash":"sha256:20a49ab76bb0d73de8e297dd8c1b8b20266ce8465328c8c201cc63bf057f1bd9"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ApolloExampleStream"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CompletionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completionStream"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TextDeltaEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"text"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"TextEndEvent"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"completion"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"finishReason"}},{"kind":"Field","name":{"kind":"Name","value":"usage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"completionTokens"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<ApolloExampleStreamSubscription, ApolloExampleStreamSubscriptionVariables>;