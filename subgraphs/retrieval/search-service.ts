import { inSpan } from "../../platform/tracing/tracer.ts";
import type { RequestContext } from "../../platform/context/request-context.ts";
import { defineRetrievalMetrics, timeStoreQuery } from "../../platform/metrics/retrieval-metrics.ts";
import type { ServiceMetrics } from "../../platform/metrics/service-metrics.ts";
import { badUserInput } from "../../platform/errors/service-error.ts";
import type { ChunkHit, ChunkStore, CollectionScope, StoredChunk } from "./chunk-store/chunk-store.ts";
import { parseChunkId } from "./chunk-id.ts";
import type { CollectionRecord, RetrievalCatalog } from "./catalog/retrieval-catalog.ts";
import { storageScope } from "./collection-storage.ts";
import type { CollectionService } from "./collection-service.ts";
import { validateFilters } from "./document-input.ts";
import type { Embedder } from "./embedder.ts";
import type { RerankInput, SearchInput } from "./generated/resolvers-types.ts";
import type { Reranker } from "./reranker.ts";
import { hitTextBytes, truncateUtf8 } from "./bounded-text.ts";
import { meaningfulKeywords } from "./keyword-query.ts";
import { searchPage, searchPageRequest } from "./search-page.ts";
import { defaultVectorWeight, fuseByWeightedScores } from "./score-fusion.ts";
import type { ChunkRecord, SearchHitRecord, SearchModeName, SearchResultRecord } from "./retrieval-records.ts";
import type { RetrievalLimits } from "./retrieval-limits.ts";

/** Most hits one search hands the reranker: each costs one model evaluation (about 90 ms for 200 tokens on 2 CPU threads). */
const maximumRerankCandidates = 100;

/** Largest `limit` asked of a store while making up for hits of inactive generations. */
const maximumStoreLimit = 1_000;

/**
 * Vector, keyword and hybrid search over a collection. Stores return chunks of every generation;
 * only chunks of each document's active generation are hits, so a running re-ingest never shows.
 */
export class SearchService {
  readonly #catalog: RetrievalCatalog;
  readonly #chunks: ChunkStore;
  readonly #collections: CollectionService;
  readonly #embedder: Embedder;
  readonly #reranker: Reranker;
  readonly #limits: RetrievalLimits;
  readonly #metrics: ServiceMetrics | undefined;

  constructor(dependencies: {
    catalog: RetrievalCatalog;
    chunks: ChunkStore;
    collections: CollectionService;
    embedder: Embedder;
    reranker: Reranker;
    limits: RetrievalLimits;
    metrics?: ServiceMetrics;
  }) {
    this.#catalog = dependencies.catalog;
    this.#chunks = dependencies.chunks;
    this.#collections = dependencies.collections;
    this.#embedder = dependencies.embedder;
    this.#reranker = dependencies.reranker;
    this.#limits = dependencies.limits;
    this.#metrics = dependencies.metrics;
  }

  /** Searches a collection; timed as `retrieval_search_duration_seconds` when metrics are on. */
  async search(input: SearchInput, context: RequestContext, signal?: AbortSignal): Promise<SearchResultRecord> {
    if (this.#metrics === undefined) return this.#search(input, context, signal);
    const stop = this.#metrics.concern(defineRetrievalMetrics).searchSeconds.startTimer({ mode: input.mode ?? "HYBRID" });
    try {
      const result = await this.#search(input, context, signal);
      stop({ outcome: "succeeded" });
      return result;
    } catch (error) {
      stop({ outcome: "failed" });
      throw error;
    }
  }

  async #search(input: SearchInput, context: RequestContext, signal?: AbortSignal): Promise<SearchResultRecord> {
    const mode: SearchModeName = input.mode ?? "HYBRID";
    const topK = input.topK ?? 10;
    if (!Number.isInteger(topK) || topK < 1 || topK > this.#limits.maximumTopK) {
      throw badUserInput("input.topK", `topK must be between 1 and ${this.#limits.maximumTopK}, got ${topK}.`);
    }
    if (input.query.trim().length === 0) throw badUserInput("input.query", "The query is empty.");
    if (input.query.length > 10_000) throw badUserInput("input.query", "The query has more than 10,000 characters.");
    if (input.minScore !== undefined && input.minScore !== null && !Number.isFinite(input.minScore)) throw badUserInput("input.minScore", "minScore must be a finite number.");
    const collection = await this.#collections.require(context.tenantId, input.collectionId, "input.collectionId");
    const scope = storageScope(collection);
    const filters = validateFilters(input.filters, input.filters?.length ? await this.#catalog.metadataKeys(context.tenantId, collection.id) : [], "input.filters");
    const maxTextBytes = input.maxTextBytes ?? hitTextBytes.default;
    if (!Number.isInteger(maxTextBytes) || maxTextBytes < hitTextBytes.minimum || maxTextBytes > hitTextBytes.maximum) {
      throw badUserInput("input.maxTextBytes", `maxTextBytes must be between ${hitTextBytes.minimum} and ${hitTextBytes.maximum}, got ${maxTextBytes}.`);
    }
    const rerank = rerankRequest(input.rerank, topK);
    // A cursor is valid for the search it came from: everything that decides the ranking.
    const searchKey = [collection.id, input.query, mode, topK, input.minScore ?? null, input.filters ?? null, ...(rerank === undefined ? [] : [rerank.model, rerank.candidates])];
    const pageRequest = searchPageRequest(input.first, input.after, searchKey);

    // With filters, the matching documents (and their active generations) are known up front;
    // without, the documents of the hits are looked up afterwards.
    let knownGenerations: Map<string, string> | undefined;
    if (filters.length > 0) {
      const documents = await this.#catalog.listDocuments(context.tenantId, collection.id, filters);
      knownGenerations = new Map(documents.flatMap((document) => (document.activeGeneration === null ? [] : [[document.id, document.activeGeneration]])));
      if (knownGenerations.size === 0) return { mode, hits: [], totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, bestSimilarity: null };
    }
    const documentIds = knownGenerations === undefined ? undefined : [...knownGenerations.keys()];
    // What the reranker reads is what the mode would have returned had it been asked for that many.
    const wanted = rerank?.candidates ?? topK;
    const candidates = mode === "HYBRID" ? Math.max(2 * wanted, 20) : wanted;

    const runVector = async () => {
      const [vector] = await this.#embedder.embed(collection.embeddingModelId, [input.query], context, signal);
      if (vector === undefined) return [];
      return this.#activeHits(scope, knownGenerations, candidates, (limit) =>
        timeStoreQuery(this.#metrics, "vector", () =>
          inSpan("retrieval vector_search", { attributes: { "retrieval.search.limit": limit } }, () => this.#chunks.vectorSearch(scope, vector, { limit, ...(documentIds === undefined ? {} : { documentIds }) })),
        ),
      );
    };
    // Stop words dropped: matched in every document, they would only add noise (keyword-query.ts).
    const keywords = meaningfulKeywords(input.query);
    const runKeyword = async () =>
      keywords === ""
        ? []
        : this.#activeHits(scope, knownGenerations, candidates, (limit) =>
            timeStoreQuery(this.#metrics, "keyword", () =>
              inSpan("retrieval keyword_search", { attributes: { "retrieval.search.limit": limit } }, () => this.#chunks.keywordSearch(scope, keywords, { limit, ...(documentIds === undefined ? {} : { documentIds }) })),
            ),
          );

    let hits: RankedHit[];
    // The best evidence: the vector search's first hit, whatever is filtered or paged away after.
    let bestSimilarity: number | null = null;
    if (mode === "VECTOR") {
      const vectorHits = await runVector();
      bestSimilarity = vectorHits[0]?.score ?? null;
      hits = vectorHits.map((hit, position) => ({ chunk: toRecord(collection, hit.chunk), score: hit.score, rerankScore: null, similarity: hit.score, vectorRank: position + 1, keywordRank: null }));
    } else if (mode === "KEYWORD") {
      hits = (await runKeyword()).map((hit, position) => ({ chunk: toRecord(collection, hit.chunk), score: hit.score, rerankScore: null, similarity: null, vectorRank: null, keywordRank: position + 1 }));
    } else {
      const [vectorHits, keywordHits] = await Promise.all([runVector(), runKeyword()]);
      bestSimilarity = vectorHits[0]?.score ?? null;
      hits = fuseByWeightedScores([
        { items: vectorHits, key: (hit) => hit.chunk.id, score: (hit) => hit.score, weight: defaultVectorWeight },
        { items: keywordHits, key: (hit) => hit.chunk.id, score: (hit) => hit.score, weight: 1 - defaultVectorWeight },
      ]).map((fused) => ({ chunk: toRecord(collection, fused.item.chunk), score: fused.score, rerankScore: null, similarity: fused.scores[0] ?? null, vectorRank: fused.ranks[0] ?? null, keywordRank: fused.ranks[1] ?? null }));
    }
    if (rerank !== undefined) hits = await this.#rerank(rerank.model, input.query, hits.slice(0, rerank.candidates), context, signal);
    const minScore = input.minScore;
    const ranked = hits.filter((hit) => minScore === undefined || minScore === null || hit.score >= minScore).slice(0, topK);
    const page = searchPage(ranked, pageRequest, searchKey);
    return {
      mode,
      hits: page.hits.map((hit): SearchHitRecord => {
        const text = truncateUtf8(hit.chunk.text, maxTextBytes);
        return { ...hit, text: text.text, textTruncated: text.truncated };
      }),
      totalCount: ranked.length,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      bestSimilarity,
    };
  }

  /** `hits` ordered by the reranker's score (ties keep their order), which becomes their score. */
  async #rerank(model: string, query: string, hits: readonly RankedHit[], context: RequestContext, signal: AbortSignal | undefined): Promise<RankedHit[]> {
    const scores = await inSpan("retrieval rerank", { attributes: { "retrieval.rerank.candidates": hits.length } }, () =>
      this.#reranker.rerank(model, query, hits.map((hit) => hit.chunk.text), context, signal),
    );
    return hits
      .map((hit, index) => ({ ...hit, score: scores[index] ?? 0, rerankScore: scores[index] ?? 0, position: index }))
      .sort((left, right) => right.score - left.score || left.position - right.position)
      .map(({ position: _position, ...hit }) => hit);
  }

  /**
   * Chunks with these ids, of the caller's tenant and their document's active generation; null for
   * the rest (unknown, another tenant's, or of a replaced version). For entity references.
   */
  async findChunks(tenantId: string, ids: readonly string[]): Promise<(ChunkRecord | null)[]> {
    const parsed = ids.map((id) => parseChunkId(id));
    const documentIds = [...new Set(parsed.flatMap((part) => (part === undefined ? [] : [part.documentId])))];
    const documents = await this.#catalog.getDocuments(tenantId, documentIds);
    const byCollection = new Map<string, string[]>();
    documents.forEach((document) => {
      if (document === undefined || document.activeGeneration === null) return;
      const wanted = ids.filter((_id, index) => parsed[index]?.documentId === document.id && parsed[index]?.generation === document.activeGeneration);
      byCollection.set(document.collectionId, [...(byCollection.get(document.collectionId) ?? []), ...wanted]);
    });
    const found = new Map<string, ChunkRecord>();
    await Promise.all(
      [...byCollection].map(async ([collectionId, chunkIds]) => {
        const collection = await this.#collections.find(tenantId, collectionId);
        if (collection === undefined) return;
        for (const chunk of await this.#chunks.getChunks(storageScope(collection), chunkIds)) found.set(chunk.id, toRecord(collection, chunk));
      }),
    );
    return ids.map((id) => found.get(id) ?? null);
  }

  /**
   * Hits of active generations only. Asks the store for more when inactive ones (a re-ingest in
   * flight, leftovers of a crash) crowd the first `wanted`.
   */
  async #activeHits(
    scope: CollectionScope,
    knownGenerations: Map<string, string> | undefined,
    wanted: number,
    fetch: (limit: number) => Promise<ChunkHit[]>,
  ): Promise<ChunkHit[]> {
    let limit = wanted;
    for (;;) {
      const raw = await fetch(limit);
      const generations = knownGenerations ?? (await this.#activeGenerations(scope.tenantId, raw));
      const active = raw.filter((hit) => generations.get(hit.chunk.documentId) === hit.chunk.generation);
      if (active.length >= wanted || raw.length < limit || limit >= maximumStoreLimit) return active.slice(0, wanted);
      limit = Math.min(limit * 4, maximumStoreLimit);
    }
  }

  async #activeGenerations(tenantId: string, hits: readonly ChunkHit[]): Promise<Map<string, string>> {
    const documentIds = [...new Set(hits.map((hit) => hit.chunk.documentId))];
    const documents = await this.#catalog.getDocuments(tenantId, documentIds);
    return new Map(documents.flatMap((document) => (document === undefined || document.activeGeneration === null ? [] : [[document.id, document.activeGeneration]])));
  }
}

/** A hit before paging; its text is bounded once it is in a page. */
type RankedHit = Omit<SearchHitRecord, "text" | "textTruncated">;

function toRecord(collection: CollectionRecord, chunk: StoredChunk): ChunkRecord {
  return { ...chunk, tenantId: collection.tenantId, collectionId: collection.id };
}

/** The validated `rerank` input: its model, and how many candidates (topK to 100; default topK, at least 20). */
function rerankRequest(input: RerankInput | null | undefined, topK: number): { model: string; candidates: number } | undefined {
  if (input === undefined || input === null) return undefined;
  if (input.model.trim().length === 0) throw badUserInput("input.rerank.model", "Name a model with the RERANKING capability.");
  const candidates = input.candidates ?? Math.min(Math.max(topK, 20), maximumRerankCandidates);
  if (!Number.isInteger(candidates) || candidates < topK || candidates > maximumRerankCandidates) {
    throw badUserInput("input.rerank.candidates", `candidates must be between topK (${topK}) and ${maximumRerankCandidates}, got ${candidates}.`);
  }
  return { model: input.model, candidates };
}
