/**
 * The labelled set ingested with the real all-MiniLM-L6-v2 (converted by this project, run by the
 * project's llama.cpp engine in this process) into the production retrieval service: embedded
 * catalogue, LanceDB chunk store, the service's own chunker, search modes and fusion. Shared by
 * test/real-models/retrieval-quality.test.ts and bench/retrieval-quality.ts.
 */
import { LlamaCppEngine } from "../../engines/llama-cpp/llama-cpp-engine.ts";
import type { RequestContext } from "../../platform/context/request-context.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { EmbeddedModelStore } from "../../subgraphs/model-registry/store/embedded-model-store.ts";
import { EmbeddedRetrievalCatalog } from "../../subgraphs/retrieval/catalog/embedded-retrieval-catalog.ts";
import type { CollectionRecord } from "../../subgraphs/retrieval/catalog/retrieval-catalog.ts";
import { LanceDbChunkStore } from "../../subgraphs/retrieval/chunk-store/lancedb-chunk-store.ts";
import type { Embedder } from "../../subgraphs/retrieval/embedder.ts";
import type { Reranker } from "../../subgraphs/retrieval/reranker.ts";
import type { SearchInput } from "../../subgraphs/retrieval/generated/resolvers-types.ts";
import { defaultRetrievalLimits } from "../../subgraphs/retrieval/retrieval-limits.ts";
import type { SearchResultRecord } from "../../subgraphs/retrieval/retrieval-records.ts";
import { RetrievalService } from "../../subgraphs/retrieval/retrieval-service.ts";
import type { RealModels } from "../harness/real-models.ts";
import { realEmbeddingModelPath } from "../harness/real-models.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { unusedReranker } from "../harness/unused-reranker.ts";
import { labelledDocuments } from "./retrieval-quality-set.ts";

export const qualityCaller: RequestContext = { requestId: "quality", tenantId: "tenant-quality", apiKeyId: "quality-key", roles: ["member"] };

/** The llama.cpp engine as the retrieval service's embedder, without the inference subgraph between them. */
class LlamaCppEmbedder implements Embedder {
  readonly #engine: LlamaCppEngine;

  constructor(engine: LlamaCppEngine) {
    this.#engine = engine;
  }

  embed(_modelId: string, texts: readonly string[], _context: RequestContext, signal?: AbortSignal): Promise<Float32Array[]> {
    return this.#engine.embedBatch(texts, signal);
  }

  async countTokens(_modelId: string, texts: readonly string[]): Promise<number[]> {
    return Promise.all(texts.map(async (text) => (await this.#engine.countPromptTokens({ kind: "text", text })).tokens));
  }
}

/** The llama.cpp engine of a RERANKING model as the retrieval service's reranker, without the inference subgraph between them. */
class LlamaCppReranker implements Reranker {
  readonly #engine: LlamaCppEngine;

  constructor(engine: LlamaCppEngine) {
    this.#engine = engine;
  }

  async rerank(_model: string, query: string, texts: readonly string[], _context: RequestContext, signal?: AbortSignal): Promise<number[]> {
    if (this.#engine.rank === undefined) throw new Error("the reranker engine cannot rank");
    return this.#engine.rank(query, texts, signal);
  }
}

export interface QualityFixture {
  retrieval: RetrievalService;
  collection: CollectionRecord;
  search(input: Omit<SearchInput, "collectionId">): Promise<SearchResultRecord>;
  /** Document sources of a search's hits, best first. */
  ranking(input: Omit<SearchInput, "collectionId">): Promise<string[]>;
  /** The same with each hit's score. */
  ranking(input: Omit<SearchInput, "collectionId">, withScores: true): Promise<{ source: string; score: number }[]>;
  close(): Promise<void>;
}

/** Ingests the labelled set (about 40 s on 2 cores, mostly loading and embedding). */
export async function openQualityFixture(
  models: RealModels,
  options: {
    groundingMinSimilarity?: number | null;
    /** A reranker GGUF (rank pooling): searches may then ask for `rerank` (any model name). */
    rerankerModelPath?: string;
  } = {},
): Promise<QualityFixture> {
  const directory = await temporaryDirectory("retrieval-quality");
  const engine = await LlamaCppEngine.open({ modelPath: await realEmbeddingModelPath(models), contextLength: 512, embeddingContexts: 1 });
  const rerankerEngine = options.rerankerModelPath === undefined ? undefined : await LlamaCppEngine.open({ modelPath: options.rerankerModelPath, contextLength: 512 });
  const catalog = new EmbeddedRetrievalCatalog(directory);
  const chunks = new LanceDbChunkStore({ directory: `${directory}/lancedb` });
  const retrieval = new RetrievalService({
    catalog,
    chunks,
    models: new EmbeddedModelStore(directory),
    embedder: new LlamaCppEmbedder(engine),
    reranker: rerankerEngine === undefined ? unusedReranker : new LlamaCppReranker(rerankerEngine),
    limits: defaultRetrievalLimits,
    logger: createLogger("retrieval-quality", "error"),
  });
  const collection: CollectionRecord = {
    id: "col_quality",
    tenantId: qualityCaller.tenantId,
    name: "quality",
    description: null,
    embeddingModelId: "minilm",
    dimensions: 384,
    chunkMaxTokens: 256,
    chunkOverlapTokens: 0,
    groundingMinSimilarity: options.groundingMinSimilarity ?? null,
    createdAt: new Date().toISOString(),
  };
  await catalog.createCollection(collection);
  await chunks.createCollection({ tenantId: collection.tenantId, collectionId: collection.id }, collection.dimensions);
  for (const document of labelledDocuments) {
    await retrieval.ingestion.ingest(
      { collectionId: collection.id, source: document.source, title: null, content: document.content, mediaType: "text/markdown", metadata: {}, waitForCompletion: true },
      qualityCaller,
      new AbortController().signal,
    );
  }
  const search = (input: Omit<SearchInput, "collectionId">) => retrieval.search.search({ ...input, collectionId: collection.id }, qualityCaller);
  const sourceOf = new Map<string, string>();
  for (const document of await catalog.listDocuments(collection.tenantId, collection.id)) sourceOf.set(document.id, document.source);
  return {
    retrieval,
    collection,
    search,
    ranking: (async (input: Omit<SearchInput, "collectionId">, withScores?: true) => {
      const hits = (await search(input)).hits.map((hit) => ({ source: sourceOf.get(hit.chunk.documentId) ?? hit.chunk.documentId, score: hit.score }));
      return withScores === true ? hits : hits.map((hit) => hit.source);
    }) as QualityFixture["ranking"],
    close: async () => {
      await retrieval.close();
      await chunks.close();
      await catalog.close();
      await engine.close();
      await rerankerEngine?.close();
    },
  };
}
