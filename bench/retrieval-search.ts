/**
 * Search on a large collection in each chunk store: queries per second and p50/p99 latency through
 * the gateway (query text embedded by the collection's model, then the store) and against the store
 * directly (a vector in hand); recall@10 of the ANN index against exact search.
 *
 *   node --import tsx bench/retrieval-search.ts [--chunks 100000] [--dimensions 384] [--queries 300]
 *     [--concurrency 1,8] [--stores lancedb,milvus] [--recall-queries 100] [--gateway true|false]
 *     [--corpus synthetic|real] [--real-queries short|passage]
 *
 * Store-side hybrid is what the search service does for HYBRID: the vector and keyword searches at
 * once, 20 candidates each, fused by weighted normalised scores (query embedding excluded).
 *
 * The collection is filled through the stores' own interfaces before the stack starts: embedding
 * 100,000 chunks with a CPU model would measure the model. `--corpus synthetic` (the default): random
 * unit vectors and texts of random words, keyword queries of two vocabulary words. `--corpus real`:
 * real passages with their all-MiniLM-L6-v2 vectors (bench/real-embedding-corpus.ts, `--chunks` of
 * them) and its held-out queries, `--real-queries` short (first 8 words, the default) or whole
 * passages, one query's vector and text used for vector, keyword and hybrid alike. The gateway path
 * runs the multi-process layout `npm start` runs and embeds query texts with the collection's model:
 * the real MiniLM for the real corpus, a generated model for the synthetic one.
 */
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateModel, modelPresets } from "../engines/gguf/generate-model.ts";
import { EmbeddedRetrievalCatalog } from "../subgraphs/retrieval/catalog/embedded-retrieval-catalog.ts";
import type { ChunkInput, ChunkStore, CollectionScope } from "../subgraphs/retrieval/chunk-store/chunk-store.ts";
import { LanceDbChunkStore } from "../subgraphs/retrieval/chunk-store/lancedb-chunk-store.ts";
import { MilvusChunkStore } from "../subgraphs/retrieval/chunk-store/milvus-chunk-store.ts";
import { chunkIdOf } from "../subgraphs/retrieval/chunk-id.ts";
import { defaultVectorWeight, fuseByWeightedScores } from "../subgraphs/retrieval/score-fusion.ts";
import { startTestMilvus, type TestMilvusServer } from "../test/harness/milvus-server.ts";
import { startMultiProcessStack } from "./multi-process-stack.ts";
import { provisionRealModels, realEmbeddingModelPath } from "../test/harness/real-models.ts";
import { loadRealEmbeddingCorpus, realCorpusDimensions } from "./real-embedding-corpus.ts";
import { SyntheticCorpus } from "./synthetic-corpus.ts";
import { describeMachine, runLoad } from "./measure.ts";

const { values } = parseArgs({
  options: {
    chunks: { type: "string", default: "100000" },
    dimensions: { type: "string", default: "384" },
    queries: { type: "string", default: "300" },
    concurrency: { type: "string", default: "1,8" },
    stores: { type: "string", default: "lancedb,milvus" },
    "recall-queries": { type: "string", default: "100" },
    gateway: { type: "string", default: "true" },
    corpus: { type: "string", default: "synthetic" },
    "real-queries": { type: "string", default: "short" },
  },
});
const real = values.corpus === "real" ? await loadRealEmbeddingCorpus({ chunks: Number(values.chunks) }) : undefined;
if (real === undefined && values.corpus !== "synthetic") throw new Error(`--corpus is synthetic or real, not ${values.corpus}.`);
const chunkCount = real?.texts.length ?? Number(values.chunks);
const dimensions = real === undefined ? Number(values.dimensions) : realCorpusDimensions;
const queries = Number(values.queries);
const concurrencies = values.concurrency.split(",").map(Number);
const recallQueries = Number(values["recall-queries"]);
const chunksPerDocument = 1_000;
const tenantId = "bench";
const collectionId = "col_bench";
const scope: CollectionScope = { tenantId, collectionId };
const corpus = new SyntheticCorpus(dimensions);
const { words } = SyntheticCorpus;
const unitVector = () => corpus.unitVector();
const randomText = () => corpus.text();

const vectors = real?.vectors ?? Array.from({ length: chunkCount }, unitVector);
const texts = real?.texts ?? Array.from({ length: chunkCount }, randomText);
const realQueries = real?.queries.map((query) => (values["real-queries"] === "passage" ? { text: query.passage, vector: query.passageVector } : { text: query.short, vector: query.shortVector }));
const queryVectors = realQueries?.map((query) => query.vector) ?? Array.from({ length: Math.max(queries, recallQueries) }, unitVector);
/** The keyword query that goes with `queryVectors[position]` (in hybrid search too). */
const keywordQuery = (position: number) => realQueries?.[position % realQueries.length]?.text ?? `${words[position % words.length]} falcon`;

/** Exact top-10 by cosine (vectors are unit length, so the dot product). */
function exactTopTen(query: Float32Array): number[] {
  const best: { index: number; score: number }[] = [];
  for (let row = 0; row < chunkCount; row += 1) {
    const vector = vectors[row] as Float32Array;
    let score = 0;
    for (let index = 0; index < dimensions; index += 1) score += (vector[index] ?? 0) * (query[index] ?? 0);
    if (best.length < 10 || score > (best[best.length - 1]?.score ?? -Infinity)) {
      best.push({ index: row, score });
      best.sort((left, right) => right.score - left.score);
      if (best.length > 10) best.pop();
    }
  }
  return best.map((entry) => entry.index);
}

async function fill(store: ChunkStore, dataDirectory: string): Promise<void> {
  const catalog = new EmbeddedRetrievalCatalog(dataDirectory);
  await catalog.createCollection({ id: collectionId, tenantId, name: "bench", description: null, embeddingModelId: "bench-embed", dimensions, chunkMaxTokens: 256, chunkOverlapTokens: 0, createdAt: new Date().toISOString() });
  await store.createCollection(scope, dimensions);
  const generation = "g0";
  for (let start = 0; start < chunkCount; start += chunksPerDocument) {
    const documentId = `doc_${start / chunksPerDocument}`;
    await catalog.beginIngestion({ tenantId, collectionId, newDocumentId: documentId, source: `source-${documentId}`, title: null, mediaType: "text/plain", metadata: {}, generation, now: new Date().toISOString() });
    const rows: ChunkInput[] = [];
    for (let row = start; row < Math.min(start + chunksPerDocument, chunkCount); row += 1) {
      rows.push({ id: chunkIdOf(documentId, generation, row - start), documentId, generation, index: row - start, text: texts[row] ?? "", headingPath: "", tokenCount: 24, vector: vectors[row] as Float32Array });
    }
    await store.insertChunks(scope, rows);
    await catalog.completeIngestion(tenantId, documentId, generation, { chunkCount: rows.length, tokenCount: rows.length * 24, characterCount: 0, contentHash: "0".repeat(64), now: new Date().toISOString() });
  }
  await catalog.close();
}

function rowOf(chunkId: string): number {
  const [documentId, , index] = chunkId.split(":");
  return Number(documentId?.slice(4)) * chunksPerDocument + Number(index);
}

const results: Record<string, unknown> = { machine: await describeMachine(), chunks: chunkCount, dimensions, queries, corpus: real === undefined ? "synthetic" : { ...real.manifest, queryKind: values["real-queries"] }, date: new Date().toISOString() };
const exact = Array.from({ length: Math.min(recallQueries, queryVectors.length) }, (_, index) => exactTopTen(queryVectors[index] as Float32Array));

for (const storeName of values.stores.split(",")) {
  const dataDirectory = await mkdtemp(join(tmpdir(), `bench-search-${storeName}-`));
  let milvus: TestMilvusServer | undefined;
  const storeEnvironment: NodeJS.ProcessEnv = {};
  let store: ChunkStore;
  if (storeName === "milvus") {
    milvus = await startTestMilvus();
    store = new MilvusChunkStore({ address: milvus.address });
    Object.assign(storeEnvironment, { VECTOR_STORE: "milvus", MILVUS_ADDRESS: milvus.address });
  } else {
    store = new LanceDbChunkStore({ directory: join(dataDirectory, "lancedb") });
  }
  const fillStart = performance.now();
  await fill(store, dataDirectory);
  const fillSeconds = (performance.now() - fillStart) / 1000;

  const recallHits = await Promise.all(
    exact.map(async (truth, index) => {
      const hits = await store.vectorSearch(scope, queryVectors[index] as Float32Array, { limit: 10 });
      const found = new Set(hits.map((hit) => rowOf(hit.chunk.id)));
      return truth.filter((row) => found.has(row)).length;
    }),
  );
  const recall = recallHits.reduce((sum, hits) => sum + hits, 0) / (exact.length * 10);

  let next = 0;
  const direct: Record<string, unknown> = {};
  for (const concurrency of concurrencies) {
    direct[`concurrency ${concurrency}`] = await runLoad(async () => {
      const hits = await store.vectorSearch(scope, queryVectors[next++ % queryVectors.length] as Float32Array, { limit: 10 });
      return hits.length === 10;
    }, queries, concurrency);
  }
  const directKeyword: Record<string, unknown> = {};
  const directHybrid: Record<string, unknown> = {};
  for (const concurrency of concurrencies) {
    directKeyword[`concurrency ${concurrency}`] = await runLoad(async () => (await store.keywordSearch(scope, keywordQuery(next++), { limit: 10 })).length > 0, queries, concurrency);
    directHybrid[`concurrency ${concurrency}`] = await runLoad(async () => {
      const position = next++;
      const [vectorHits, keywordHits] = await Promise.all([
        store.vectorSearch(scope, queryVectors[position % queryVectors.length] as Float32Array, { limit: 20 }),
        store.keywordSearch(scope, keywordQuery(position), { limit: 20 }),
      ]);
      const fused = fuseByWeightedScores([
        { items: vectorHits, key: (hit) => hit.chunk.id, score: (hit) => hit.score, weight: defaultVectorWeight },
        { items: keywordHits, key: (hit) => hit.chunk.id, score: (hit) => hit.score, weight: 1 - defaultVectorWeight },
      ]);
      return fused.length >= 10;
    }, queries, concurrency);
  }
  await store.close();
  const directResult = { vector: direct, keyword: directKeyword, hybrid: directHybrid };
  if (values.gateway === "false") {
    await milvus?.stop();
    await rm(dataDirectory, { recursive: true, force: true });
    results[storeName] = { fillSeconds: Math.round(fillSeconds * 10) / 10, recallAt10: recall, direct: directResult };
    console.error(JSON.stringify({ [storeName]: results[storeName] }));
    continue;
  }

  // The query text is embedded on the gateway path: by the real MiniLM for the real corpus (whose
  // vectors it made), by a generated model of the collection's length for the synthetic one.
  const modelsDirectory = join(dataDirectory, "models");
  await mkdir(modelsDirectory, { recursive: true });
  if (real !== undefined) await copyFile(await realEmbeddingModelPath(await provisionRealModels()), join(modelsDirectory, "embed.gguf"));
  else await generateModel({ ...modelPresets.tiny, embeddingLength: dimensions, headCount: 6, headCountKv: 6, pooling: "mean", outputPath: join(modelsDirectory, "embed.gguf") });
  // The multi-process layout `npm start` runs.
  const stack = await startMultiProcessStack({ environment: { DATA_DIR: dataDirectory, MODELS_DIR: modelsDirectory, LLAMA_CPP_THREADS: "1", ...storeEnvironment } });
  const post = async (query: string, variables: Record<string, unknown>) => {
    const response = await fetch(stack.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${stack.key}` }, body: JSON.stringify({ query, variables }) });
    return (await response.json()) as { data?: { search?: { hits: unknown[] } }; errors?: unknown[] };
  };
  /** The query text of position `position` on the gateway path: the real held-out queries, or corpus texts. */
  const gatewayQuery = (position: number) => realQueries?.[position % realQueries.length]?.text ?? texts[position % texts.length];
  await post(`mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`, {
    input: { id: "bench-embed", displayName: "Bench embeddings", family: "llama", capabilities: ["EMBEDDING"], embeddingDimensions: dimensions, contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "embed.gguf" }, pricing: { inputPerMillionTokens: 0, outputPerMillionTokens: 0 } },
  });
  const searchQuery = `query($input: SearchInput!) { search(input: $input) { hits { score chunk { id text } } } }`;
  const warm = await post(searchQuery, { input: { collectionId, query: "warm up", mode: "VECTOR", topK: 10 } });
  if (warm.errors !== undefined) throw new Error(JSON.stringify(warm.errors));
  const gateway: Record<string, unknown> = {};
  const gatewayKeyword: Record<string, unknown> = {};
  const gatewayHybrid: Record<string, unknown> = {};
  for (const concurrency of concurrencies) {
    gateway[`concurrency ${concurrency}`] = await runLoad(async () => {
      const body = await post(searchQuery, { input: { collectionId, query: gatewayQuery(next++), mode: "VECTOR", topK: 10 } });
      return body.errors === undefined && body.data?.search?.hits.length === 10;
    }, queries, concurrency);
    gatewayKeyword[`concurrency ${concurrency}`] = await runLoad(async () => {
      const body = await post(searchQuery, { input: { collectionId, query: keywordQuery(next++), mode: "KEYWORD", topK: 10 } });
      return body.errors === undefined && (body.data?.search?.hits.length ?? 0) > 0;
    }, queries, concurrency);
    gatewayHybrid[`concurrency ${concurrency}`] = await runLoad(async () => {
      const body = await post(searchQuery, { input: { collectionId, query: real === undefined ? texts[next++ % texts.length] : gatewayQuery(next++), mode: "HYBRID", topK: 10 } });
      return body.errors === undefined && body.data?.search?.hits.length === 10;
    }, queries, concurrency);
  }
  // What the vector path spends embedding the query text, so the store's share can be told apart.
  const queryEmbedding = await runLoad(async () => {
    const response = await fetch(stack.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${stack.key}` },
      body: JSON.stringify({ query: `query($texts: [String!]!) { embeddings(model: "bench-embed", texts: $texts) { dimensions } }`, variables: { texts: [gatewayQuery(next++)] } }),
    });
    const body = (await response.json()) as { errors?: unknown[] };
    return body.errors === undefined;
  }, queries, 1);
  await stack.stop();
  await milvus?.stop();
  await rm(dataDirectory, { recursive: true, force: true });
  const storeResult = { fillSeconds: Math.round(fillSeconds * 10) / 10, recallAt10: recall, direct: directResult, gateway: { vector: gateway, keyword: gatewayKeyword, hybrid: gatewayHybrid, queryEmbeddingOnly: queryEmbedding } };
  results[storeName] = storeResult;
  // Printed per store as it finishes, so a long run that is stopped keeps what it measured.
  console.error(JSON.stringify({ [storeName]: storeResult }));
}
console.log(JSON.stringify(results, null, 2));
