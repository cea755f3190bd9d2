/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation BenchRegister($input: RegisterModelInput!) { registerModel(input: $input) { id } }\n": typeof types.BenchRegisterDocument,
    "\n  mutation RegisterFetchedModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id version contextLength embeddingDimensions engine { modelPath } }\n  }\n": typeof types.RegisterFetchedModelDocument,
    "\n  mutation ClientStackRegister($input: RegisterModelInput!) { registerModel(input: $input) { id } }\n": typeof types.ClientStackRegisterDocument,
    "\n  mutation ClientStackCompletion($input: CompletionInput!) { createCompletion(input: $input) { id text } }\n": typeof types.ClientStackCompletionDocument,
    "\n  query ClientStackModels { models(first: 5) { totalCount } }\n": typeof types.ClientStackModelsDocument,
    "\n  subscription ClientStackEvents($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextStartEvent { id completionId }\n      ... on TextDeltaEvent { id completionId index text }\n      ... on TextEndEvent { id completionId completion { id text } }\n    }\n  }\n": typeof types.ClientStackEventsDocument,
    "\n  mutation InstallableRegister($input: RegisterModelInput!) { registerModel(input: $input) { id } }\n": typeof types.InstallableRegisterDocument,
    "\n  query FetchedModel($id: ID!) {\n    model(id: $id) { id family capabilities contextLength embeddingDimensions engine { kind modelPath } }\n  }\n": typeof types.FetchedModelDocument,
    "\n  mutation RegisterInferenceModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id version }\n  }\n": typeof types.RegisterInferenceModelDocument,
    "\n  mutation SetInferenceModelStatus($id: ID!, $status: ModelStatus!) {\n    setModelStatus(id: $id, status: $status) { id status }\n  }\n": typeof types.SetInferenceModelStatusDocument,
    "\n  mutation CreateCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) {\n      id\n      text\n      finishReason\n      usage { promptTokens completionTokens totalTokens }\n      latencyMillis\n      timeToFirstTokenMillis\n      createdAt\n      model { id displayName pricing { inputPerMillionTokens currency } }\n    }\n  }\n": typeof types.CreateCompletionDocument,
    "\n  query CompletionById($id: ID!) {\n    completion(id: $id) { id text model { id } }\n  }\n": typeof types.CompletionByIdDocument,
    "\n  query Embeddings($model: ID!, $texts: [String!]!) {\n    embeddings(model: $model, texts: $texts) {\n      dimensions\n      embeddings { index vector }\n      usage { promptTokens }\n      model { id displayName }\n    }\n  }\n": typeof types.EmbeddingsDocument,
    "\n  mutation RegisterModel($input: RegisterModelInput!) {\n    registerModel(input: $input) {\n      id\n      version\n      aliases\n      status\n      engine { kind modelPath baseUrl upstreamModel hasApiKey }\n      pricing { inputPerMillionTokens outputPerMillionTokens currency }\n      createdAt\n    }\n  }\n": typeof types.RegisterModelDocument,
    "\n  query ModelByName($id: ID!) {\n    model(id: $id) { id displayName version status contextLength embeddingDimensions capabilities }\n  }\n": typeof types.ModelByNameDocument,
    "\n  query ListModels($filter: ModelFilter, $first: Int, $after: String) {\n    models(filter: $filter, first: $first, after: $after) {\n      totalCount\n      nodes { id }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.ListModelsDocument,
    "\n  mutation UpdateModel($id: ID!, $expectedVersion: Int!, $input: UpdateModelInput!) {\n    updateModel(id: $id, expectedVersion: $expectedVersion, input: $input) { id version displayName aliases }\n  }\n": typeof types.UpdateModelDocument,
    "\n  mutation SetModelStatus($id: ID!, $status: ModelStatus!) {\n    setModelStatus(id: $id, status: $status) { id status version }\n  }\n": typeof types.SetModelStatusDocument,
    "\n  mutation DeleteModel($id: ID!, $expectedVersion: Int) {\n    deleteModel(id: $id, expectedVersion: $expectedVersion) { id }\n  }\n": typeof types.DeleteModelDocument,
    "\n  mutation RegisterCachedModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id version }\n  }\n": typeof types.RegisterCachedModelDocument,
    "\n  mutation UpdateCachedModel($id: ID!, $expectedVersion: Int!, $input: UpdateModelInput!) {\n    updateModel(id: $id, expectedVersion: $expectedVersion, input: $input) { id version }\n  }\n": typeof types.UpdateCachedModelDocument,
    "\n  mutation CachedCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) {\n      id\n      text\n      finishReason\n      usage { promptTokens completionTokens }\n      cost { amountMicros }\n      cache { hit kind ttlSeconds }\n    }\n  }\n": typeof types.CachedCompletionDocument,
    "\n  query CachedCompletionById($id: ID!) {\n    completion(id: $id) { id text cache { hit kind } }\n  }\n": typeof types.CachedCompletionByIdDocument,
    "\n  query CachedEmbeddings($model: ID!, $texts: [String!]!, $cache: CacheInput) {\n    embeddings(model: $model, texts: $texts, cache: $cache) {\n      embeddings { index vector }\n      usage { promptTokens }\n      cache { hit kind ttlSeconds }\n    }\n  }\n": typeof types.CachedEmbeddingsDocument,
    "\n  subscription CachedCompletionStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextDeltaEvent { index text }\n      ... on TextEndEvent { completion { id text cache { hit kind } } }\n    }\n  }\n": typeof types.CachedCompletionStreamDocument,
    "\n  query CacheUsage($input: UsageQueryInput!) {\n    usage(input: $input) { totals { requests cacheHits cacheHitRate promptTokens completionTokens costs { amountMicros } } }\n  }\n": typeof types.CacheUsageDocument,
    "\n  mutation RegisterRetrievalModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id }\n  }\n": typeof types.RegisterRetrievalModelDocument,
    "\n  mutation CreateCollection($input: CreateCollectionInput!) {\n    createCollection(input: $input) { id name dimensions chunkMaxTokens chunkOverlapTokens embeddingModel { id displayName } }\n  }\n": typeof types.CreateCollectionDocument,
    "\n  mutation IngestDocument($input: IngestDocumentInput!) {\n    ingestDocument(input: $input) {\n      id source title mediaType status chunkCount tokenCount characterCount contentHash\n      metadata { key value }\n      ingestion { chunksEmbedded chunksTotal error { code message } }\n      collection { id name }\n    }\n  }\n": typeof types.IngestDocumentDocument,
    "\n  query DocumentById($id: ID!) {\n    document(id: $id) { id status chunkCount ingestion { chunksEmbedded chunksTotal error { code } } }\n  }\n": typeof types.DocumentByIdDocument,
    "\n  query CollectionDocuments($id: ID!, $filters: [MetadataFilterInput!]) {\n    collection(id: $id) { id documentCount metadataKeys documents(filters: $filters) { totalCount nodes { id source status } pageInfo { hasNextPage endCursor } } }\n  }\n": typeof types.CollectionDocumentsDocument,
    "\n  query Search($input: SearchInput!) {\n    search(input: $input) {\n      mode\n      hits { score vectorRank keywordRank chunk { id index text headingPath tokenCount document { id source title metadata { key value } } } }\n    }\n  }\n": typeof types.SearchDocument,
    "\n  mutation DeleteDocument($id: ID!) { deleteDocument(id: $id) }\n": typeof types.DeleteDocumentDocument,
    "\n  mutation DeleteCollection($id: ID!) { deleteCollection(id: $id) }\n": typeof types.DeleteCollectionDocument,
    "\n  mutation GroundedCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) {\n      id text usage { promptTokens }\n      citations { id text document { source } }\n    }\n  }\n": typeof types.GroundedCompletionDocument,
    "\n  subscription GroundedStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextEndEvent { completion { id citations { id text document { source } } } }\n    }\n  }\n": typeof types.GroundedStreamDocument,
    "\n  subscription CompletionStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextStartEvent { completionId model { id } }\n      ... on TextDeltaEvent { completionId index text }\n      ... on TextEndEvent {\n        completion {\n          id\n          text\n          finishReason\n          usage { promptTokens completionTokens }\n          timeToFirstTokenMillis\n          model { id displayName pricing { inputPerMillionTokens outputPerMillionTokens } }\n        }\n      }\n    }\n  }\n": typeof types.CompletionStreamDocument,
    "\n  mutation StreamedCompletionText($input: CompletionInput!) {\n    createCompletion(input: $input) { text }\n  }\n": typeof types.StreamedCompletionTextDocument,
    "\n  mutation RegisterStreamingModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id }\n  }\n": typeof types.RegisterStreamingModelDocument,
    "\n  query StreamingModelCount { models { totalCount } }\n": typeof types.StreamingModelCountDocument,
    "\n  mutation RegisterMeteredModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id version }\n  }\n": typeof types.RegisterMeteredModelDocument,
    "\n  mutation UpdateMeteredPricing($id: ID!, $expectedVersion: Int!, $input: UpdateModelInput!) {\n    updateModel(id: $id, expectedVersion: $expectedVersion, input: $input) { id version }\n  }\n": typeof types.UpdateMeteredPricingDocument,
    "\n  mutation MeteredCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) { id usage { promptTokens completionTokens } cost { amount amountMicros currency } }\n  }\n": typeof types.MeteredCompletionDocument,
    "\n  query MeteredEmbeddings($model: ID!, $texts: [String!]!) {\n    embeddings(model: $model, texts: $texts) { usage { promptTokens } }\n  }\n": typeof types.MeteredEmbeddingsDocument,
    "\n  subscription MeteredStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextEndEvent { completion { id cost { amountMicros currency } } }\n    }\n  }\n": typeof types.MeteredStreamDocument,
    "\n  query UsageReport($input: UsageQueryInput!) {\n    usage(input: $input) {\n      granularity\n      rows { periodStart tenantId model { id displayName } summary { requests failed promptTokens completionTokens } }\n      totals {\n        requests succeeded failed cancelled errorRate promptTokens completionTokens totalTokens\n        costs { amount amountMicros currency }\n        latencyMillis { p50 p99 }\n      }\n    }\n  }\n": typeof types.UsageReportDocument,
    "\n  query ModelUsage($id: ID!, $from: DateTime!, $to: DateTime!) {\n    model(id: $id) { id usage(from: $from, to: $to) { requests costs { amountMicros } } }\n  }\n": typeof types.ModelUsageDocument,
    "\n  mutation SetQuota($input: TenantQuotaInput!) {\n    setTenantQuota(input: $input) { tenantId tokensPerMinute tokensPerDay costPerMonth concurrentStreams updatedAt }\n  }\n": typeof types.SetQuotaDocument,
    "\n  mutation RemoveQuota($tenantId: ID!) { removeTenantQuota(tenantId: $tenantId) }\n": typeof types.RemoveQuotaDocument,
    "\n  query QuotaStatus($tenantId: ID) {\n    quota(tenantId: $tenantId) { tenantId tokensPerMinute currentUse { tokensThisMinute tokensToday costThisMonth activeStreams } }\n  }\n": typeof types.QuotaStatusDocument,
    "\n  mutation RegisterGroundingModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id }\n  }\n": typeof types.RegisterGroundingModelDocument,
    "\n  mutation CreateGroundingCollection($input: CreateCollectionInput!) {\n    createCollection(input: $input) { id groundingMinSimilarity }\n  }\n": typeof types.CreateGroundingCollectionDocument,
    "\n  mutation IngestGroundingDocument($input: IngestDocumentInput!) {\n    ingestDocument(input: $input) { id status }\n  }\n": typeof types.IngestGroundingDocumentDocument,
    "\n  mutation GroundedOrAbstained($input: CompletionInput!) {\n    createCompletion(input: $input) {\n      text\n      finishReason\n      usage { promptTokens completionTokens }\n      citations { document { source } }\n      grounding { status bestSimilarity minSimilarity fallback }\n    }\n  }\n": typeof types.GroundedOrAbstainedDocument,
    "\n  subscription AbstainingStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextEndEvent { completion { text finishReason grounding { status fallback } } }\n    }\n  }\n": typeof types.AbstainingStreamDocument,
    "\n  query PagedSearch($input: SearchInput!) {\n    search(input: $input) {\n      totalCount\n      bestSimilarity\n      pageInfo { hasNextPage endCursor }\n      hits { text textTruncated similarity chunk { id text headingPath } }\n    }\n  }\n": typeof types.PagedSearchDocument,
    "\n  mutation RegisterRealModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id }\n  }\n": typeof types.RegisterRealModelDocument,
    "\n  mutation CreateRealCollection($input: CreateCollectionInput!) {\n    createCollection(input: $input) { id dimensions }\n  }\n": typeof types.CreateRealCollectionDocument,
    "\n  mutation IngestRealDocument($input: IngestDocumentInput!) {\n    ingestDocument(input: $input) { id source status }\n  }\n": typeof types.IngestRealDocumentDocument,
    "\n  query SearchReal($input: SearchInput!) {\n    search(input: $input) { hits { score chunk { document { source } } } }\n  }\n": typeof types.SearchRealDocument,
    "\n  query EmbedReal($model: ID!, $texts: [String!]!) {\n    embeddings(model: $model, texts: $texts) { dimensions embeddings { vector } usage { promptTokens } }\n  }\n": typeof types.EmbedRealDocument,
    "\n  mutation GroundedReal($input: CompletionInput!) {\n    createCompletion(input: $input) { text citations { document { source } } }\n  }\n": typeof types.GroundedRealDocument,
    "\n  mutation MigrateReal($input: MigrateCollectionInput!) {\n    migrateCollection(input: $input) { id migration { id status chunksTotal targetDimensions } }\n  }\n": typeof types.MigrateRealDocument,
    "\n  query MigrationReal($id: ID!) {\n    collection(id: $id) {\n      dimensions\n      embeddingModel { id }\n      migration { status chunksTotal chunksEmbedded recallAtTen error { code message } sourceEmbeddingModel { id } targetEmbeddingModel { id } }\n    }\n  }\n": typeof types.MigrationRealDocument,
    "\n  query RerankReal($model: ID!, $query: String!, $documents: [String!]!) {\n    rerank(model: $model, query: $query, documents: $documents) { scores model { id } usage { promptTokens } }\n  }\n": typeof types.RerankRealDocument,
    "\n  query SearchRerankedReal($input: SearchInput!) {\n    search(input: $input) { hits { score rerankScore similarity chunk { document { source } } } }\n  }\n": typeof types.SearchRerankedRealDocument,
};
const documents: Documents = {
    "\n  mutation BenchRegister($input: RegisterModelInput!) { registerModel(input: $input) { id } }\n": types.BenchRegisterDocument,
    "\n  mutation RegisterFetchedModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id version contextLength embeddingDimensions engine { modelPath } }\n  }\n": types.RegisterFetchedModelDocument,
    "\n  mutation ClientStackRegister($input: RegisterModelInput!) { registerModel(input: $input) { id } }\n": types.ClientStackRegisterDocument,
    "\n  mutation ClientStackCompletion($input: CompletionInput!) { createCompletion(input: $input) { id text } }\n": types.ClientStackCompletionDocument,
    "\n  query ClientStackModels { models(first: 5) { totalCount } }\n": types.ClientStackModelsDocument,
    "\n  subscription ClientStackEvents($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextStartEvent { id completionId }\n      ... on TextDeltaEvent { id completionId index text }\n      ... on TextEndEvent { id completionId completion { id text } }\n    }\n  }\n": types.ClientStackEventsDocument,
    "\n  mutation InstallableRegister($input: RegisterModelInput!) { registerModel(input: $input) { id } }\n": types.InstallableRegisterDocument,
    "\n  query FetchedModel($id: ID!) {\n    model(id: $id) { id family capabilities contextLength embeddingDimensions engine { kind modelPath } }\n  }\n": types.FetchedModelDocument,
    "\n  mutation RegisterInferenceModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id version }\n  }\n": types.RegisterInferenceModelDocument,
    "\n  mutation SetInferenceModelStatus($id: ID!, $status: ModelStatus!) {\n    setModelStatus(id: $id, status: $status) { id status }\n  }\n": types.SetInferenceModelStatusDocument,
    "\n  mutation CreateCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) {\n      id\n      text\n      finishReason\n      usage { promptTokens completionTokens totalTokens }\n      latencyMillis\n      timeToFirstTokenMillis\n      createdAt\n      model { id displayName pricing { inputPerMillionTokens currency } }\n    }\n  }\n": types.CreateCompletionDocument,
    "\n  query CompletionById($id: ID!) {\n    completion(id: $id) { id text model { id } }\n  }\n": types.CompletionByIdDocument,
    "\n  query Embeddings($model: ID!, $texts: [String!]!) {\n    embeddings(model: $model, texts: $texts) {\n      dimensions\n      embeddings { index vector }\n      usage { promptTokens }\n      model { id displayName }\n    }\n  }\n": types.EmbeddingsDocument,
    "\n  mutation RegisterModel($input: RegisterModelInput!) {\n    registerModel(input: $input) {\n      id\n      version\n      aliases\n      status\n      engine { kind modelPath baseUrl upstreamModel hasApiKey }\n      pricing { inputPerMillionTokens outputPerMillionTokens currency }\n      createdAt\n    }\n  }\n": types.RegisterModelDocument,
    "\n  query ModelByName($id: ID!) {\n    model(id: $id) { id displayName version status contextLength embeddingDimensions capabilities }\n  }\n": types.ModelByNameDocument,
    "\n  query ListModels($filter: ModelFilter, $first: Int, $after: String) {\n    models(filter: $filter, first: $first, after: $after) {\n      totalCount\n      nodes { id }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.ListModelsDocument,
    "\n  mutation UpdateModel($id: ID!, $expectedVersion: Int!, $input: UpdateModelInput!) {\n    updateModel(id: $id, expectedVersion: $expectedVersion, input: $input) { id version displayName aliases }\n  }\n": types.UpdateModelDocument,
    "\n  mutation SetModelStatus($id: ID!, $status: ModelStatus!) {\n    setModelStatus(id: $id, status: $status) { id status version }\n  }\n": types.SetModelStatusDocument,
    "\n  mutation DeleteModel($id: ID!, $expectedVersion: Int) {\n    deleteModel(id: $id, expectedVersion: $expectedVersion) { id }\n  }\n": types.DeleteModelDocument,
    "\n  mutation RegisterCachedModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id version }\n  }\n": types.RegisterCachedModelDocument,
    "\n  mutation UpdateCachedModel($id: ID!, $expectedVersion: Int!, $input: UpdateModelInput!) {\n    updateModel(id: $id, expectedVersion: $expectedVersion, input: $input) { id version }\n  }\n": types.UpdateCachedModelDocument,
    "\n  mutation CachedCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) {\n      id\n      text\n      finishReason\n      usage { promptTokens completionTokens }\n      cost { amountMicros }\n      cache { hit kind ttlSeconds }\n    }\n  }\n": types.CachedCompletionDocument,
    "\n  query CachedCompletionById($id: ID!) {\n    completion(id: $id) { id text cache { hit kind } }\n  }\n": types.CachedCompletionByIdDocument,
    "\n  query CachedEmbeddings($model: ID!, $texts: [String!]!, $cache: CacheInput) {\n    embeddings(model: $model, texts: $texts, cache: $cache) {\n      embeddings { index vector }\n      usage { promptTokens }\n      cache { hit kind ttlSeconds }\n    }\n  }\n": types.CachedEmbeddingsDocument,
    "\n  subscription CachedCompletionStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextDeltaEvent { index text }\n      ... on TextEndEvent { completion { id text cache { hit kind } } }\n    }\n  }\n": types.CachedCompletionStreamDocument,
    "\n  query CacheUsage($input: UsageQueryInput!) {\n    usage(input: $input) { totals { requests cacheHits cacheHitRate promptTokens completionTokens costs { amountMicros } } }\n  }\n": types.CacheUsageDocument,
    "\n  mutation RegisterRetrievalModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id }\n  }\n": types.RegisterRetrievalModelDocument,
    "\n  mutation CreateCollection($input: CreateCollectionInput!) {\n    createCollection(input: $input) { id name dimensions chunkMaxTokens chunkOverlapTokens embeddingModel { id displayName } }\n  }\n": types.CreateCollectionDocument,
    "\n  mutation IngestDocument($input: IngestDocumentInput!) {\n    ingestDocument(input: $input) {\n      id source title mediaType status chunkCount tokenCount characterCount contentHash\n      metadata { key value }\n      ingestion { chunksEmbedded chunksTotal error { code message } }\n      collection { id name }\n    }\n  }\n": types.IngestDocumentDocument,
    "\n  query DocumentById($id: ID!) {\n    document(id: $id) { id status chunkCount ingestion { chunksEmbedded chunksTotal error { code } } }\n  }\n": types.DocumentByIdDocument,
    "\n  query CollectionDocuments($id: ID!, $filters: [MetadataFilterInput!]) {\n    collection(id: $id) { id documentCount metadataKeys documents(filters: $filters) { totalCount nodes { id source status } pageInfo { hasNextPage endCursor } } }\n  }\n": types.CollectionDocumentsDocument,
    "\n  query Search($input: SearchInput!) {\n    search(input: $input) {\n      mode\n      hits { score vectorRank keywordRank chunk { id index text headingPath tokenCount document { id source title metadata { key value } } } }\n    }\n  }\n": types.SearchDocument,
    "\n  mutation DeleteDocument($id: ID!) { deleteDocument(id: $id) }\n": types.DeleteDocumentDocument,
    "\n  mutation DeleteCollection($id: ID!) { deleteCollection(id: $id) }\n": types.DeleteCollectionDocument,
    "\n  mutation GroundedCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) {\n      id text usage { promptTokens }\n      citations { id text document { source } }\n    }\n  }\n": types.GroundedCompletionDocument,
    "\n  subscription GroundedStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextEndEvent { completion { id citations { id text document { source } } } }\n    }\n  }\n": types.GroundedStreamDocument,
    "\n  subscription CompletionStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextStartEvent { completionId model { id } }\n      ... on TextDeltaEvent { completionId index text }\n      ... on TextEndEvent {\n        completion {\n          id\n          text\n          finishReason\n          usage { promptTokens completionTokens }\n          timeToFirstTokenMillis\n          model { id displayName pricing { inputPerMillionTokens outputPerMillionTokens } }\n        }\n      }\n    }\n  }\n": types.CompletionStreamDocument,
    "\n  mutation StreamedCompletionText($input: CompletionInput!) {\n    createCompletion(input: $input) { text }\n  }\n": types.StreamedCompletionTextDocument,
    "\n  mutation RegisterStreamingModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id }\n  }\n": types.RegisterStreamingModelDocument,
    "\n  query StreamingModelCount { models { totalCount } }\n": types.StreamingModelCountDocument,
    "\n  mutation RegisterMeteredModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id version }\n  }\n": types.RegisterMeteredModelDocument,
    "\n  mutation UpdateMeteredPricing($id: ID!, $expectedVersion: Int!, $input: UpdateModelInput!) {\n    updateModel(id: $id, expectedVersion: $expectedVersion, input: $input) { id version }\n  }\n": types.UpdateMeteredPricingDocument,
    "\n  mutation MeteredCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) { id usage { promptTokens completionTokens } cost { amount amountMicros currency } }\n  }\n": types.MeteredCompletionDocument,
    "\n  query MeteredEmbeddings($model: ID!, $texts: [String!]!) {\n    embeddings(model: $model, texts: $texts) { usage { promptTokens } }\n  }\n": types.MeteredEmbeddingsDocument,
    "\n  subscription MeteredStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextEndEvent { completion { id cost { amountMicros currency } } }\n    }\n  }\n": types.MeteredStreamDocument,
    "\n  query UsageReport($input: UsageQueryInput!) {\n    usage(input: $input) {\n      granularity\n      rows { periodStart tenantId model { id displayName } summary { requests failed promptTokens completionTokens } }\n      totals {\n        requests succeeded failed cancelled errorRate promptTokens completionTokens totalTokens\n        costs { amount amountMicros currency }\n        latencyMillis { p50 p99 }\n      }\n    }\n  }\n": types.UsageReportDocument,
    "\n  query ModelUsage($id: ID!, $from: DateTime!, $to: DateTime!) {\n    model(id: $id) { id usage(from: $from, to: $to) { requests costs { amountMicros } } }\n  }\n": types.ModelUsageDocument,
    "\n  mutation SetQuota($input: TenantQuotaInput!) {\n    setTenantQuota(input: $input) { tenantId tokensPerMinute tokensPerDay costPerMonth concurrentStreams updatedAt }\n  }\n": types.SetQuotaDocument,
    "\n  mutation RemoveQuota($tenantId: ID!) { removeTenantQuota(tenantId: $tenantId) }\n": types.RemoveQuotaDocument,
    "\n  query QuotaStatus($tenantId: ID) {\n    quota(tenantId: $tenantId) { tenantId tokensPerMinute currentUse { tokensThisMinute tokensToday costThisMonth activeStreams } }\n  }\n": types.QuotaStatusDocument,
    "\n  mutation RegisterGroundingModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id }\n  }\n": types.RegisterGroundingModelDocument,
    "\n  mutation CreateGroundingCollection($input: CreateCollectionInput!) {\n    createCollection(input: $input) { id groundingMinSimilarity }\n  }\n": types.CreateGroundingCollectionDocument,
    "\n  mutation IngestGroundingDocument($input: IngestDocumentInput!) {\n    ingestDocument(input: $input) { id status }\n  }\n": types.IngestGroundingDocumentDocument,
    "\n  mutation GroundedOrAbstained($input: CompletionInput!) {\n    createCompletion(input: $input) {\n      text\n      finishReason\n      usage { promptTokens completionTokens }\n      citations { document { source } }\n      grounding { status bestSimilarity minSimilarity fallback }\n    }\n  }\n": types.GroundedOrAbstainedDocument,
    "\n  subscription AbstainingStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextEndEvent { completion { text finishReason grounding { status fallback } } }\n    }\n  }\n": types.AbstainingStreamDocument,
    "\n  query PagedSearch($input: SearchInput!) {\n    search(input: $input) {\n      totalCount\n      bestSimilarity\n      pageInfo { hasNextPage endCursor }\n      hits { text textTruncated similarity chunk { id text headingPath } }\n    }\n  }\n": types.PagedSearchDocument,
    "\n  mutation RegisterRealModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id }\n  }\n": types.RegisterRealModelDocument,
    "\n  mutation CreateRealCollection($input: CreateCollectionInput!) {\n    createCollection(input: $input) { id dimensions }\n  }\n": types.CreateRealCollectionDocument,
    "\n  mutation IngestRealDocument($input: IngestDocumentInput!) {\n    ingestDocument(input: $input) { id source status }\n  }\n": types.IngestRealDocumentDocument,
    "\n  query SearchReal($input: SearchInput!) {\n    search(input: $input) { hits { score chunk { document { source } } } }\n  }\n": types.SearchRealDocument,
    "\n  query EmbedReal($model: ID!, $texts: [String!]!) {\n    embeddings(model: $model, texts: $texts) { dimensions embeddings { vector } usage { promptTokens } }\n  }\n": types.EmbedRealDocument,
    "\n  mutation GroundedReal($input: CompletionInput!) {\n    createCompletion(input: $input) { text citations { document { source } } }\n  }\n": types.GroundedRealDocument,
    "\n  mutation MigrateReal($input: MigrateCollectionInput!) {\n    migrateCollection(input: $input) { id migration { id status chunksTotal targetDimensions } }\n  }\n": types.MigrateRealDocument,
    "\n  query MigrationReal($id: ID!) {\n    collection(id: $id) {\n      dimensions\n      embeddingModel { id }\n      migration { status chunksTotal chunksEmbedded recallAtTen error { code message } sourceEmbeddingModel { id } targetEmbeddingModel { id } }\n    }\n  }\n": types.MigrationRealDocument,
    "\n  query RerankReal($model: ID!, $query: String!, $documents: [String!]!) {\n    rerank(model: $model, query: $query, documents: $documents) { scores model { id } usage { promptTokens } }\n  }\n": types.RerankRealDocument,
    "\n  query SearchRerankedReal($input: SearchInput!) {\n    search(input: $input) { hits { score rerankScore similarity chunk { document { source } } } }\n  }\n": types.SearchRerankedRealDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BenchRegister($input: RegisterModelInput!) { registerModel(input: $input) { id } }\n"): (typeof documents)["\n  mutation BenchRegister($input: RegisterModelInput!) { registerModel(input: $input) { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterFetchedModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id version contextLength embeddingDimensions engine { modelPath } }\n  }\n"): (typeof documents)["\n  mutation RegisterFetchedModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id version contextLength embeddingDimensions engine { modelPath } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClientStackRegister($input: RegisterModelInput!) { registerModel(input: $input) { id } }\n"): (typeof documents)["\n  mutation ClientStackRegister($input: RegisterModelInput!) { registerModel(input: $input) { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClientStackCompletion($input: CompletionInput!) { createCompletion(input: $input) { id text } }\n"): (typeof documents)["\n  mutation ClientStackCompletion($input: CompletionInput!) { createCompletion(input: $input) { id text } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ClientStackModels { models(first: 5) { totalCount } }\n"): (typeof documents)["\n  query ClientStackModels { models(first: 5) { totalCount } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ClientStackEvents($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextStartEvent { id completionId }\n      ... on TextDeltaEvent { id completionId index text }\n      ... on TextEndEvent { id completionId completion { id text } }\n    }\n  }\n"): (typeof documents)["\n  subscription ClientStackEvents($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextStartEvent { id completionId }\n      ... on TextDeltaEvent { id completionId index text }\n      ... on TextEndEvent { id completionId completion { id text } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InstallableRegister($input: RegisterModelInput!) { registerModel(input: $input) { id } }\n"): (typeof documents)["\n  mutation InstallableRegister($input: RegisterModelInput!) { registerModel(input: $input) { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FetchedModel($id: ID!) {\n    model(id: $id) { id family capabilities contextLength embeddingDimensions engine { kind modelPath } }\n  }\n"): (typeof documents)["\n  query FetchedModel($id: ID!) {\n    model(id: $id) { id family capabilities contextLength embeddingDimensions engine { kind modelPath } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterInferenceModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id version }\n  }\n"): (typeof documents)["\n  mutation RegisterInferenceModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id version }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetInferenceModelStatus($id: ID!, $status: ModelStatus!) {\n    setModelStatus(id: $id, status: $status) { id status }\n  }\n"): (typeof documents)["\n  mutation SetInferenceModelStatus($id: ID!, $status: ModelStatus!) {\n    setModelStatus(id: $id, status: $status) { id status }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) {\n      id\n      text\n      finishReason\n      usage { promptTokens completionTokens totalTokens }\n      latencyMillis\n      timeToFirstTokenMillis\n      createdAt\n      model { id displayName pricing { inputPerMillionTokens currency } }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) {\n      id\n      text\n      finishReason\n      usage { promptTokens completionTokens totalTokens }\n      latencyMillis\n      timeToFirstTokenMillis\n      createdAt\n      model { id displayName pricing { inputPerMillionTokens currency } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CompletionById($id: ID!) {\n    completion(id: $id) { id text model { id } }\n  }\n"): (typeof documents)["\n  query CompletionById($id: ID!) {\n    completion(id: $id) { id text model { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Embeddings($model: ID!, $texts: [String!]!) {\n    embeddings(model: $model, texts: $texts) {\n      dimensions\n      embeddings { index vector }\n      usage { promptTokens }\n      model { id displayName }\n    }\n  }\n"): (typeof documents)["\n  query Embeddings($model: ID!, $texts: [String!]!) {\n    embeddings(model: $model, texts: $texts) {\n      dimensions\n      embeddings { index vector }\n      usage { promptTokens }\n      model { id displayName }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterModel($input: RegisterModelInput!) {\n    registerModel(input: $input) {\n      id\n      version\n      aliases\n      status\n      engine { kind modelPath baseUrl upstreamModel hasApiKey }\n      pricing { inputPerMillionTokens outputPerMillionTokens currency }\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  mutation RegisterModel($input: RegisterModelInput!) {\n    registerModel(input: $input) {\n      id\n      version\n      aliases\n      status\n      engine { kind modelPath baseUrl upstreamModel hasApiKey }\n      pricing { inputPerMillionTokens outputPerMillionTokens currency }\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ModelByName($id: ID!) {\n    model(id: $id) { id displayName version status contextLength embeddingDimensions capabilities }\n  }\n"): (typeof documents)["\n  query ModelByName($id: ID!) {\n    model(id: $id) { id displayName version status contextLength embeddingDimensions capabilities }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListModels($filter: ModelFilter, $first: Int, $after: String) {\n    models(filter: $filter, first: $first, after: $after) {\n      totalCount\n      nodes { id }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query ListModels($filter: ModelFilter, $first: Int, $after: String) {\n    models(filter: $filter, first: $first, after: $after) {\n      totalCount\n      nodes { id }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateModel($id: ID!, $expectedVersion: Int!, $input: UpdateModelInput!) {\n    updateModel(id: $id, expectedVersion: $expectedVersion, input: $input) { id version displayName aliases }\n  }\n"): (typeof documents)["\n  mutation UpdateModel($id: ID!, $expectedVersion: Int!, $input: UpdateModelInput!) {\n    updateModel(id: $id, expectedVersion: $expectedVersion, input: $input) { id version displayName aliases }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetModelStatus($id: ID!, $status: ModelStatus!) {\n    setModelStatus(id: $id, status: $status) { id status version }\n  }\n"): (typeof documents)["\n  mutation SetModelStatus($id: ID!, $status: ModelStatus!) {\n    setModelStatus(id: $id, status: $status) { id status version }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteModel($id: ID!, $expectedVersion: Int) {\n    deleteModel(id: $id, expectedVersion: $expectedVersion) { id }\n  }\n"): (typeof documents)["\n  mutation DeleteModel($id: ID!, $expectedVersion: Int) {\n    deleteModel(id: $id, expectedVersion: $expectedVersion) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterCachedModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id version }\n  }\n"): (typeof documents)["\n  mutation RegisterCachedModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id version }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateCachedModel($id: ID!, $expectedVersion: Int!, $input: UpdateModelInput!) {\n    updateModel(id: $id, expectedVersion: $expectedVersion, input: $input) { id version }\n  }\n"): (typeof documents)["\n  mutation UpdateCachedModel($id: ID!, $expectedVersion: Int!, $input: UpdateModelInput!) {\n    updateModel(id: $id, expectedVersion: $expectedVersion, input: $input) { id version }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CachedCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) {\n      id\n      text\n      finishReason\n      usage { promptTokens completionTokens }\n      cost { amountMicros }\n      cache { hit kind ttlSeconds }\n    }\n  }\n"): (typeof documents)["\n  mutation CachedCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) {\n      id\n      text\n      finishReason\n      usage { promptTokens completionTokens }\n      cost { amountMicros }\n      cache { hit kind ttlSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CachedCompletionById($id: ID!) {\n    completion(id: $id) { id text cache { hit kind } }\n  }\n"): (typeof documents)["\n  query CachedCompletionById($id: ID!) {\n    completion(id: $id) { id text cache { hit kind } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CachedEmbeddings($model: ID!, $texts: [String!]!, $cache: CacheInput) {\n    embeddings(model: $model, texts: $texts, cache: $cache) {\n      embeddings { index vector }\n      usage { promptTokens }\n      cache { hit kind ttlSeconds }\n    }\n  }\n"): (typeof documents)["\n  query CachedEmbeddings($model: ID!, $texts: [String!]!, $cache: CacheInput) {\n    embeddings(model: $model, texts: $texts, cache: $cache) {\n      embeddings { index vector }\n      usage { promptTokens }\n      cache { hit kind ttlSeconds }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CachedCompletionStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextDeltaEvent { index text }\n      ... on TextEndEvent { completion { id text cache { hit kind } } }\n    }\n  }\n"): (typeof documents)["\n  subscription CachedCompletionStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextDeltaEvent { index text }\n      ... on TextEndEvent { completion { id text cache { hit kind } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CacheUsage($input: UsageQueryInput!) {\n    usage(input: $input) { totals { requests cacheHits cacheHitRate promptTokens completionTokens costs { amountMicros } } }\n  }\n"): (typeof documents)["\n  query CacheUsage($input: UsageQueryInput!) {\n    usage(input: $input) { totals { requests cacheHits cacheHitRate promptTokens completionTokens costs { amountMicros } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterRetrievalModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id }\n  }\n"): (typeof documents)["\n  mutation RegisterRetrievalModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateCollection($input: CreateCollectionInput!) {\n    createCollection(input: $input) { id name dimensions chunkMaxTokens chunkOverlapTokens embeddingModel { id displayName } }\n  }\n"): (typeof documents)["\n  mutation CreateCollection($input: CreateCollectionInput!) {\n    createCollection(input: $input) { id name dimensions chunkMaxTokens chunkOverlapTokens embeddingModel { id displayName } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IngestDocument($input: IngestDocumentInput!) {\n    ingestDocument(input: $input) {\n      id source title mediaType status chunkCount tokenCount characterCount contentHash\n      metadata { key value }\n      ingestion { chunksEmbedded chunksTotal error { code message } }\n      collection { id name }\n    }\n  }\n"): (typeof documents)["\n  mutation IngestDocument($input: IngestDocumentInput!) {\n    ingestDocument(input: $input) {\n      id source title mediaType status chunkCount tokenCount characterCount contentHash\n      metadata { key value }\n      ingestion { chunksEmbedded chunksTotal error { code message } }\n      collection { id name }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DocumentById($id: ID!) {\n    document(id: $id) { id status chunkCount ingestion { chunksEmbedded chunksTotal error { code } } }\n  }\n"): (typeof documents)["\n  query DocumentById($id: ID!) {\n    document(id: $id) { id status chunkCount ingestion { chunksEmbedded chunksTotal error { code } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CollectionDocuments($id: ID!, $filters: [MetadataFilterInput!]) {\n    collection(id: $id) { id documentCount metadataKeys documents(filters: $filters) { totalCount nodes { id source status } pageInfo { hasNextPage endCursor } } }\n  }\n"): (typeof documents)["\n  query CollectionDocuments($id: ID!, $filters: [MetadataFilterInput!]) {\n    collection(id: $id) { id documentCount metadataKeys documents(filters: $filters) { totalCount nodes { id source status } pageInfo { hasNextPage endCursor } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Search($input: SearchInput!) {\n    search(input: $input) {\n      mode\n      hits { score vectorRank keywordRank chunk { id index text headingPath tokenCount document { id source title metadata { key value } } } }\n    }\n  }\n"): (typeof documents)["\n  query Search($input: SearchInput!) {\n    search(input: $input) {\n      mode\n      hits { score vectorRank keywordRank chunk { id index text headingPath tokenCount document { id source title metadata { key value } } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteDocument($id: ID!) { deleteDocument(id: $id) }\n"): (typeof documents)["\n  mutation DeleteDocument($id: ID!) { deleteDocument(id: $id) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteCollection($id: ID!) { deleteCollection(id: $id) }\n"): (typeof documents)["\n  mutation DeleteCollection($id: ID!) { deleteCollection(id: $id) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GroundedCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) {\n      id text usage { promptTokens }\n      citations { id text document { source } }\n    }\n  }\n"): (typeof documents)["\n  mutation GroundedCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) {\n      id text usage { promptTokens }\n      citations { id text document { source } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription GroundedStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextEndEvent { completion { id citations { id text document { source } } } }\n    }\n  }\n"): (typeof documents)["\n  subscription GroundedStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextEndEvent { completion { id citations { id text document { source } } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CompletionStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextStartEvent { completionId model { id } }\n      ... on TextDeltaEvent { completionId index text }\n      ... on TextEndEvent {\n        completion {\n          id\n          text\n          finishReason\n          usage { promptTokens completionTokens }\n          timeToFirstTokenMillis\n          model { id displayName pricing { inputPerMillionTokens outputPerMillionTokens } }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription CompletionStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextStartEvent { completionId model { id } }\n      ... on TextDeltaEvent { completionId index text }\n      ... on TextEndEvent {\n        completion {\n          id\n          text\n          finishReason\n          usage { promptTokens completionTokens }\n          timeToFirstTokenMillis\n          model { id displayName pricing { inputPerMillionTokens outputPerMillionTokens } }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StreamedCompletionText($input: CompletionInput!) {\n    createCompletion(input: $input) { text }\n  }\n"): (typeof documents)["\n  mutation StreamedCompletionText($input: CompletionInput!) {\n    createCompletion(input: $input) { text }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterStreamingModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id }\n  }\n"): (typeof documents)["\n  mutation RegisterStreamingModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StreamingModelCount { models { totalCount } }\n"): (typeof documents)["\n  query StreamingModelCount { models { totalCount } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterMeteredModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id version }\n  }\n"): (typeof documents)["\n  mutation RegisterMeteredModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id version }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateMeteredPricing($id: ID!, $expectedVersion: Int!, $input: UpdateModelInput!) {\n    updateModel(id: $id, expectedVersion: $expectedVersion, input: $input) { id version }\n  }\n"): (typeof documents)["\n  mutation UpdateMeteredPricing($id: ID!, $expectedVersion: Int!, $input: UpdateModelInput!) {\n    updateModel(id: $id, expectedVersion: $expectedVersion, input: $input) { id version }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MeteredCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) { id usage { promptTokens completionTokens } cost { amount amountMicros currency } }\n  }\n"): (typeof documents)["\n  mutation MeteredCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) { id usage { promptTokens completionTokens } cost { amount amountMicros currency } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MeteredEmbeddings($model: ID!, $texts: [String!]!) {\n    embeddings(model: $model, texts: $texts) { usage { promptTokens } }\n  }\n"): (typeof documents)["\n  query MeteredEmbeddings($model: ID!, $texts: [String!]!) {\n    embeddings(model: $model, texts: $texts) { usage { promptTokens } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MeteredStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextEndEvent { completion { id cost { amountMicros currency } } }\n    }\n  }\n"): (typeof documents)["\n  subscription MeteredStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextEndEvent { completion { id cost { amountMicros currency } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UsageReport($input: UsageQueryInput!) {\n    usage(input: $input) {\n      granularity\n      rows { periodStart tenantId model { id displayName } summary { requests failed promptTokens completionTokens } }\n      totals {\n        requests succeeded failed cancelled errorRate promptTokens completionTokens totalTokens\n        costs { amount amountMicros currency }\n        latencyMillis { p50 p99 }\n      }\n    }\n  }\n"): (typeof documents)["\n  query UsageReport($input: UsageQueryInput!) {\n    usage(input: $input) {\n      granularity\n      rows { periodStart tenantId model { id displayName } summary { requests failed promptTokens completionTokens } }\n      totals {\n        requests succeeded failed cancelled errorRate promptTokens completionTokens totalTokens\n        costs { amount amountMicros currency }\n        latencyMillis { p50 p99 }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ModelUsage($id: ID!, $from: DateTime!, $to: DateTime!) {\n    model(id: $id) { id usage(from: $from, to: $to) { requests costs { amountMicros } } }\n  }\n"): (typeof documents)["\n  query ModelUsage($id: ID!, $from: DateTime!, $to: DateTime!) {\n    model(id: $id) { id usage(from: $from, to: $to) { requests costs { amountMicros } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetQuota($input: TenantQuotaInput!) {\n    setTenantQuota(input: $input) { tenantId tokensPerMinute tokensPerDay costPerMonth concurrentStreams updatedAt }\n  }\n"): (typeof documents)["\n  mutation SetQuota($input: TenantQuotaInput!) {\n    setTenantQuota(input: $input) { tenantId tokensPerMinute tokensPerDay costPerMonth concurrentStreams updatedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveQuota($tenantId: ID!) { removeTenantQuota(tenantId: $tenantId) }\n"): (typeof documents)["\n  mutation RemoveQuota($tenantId: ID!) { removeTenantQuota(tenantId: $tenantId) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query QuotaStatus($tenantId: ID) {\n    quota(tenantId: $tenantId) { tenantId tokensPerMinute currentUse { tokensThisMinute tokensToday costThisMonth activeStreams } }\n  }\n"): (typeof documents)["\n  query QuotaStatus($tenantId: ID) {\n    quota(tenantId: $tenantId) { tenantId tokensPerMinute currentUse { tokensThisMinute tokensToday costThisMonth activeStreams } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterGroundingModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id }\n  }\n"): (typeof documents)["\n  mutation RegisterGroundingModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateGroundingCollection($input: CreateCollectionInput!) {\n    createCollection(input: $input) { id groundingMinSimilarity }\n  }\n"): (typeof documents)["\n  mutation CreateGroundingCollection($input: CreateCollectionInput!) {\n    createCollection(input: $input) { id groundingMinSimilarity }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IngestGroundingDocument($input: IngestDocumentInput!) {\n    ingestDocument(input: $input) { id status }\n  }\n"): (typeof documents)["\n  mutation IngestGroundingDocument($input: IngestDocumentInput!) {\n    ingestDocument(input: $input) { id status }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GroundedOrAbstained($input: CompletionInput!) {\n    createCompletion(input: $input) {\n      text\n      finishReason\n      usage { promptTokens completionTokens }\n      citations { document { source } }\n      grounding { status bestSimilarity minSimilarity fallback }\n    }\n  }\n"): (typeof documents)["\n  mutation GroundedOrAbstained($input: CompletionInput!) {\n    createCompletion(input: $input) {\n      text\n      finishReason\n      usage { promptTokens completionTokens }\n      citations { document { source } }\n      grounding { status bestSimilarity minSimilarity fallback }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription AbstainingStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextEndEvent { completion { text finishReason grounding { status fallback } } }\n    }\n  }\n"): (typeof documents)["\n  subscription AbstainingStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextEndEvent { completion { text finishReason grounding { status fallback } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PagedSearch($input: SearchInput!) {\n    search(input: $input) {\n      totalCount\n      bestSimilarity\n      pageInfo { hasNextPage endCursor }\n      hits { text textTruncated similarity chunk { id text headingPath } }\n    }\n  }\n"): (typeof documents)["\n  query PagedSearch($input: SearchInput!) {\n    search(input: $input) {\n      totalCount\n      bestSimilarity\n      pageInfo { hasNextPage endCursor }\n      hits { text textTruncated similarity chunk { id text headingPath } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterRealModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id }\n  }\n"): (typeof documents)["\n  mutation RegisterRealModel($input: RegisterModelInput!) {\n    registerModel(input: $input) { id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateRealCollection($input: CreateCollectionInput!) {\n    createCollection(input: $input) { id dimensions }\n  }\n"): (typeof documents)["\n  mutation CreateRealCollection($input: CreateCollectionInput!) {\n    createCollection(input: $input) { id dimensions }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IngestRealDocument($input: IngestDocumentInput!) {\n    ingestDocument(input: $input) { id source status }\n  }\n"): (typeof documents)["\n  mutation IngestRealDocument($input: IngestDocumentInput!) {\n    ingestDocument(input: $input) { id source status }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SearchReal($input: SearchInput!) {\n    search(input: $input) { hits { score chunk { document { source } } } }\n  }\n"): (typeof documents)["\n  query SearchReal($input: SearchInput!) {\n    search(input: $input) { hits { score chunk { document { source } } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EmbedReal($model: ID!, $texts: [String!]!) {\n    embeddings(model: $model, texts: $texts) { dimensions embeddings { vector } usage { promptTokens } }\n  }\n"): (typeof documents)["\n  query EmbedReal($model: ID!, $texts: [String!]!) {\n    embeddings(model: $model, texts: $texts) { dimensions embeddings { vector } usage { promptTokens } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GroundedReal($input: CompletionInput!) {\n    createCompletion(input: $input) { text citations { document { source } } }\n  }\n"): (typeof documents)["\n  mutation GroundedReal($input: CompletionInput!) {\n    createCompletion(input: $input) { text citations { document { source } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MigrateReal($input: MigrateCollectionInput!) {\n    migrateCollection(input: $input) { id migration { id status chunksTotal targetDimensions } }\n  }\n"): (typeof documents)["\n  mutation MigrateReal($input: MigrateCollectionInput!) {\n    migrateCollection(input: $input) { id migration { id status chunksTotal targetDimensions } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MigrationReal($id: ID!) {\n    collection(id: $id) {\n      dimensions\n      embeddingModel { id }\n      migration { status chunksTotal chunksEmbedded recallAtTen error { code message } sourceEmbeddingModel { id } targetEmbeddingModel { id } }\n    }\n  }\n"): (typeof documents)["\n  query MigrationReal($id: ID!) {\n    collection(id: $id) {\n      dimensions\n      embeddingModel { id }\n      migration { status chunksTotal chunksEmbedded recallAtTen error { code message } sourceEmbeddingModel { id } targetEmbeddingModel { id } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RerankReal($model: ID!, $query: String!, $documents: [String!]!) {\n    rerank(model: $model, query: $query, documents: $documents) { scores model { id } usage { promptTokens } }\n  }\n"): (typeof documents)["\n  query RerankReal($model: ID!, $query: String!, $documents: [String!]!) {\n    rerank(model: $model, query: $query, documents: $documents) { scores model { id } usage { promptTokens } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SearchRerankedReal($input: SearchInput!) {\n    search(input: $input) { hits { score rerankScore similarity chunk { document { source } } } }\n  }\n"): (typeof documents)["\n  query SearchRerankedReal($input: SearchInput!) {\n    search(input: $input) { hits { score rerankScore similarity chunk { document { source } } } }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;