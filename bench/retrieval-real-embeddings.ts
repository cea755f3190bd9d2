/**
 * LanceDB vector indexes on REAL embeddings (issue 19, item 1): the counterpart of
 * bench/retrieval-index-sweep.ts, which measures random unit vectors. 100,000 passages of real
 * English technical prose embedded with all-MiniLM-L6-v2 (bench/real-embedding-corpus.ts), written
 * as the sweep writes them (10 inserts of 10,000 rows: id, document_id, generation, text, vector),
 * then searched with held-out queries of two kinds: whole passages (10 to 60 words) and short
 * queries (their first 8 words). For each index: build seconds, and over sequential queries p50 /
 * p95 latency and recall@10 against exact cosine search computed here over all vectors.
 *
 *   node --import tsx bench/retrieval-real-embeddings.ts [--chunks 100000] [--queries 200]
 *     [--exact-queries 50] [--m 20] [--ef-construction 150] [--efs 40,80,160,320] [--refines 0]
 *     [--partitions 1] [--pq-refines 20] [--indexes hnsw-sq,ivf-pq] [--fill bulk|store]
 *     [--rebuild-above-parts 0] [--hybrid-ef 0] [--cache-directory DIR]
 *
 * `--fill bulk` (the default), in this order on one table: no index (LanceDB's exact search,
 * `--exact-queries` per kind; 0 skips it), full text (BM25; keyword p50), then each of `--indexes` built on all
 * rows: IVF_HNSW_SQ (`--partitions`, `--m`, `--ef-construction`; every `--efs` × `--refines`) and
 * the store's IVF_PQ (1 partition, sub-vectors of 4 dimensions, 64 probes; every `--pq-refines`;
 * the store uses 20).
 *
 * `--fill store` follows LanceDbChunkStore's upkeep instead, for the one index `--indexes` names:
 * 100 inserts of 1,000 rows, the full-text and `document_id` indexes from the first, the vector index built by the
 * insert that reaches 10,000 rows, and `optimize()` (which adds new rows to the indexes as deltas)
 * after an insert that leaves more than 1,000 rows outside an index or every 20 inserts; measured
 * as left, then again after rebuilding the full-text and vector indexes on every row. With
 * `--rebuild-above-parts N` above 0 the fill also rebuilds the vector index on every row whenever
 * `optimize()` has left it in more than N parts (a first build plus deltas): a candidate upkeep
 * rule, not the store's. `--hybrid-ef N` above 0 also measures, with IVF_HNSW_SQ searched at ef N,
 * what the search service does for HYBRID (as bench/retrieval-search.ts does store-side): the
 * vector and keyword searches at once, 20 candidates each, fused by weighted normalised scores,
 * short queries, at concurrency 1 and 8.
 * Prints a JSON line per measurement on stderr and one JSON document at the end.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as lancedb from "@lancedb/lancedb";
import { loadRealEmbeddingCorpus, realCorpusDimensions } from "./real-embedding-corpus.ts";
import { defaultVectorWeight, fuseByWeightedScores } from "../subgraphs/retrieval/score-fusion.ts";
import { describeMachine, percentile, runLoad } from "./measure.ts";

const { values } = parseArgs({
  options: {
    chunks: { type: "string", default: "100000" },
    queries: { type: "string", default: "200" },
    "exact-queries": { type: "string", default: "50" },
    partitions: { type: "string", default: "1" },
    m: { type: "string", default: "20" },
    "ef-construction": { type: "string", default: "150" },
    efs: { type: "string", default: "40,80,160,320" },
    refines: { type: "string", default: "0" },
    "pq-refines": { type: "string", default: "20" },
    indexes: { type: "string", default: "hnsw-sq,ivf-pq" },
    fill: { type: "string", default: "bulk" },
    "rebuild-above-parts": { type: "string", default: "0" },
    "hybrid-ef": { type: "string", default: "0" },
    "cache-directory": { type: "string" },
  },
});
const corpus = await loadRealEmbeddingCorpus({ chunks: Number(values.chunks), queries: Number(values.queries), cacheDirectory: values["cache-directory"] });
const chunkCount = corpus.texts.length;
const dimensions = realCorpusDimensions;
const queryKinds = {
  passage: corpus.queries.map((query) => ({ text: query.passage, vector: query.passageVector })),
  short: corpus.queries.map((query) => ({ text: query.short, vector: query.shortVector })),
};
type QueryKind = keyof typeof queryKinds;

/** Rows of the exact top 10 by cosine (all vectors are unit length: the dot product). */
function exactTopTen(query: Float32Array): Set<string> {
  const rows: number[] = [];
  const scores: number[] = [];
  for (let row = 0; row < chunkCount; row += 1) {
    const vector = corpus.vectors[row] as Float32Array;
    let score = 0;
    for (let index = 0; index < dimensions; index += 1) score += (vector[index] as number) * (query[index] as number);
    if (rows.length < 10 || score > (scores[9] as number)) {
      let position = Math.min(rows.length, 9);
      if (rows.length === 10) {
        rows.pop();
        scores.pop();
      }
      while (position > 0 && (scores[position - 1] as number) < score) position -= 1;
      rows.splice(position, 0, row);
      scores.splice(position, 0, score);
    }
  }
  return new Set(rows.map((row) => `c${row}`));
}
const exactStarted = performance.now();
const exact: Record<QueryKind, Set<string>[]> = {
  passage: queryKinds.passage.map((query) => exactTopTen(query.vector)),
  short: queryKinds.short.map((query) => exactTopTen(query.vector)),
};
console.error(`exact top 10 of ${corpus.queries.length * 2} queries in ${Math.round((performance.now() - exactStarted) / 1000)} s`);

const partitions = Number(values.partitions);
const indexes = values.indexes.split(",");
const storeFill = values.fill === "store";
if (!storeFill && values.fill !== "bulk") throw new Error(`--fill is bulk or store, not ${values.fill}.`);
if (storeFill && indexes.length !== 1) throw new Error("--fill store measures one index: name it alone in --indexes.");
const hnswName = `IVF_HNSW_SQ partitions ${partitions} m ${values.m} efConstruction ${values["ef-construction"]}`;
const pqName = "IVF_PQ partitions 1 sub-vectors 96 (the store's)";
const vectorIndex = (name: string) =>
  name === "hnsw-sq"
    ? lancedb.Index.hnswSq({ distanceType: "cosine", numPartitions: partitions, m: Number(values.m), efConstruction: Number(values["ef-construction"]) })
    : lancedb.Index.ivfPq({ distanceType: "cosine", numPartitions: 1, numSubVectors: dimensions / 4 });

const rowsOf = (start: number, end: number) => {
  const rows = [];
  for (let row = start; row < Math.min(end, chunkCount); row += 1) {
    rows.push({ id: `c${row}`, document_id: `doc_${Math.floor(row / 1_000)}`, generation: "g0", text: corpus.texts[row] as string, vector: Array.from(corpus.vectors[row] as Float32Array) });
  }
  return rows;
};
const root = await mkdtemp(join(tmpdir(), "real-embeddings-"));
const connection = await lancedb.connect(root);
const fillStarted = performance.now();
let optimizeRuns = 0;
const rebuildAboveParts = Number(values["rebuild-above-parts"]);
const rebuilds = { count: 0, seconds: 0 };
const chunks = await connection.createTable("chunks", rowsOf(0, storeFill ? 1_000 : 10_000));
if (storeFill) {
  await chunks.createIndex("text", { config: lancedb.Index.fts() });
  await chunks.createIndex("document_id", { config: lancedb.Index.btree() });
  let writesSinceOptimize = 1;
  for (let start = 1_000; start < chunkCount; start += 1_000) {
    await chunks.add(rowsOf(start, start + 1_000));
    writesSinceOptimize += 1;
    let built = await chunks.listIndices();
    if (start + 1_000 >= 10_000 && !built.some((index) => index.columns.includes("vector"))) {
      await chunks.createIndex("vector", { config: vectorIndex(indexes[0] as string) });
      built = await chunks.listIndices();
    }
    if (Math.max(0, ...built.map((index) => index.numUnindexedRows ?? 0)) > 1_000 || writesSinceOptimize >= 20) {
      await chunks.optimize();
      optimizeRuns += 1;
      writesSinceOptimize = 0;
      const parts = (await chunks.listIndices()).find((index) => index.columns.includes("vector"))?.numSegments ?? 0;
      if (rebuildAboveParts > 0 && parts > rebuildAboveParts) {
        const rebuildStarted = performance.now();
        await chunks.createIndex("vector", { config: vectorIndex(indexes[0] as string), replace: true });
        rebuilds.count += 1;
        rebuilds.seconds += (performance.now() - rebuildStarted) / 1000;
      }
    }
  }
} else {
  for (let start = 10_000; start < chunkCount; start += 10_000) await chunks.add(rowsOf(start, start + 10_000));
  await chunks.optimize();
}
const fillSeconds = Math.round((performance.now() - fillStarted) / 100) / 10;

interface Figures {
  p50: number;
  p95: number;
  recall?: number;
}
const round = (value: number) => Math.round(value * 100) / 100;
/** Sequential queries after one warm-up: latency percentiles, and recall@10 when `kind` is given. */
async function measure(count: number, run: (index: number) => Promise<unknown[]>, kind?: QueryKind): Promise<Figures> {
  await run(0);
  const times: number[] = [];
  let found = 0;
  for (let index = 0; index < count; index += 1) {
    const start = performance.now();
    const hits = await run(index);
    times.push(performance.now() - start);
    if (kind !== undefined) for (const hit of hits) if (exact[kind][index]?.has((hit as { id: string }).id)) found += 1;
  }
  times.sort((left, right) => left - right);
  return { p50: round(percentile(times, 0.5)), p95: round(percentile(times, 0.95)), ...(kind === undefined ? {} : { recall: Math.round((found / (count * 10)) * 1000) / 1000 }) };
}
/** Each index's parts (the first build plus the deltas `optimize()` added) and rows left outside it. */
const indexParts = async () =>
  Object.fromEntries(
    await Promise.all(
      (await chunks.listIndices()).map(async (index) => {
        const statistics = await chunks.indexStats(index.name);
        return [index.columns.join(","), { type: index.indexType, parts: index.numSegments ?? statistics?.numIndices, unindexedRows: statistics?.numUnindexedRows }] as const;
      }),
    ),
  );
const results: Record<string, unknown> = { fill: values.fill, "fill seconds": fillSeconds, ...(storeFill ? { "optimize() runs during the fill": optimizeRuns, "vector index rebuilds during the fill": { aboveParts: rebuildAboveParts, count: rebuilds.count, seconds: Math.round(rebuilds.seconds) }, "indexes after the fill": await indexParts() } : {}) };
const record = (name: string, value: unknown) => {
  results[name] = value;
  console.error(JSON.stringify({ [name]: value }));
};
const timed = async (name: string, build: () => Promise<unknown>) => {
  const start = performance.now();
  await build();
  record(`${name} build seconds`, Math.round((performance.now() - start) / 100) / 10);
};
const columns = ["id", "document_id", "generation", "text", "_distance"];
const queryCount = corpus.queries.length;
const kinds = Object.keys(queryKinds) as QueryKind[];

async function measureHnsw(prefix = ""): Promise<void> {
  for (const ef of values.efs.split(",").map(Number)) {
    for (const refine of values.refines.split(",").map(Number)) {
      for (const kind of kinds) {
        const search = (index: number) => {
          let query = chunks.vectorSearch(queryKinds[kind][index]?.vector as Float32Array).distanceType("cosine").select(columns).limit(10).nprobes(partitions).ef(ef);
          if (refine > 0) query = query.refineFactor(refine);
          return query.toArray();
        };
        record(`${prefix}${hnswName}, ef ${ef}, refine ${refine}, ${kind} queries`, await measure(queryCount, search, kind));
      }
    }
  }
}
/** Store-side HYBRID with IVF_HNSW_SQ at `ef`, short queries, at concurrency 1 and 8. */
async function measureHybrid(prefix: string, ef: number): Promise<void> {
  let next = 0;
  for (const concurrency of [1, 8]) {
    const load = await runLoad(
      async () => {
        const query = queryKinds.short[next++ % queryCount] as { text: string; vector: Float32Array };
        const [vectorHits, keywordHits] = await Promise.all([
          chunks.vectorSearch(query.vector).distanceType("cosine").select(columns).limit(20).nprobes(partitions).ef(Math.max(ef, 20)).toArray(),
          chunks.query().fullTextSearch(new lancedb.MatchQuery(query.text, "text")).select(["id", "document_id", "generation", "text", "_score"]).limit(20).toArray(),
        ]);
        const scored = (rows: unknown[], score: (row: Record<string, number>) => number) => rows.map((row) => ({ id: (row as { id: string }).id, score: score(row as Record<string, number>) }));
        const fused = fuseByWeightedScores([
          { items: scored(vectorHits, (row) => 1 - (row._distance as number)), key: (hit) => hit.id, score: (hit) => hit.score, weight: defaultVectorWeight },
          { items: scored(keywordHits, (row) => row._score as number), key: (hit) => hit.id, score: (hit) => hit.score, weight: 1 - defaultVectorWeight },
        ]);
        return fused.length >= 10;
      },
      queryCount,
      concurrency,
    );
    record(`${prefix}hybrid (${hnswName}, ef ${ef}; keyword), short queries, concurrency ${concurrency}`, { p50: load.latencyMillis.p50, p95: load.latencyMillis.p95, requestsPerSecond: load.requestsPerSecond, errors: load.errors });
  }
}
async function measurePq(prefix = ""): Promise<void> {
  for (const refine of values["pq-refines"].split(",").map(Number)) {
    for (const kind of kinds) {
      const search = (index: number) => chunks.vectorSearch(queryKinds[kind][index]?.vector as Float32Array).distanceType("cosine").select(columns).limit(10).nprobes(64).refineFactor(refine).toArray();
      record(`${prefix}${pqName}, 64 probes, refine ${refine}, ${kind} queries`, await measure(queryCount, search, kind));
    }
  }
}
const keywordSearch = (text: string) => chunks.query().fullTextSearch(new lancedb.MatchQuery(text, "text")).select(["id", "document_id", "generation", "text", "_score"]).limit(10).toArray();

if (storeFill) {
  record("keyword, short queries", await measure(queryCount, (index) => keywordSearch(queryKinds.short[index]?.text as string)));
  if (indexes[0] === "hnsw-sq") await measureHnsw();
  else await measurePq();
  if (indexes[0] === "hnsw-sq" && Number(values["hybrid-ef"]) > 0) await measureHybrid("", Number(values["hybrid-ef"]));
  // The same table once its indexes are rebuilt on every row (one part each, no delta).
  await timed(`rebuilding the full-text index`, () => chunks.createIndex("text", { config: lancedb.Index.fts(), replace: true }));
  await timed(`rebuilding the vector index`, () => chunks.createIndex("vector", { config: vectorIndex(indexes[0] as string), replace: true }));
  record("indexes after rebuilding", await indexParts());
  record("after rebuilding: keyword, short queries", await measure(queryCount, (index) => keywordSearch(queryKinds.short[index]?.text as string)));
  if (indexes[0] === "hnsw-sq") await measureHnsw("after rebuilding: ");
  else await measurePq("after rebuilding: ");
  if (indexes[0] === "hnsw-sq" && Number(values["hybrid-ef"]) > 0) await measureHybrid("after rebuilding: ", Number(values["hybrid-ef"]));
} else {
  // No vector index yet: LanceDB's exact (flat) search.
  const exactQueries = Math.min(Number(values["exact-queries"]), queryCount);
  for (const kind of exactQueries > 0 ? kinds : []) {
    record(`exact search (no index), ${kind} queries`, await measure(exactQueries, (index) => chunks.vectorSearch(queryKinds[kind][index]?.vector as Float32Array).distanceType("cosine").select(columns).limit(10).toArray(), kind));
  }
  await timed("full text (BM25)", () => chunks.createIndex("text", { config: lancedb.Index.fts() }));
  record("keyword, short queries", await measure(queryCount, (index) => keywordSearch(queryKinds.short[index]?.text as string)));
  record("keyword, passage queries", await measure(queryCount, (index) => keywordSearch(queryKinds.passage[index]?.text as string)));
  for (const name of indexes) {
    await timed(name === "hnsw-sq" ? hnswName : pqName, () => chunks.createIndex("vector", { config: vectorIndex(name), replace: true }));
    if (name === "hnsw-sq") await measureHnsw();
    else await measurePq();
    if (name === "hnsw-sq" && Number(values["hybrid-ef"]) > 0) await measureHybrid("", Number(values["hybrid-ef"]));
  }
}

console.log(JSON.stringify({ machine: await describeMachine(), lancedb: "0.31.0", chunks: chunkCount, queries: queryCount, corpus: corpus.manifest, ...results }, null, 2));
chunks.close();
connection.close();
await rm(root, { recursive: true, force: true });
