/**
 * Where a LanceDB search's time goes on 100,000 chunks of 384 dimensions (issue 19, item 1: profile
 * only). Fills a collection through `LanceDbChunkStore` as bench/retrieval-search.ts does (random unit
 * vectors, 24-word texts from a 16-word vocabulary, 100 documents of 1,000 chunks), then times
 * variants of the same query on the table directly, one change at a time, each p50 of `--queries`
 * sequential runs:
 * - the store's own call, then without the text columns (materialisation), without the refine
 *   step, with fewer probes / a smaller ef, with the tenant's document filter, as Arrow instead of
 *   JS objects, re-opening the table per query, and exact search (no index);
 * - after rebuilding the index on all rows (the store builds it at 10,000 rows and extends it);
 * - keyword: the store's call, without text columns, one word versus three, limit 10 versus 100;
 * - recall@10 against exact search of the index as the store leaves it and once rebuilt, and
 *   LanceDB's own `analyzePlan()` of the store's vector and keyword queries (where the time goes).
 *
 *   node --import tsx bench/retrieval-search-profile.ts [--chunks 100000] [--queries 40]
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as lancedb from "@lancedb/lancedb";
import type { ChunkInput, CollectionScope } from "../subgraphs/retrieval/chunk-store/chunk-store.ts";
import { LanceDbChunkStore, tableName } from "../subgraphs/retrieval/chunk-store/lancedb-chunk-store.ts";
import { SyntheticCorpus } from "./synthetic-corpus.ts";
import { describeMachine, percentile } from "./measure.ts";

const { values } = parseArgs({ options: { chunks: { type: "string", default: "100000" }, queries: { type: "string", default: "40" } } });
const chunkCount = Number(values.chunks);
const queries = Number(values.queries);
const dimensions = 384;
const scope: CollectionScope = { tenantId: "bench", collectionId: "col_profile" };
const corpus = new SyntheticCorpus(dimensions);
const unitVector = () => corpus.unitVector();

const directory = join(await mkdtemp(join(tmpdir(), "search-profile-")), "lancedb");
const store = new LanceDbChunkStore({ directory });
await store.createCollection(scope, dimensions);
const fillStart = performance.now();
for (let start = 0; start < chunkCount; start += 1_000) {
  const documentId = `doc_${start / 1_000}`;
  const rows: ChunkInput[] = [];
  for (let row = start; row < Math.min(start + 1_000, chunkCount); row += 1) {
    const text = corpus.text();
    rows.push({ id: `${documentId}:g0:${row - start}`, documentId, generation: "g0", index: row - start, text, headingPath: "", tokenCount: 24, vector: unitVector() });
  }
  await store.insertChunks(scope, rows);
}
const fillSeconds = (performance.now() - fillStart) / 1_000;
const queryVectors = Array.from({ length: queries }, unitVector);
const connection = await lancedb.connect(directory);
const table = await connection.openTable(tableName(scope));
const columns = ["id", "document_id", "generation", "chunk_index", "text", "heading_path", "token_count"];
const documentFilter = `document_id IN (${Array.from({ length: 100 }, (_, index) => `'doc_${index}'`).join(", ")})`;

async function p50(run: (index: number) => Promise<unknown>): Promise<number> {
  await run(0);
  const times: number[] = [];
  for (let index = 0; index < queries; index += 1) {
    const start = performance.now();
    await run(index);
    times.push(performance.now() - start);
  }
  return Math.round(percentile(times.sort((left, right) => left - right), 0.5) * 10) / 10;
}
const vector = (index: number) => queryVectors[index % queries] as Float32Array;
const indexed = (index: number, select: string[] = [...columns, "_distance"]) =>
  table.vectorSearch(vector(index)).distanceType("cosine").select(select).limit(10).ef(600).refineFactor(3).nprobes(50);

const exactIds: Set<string>[] = [];
for (let index = 0; index < queries; index += 1) {
  const hits: unknown[] = await table.vectorSearch(vector(index)).distanceType("cosine").select(["id"]).limit(10).bypassVectorIndex().toArray();
  exactIds.push(new Set(hits.map((hit) => (hit as { id: string }).id)));
}
async function recall(search: (index: number) => Promise<unknown[]>): Promise<number> {
  let found = 0;
  for (let index = 0; index < queries; index += 1) for (const hit of await search(index)) if (exactIds[index]?.has((hit as { id: string }).id)) found += 1;
  return found / (queries * 10);
}
const recalls: Record<string, number> = {};
recalls["index as the store leaves it, store's parameters"] = await recall((index) => indexed(index).toArray());
const plans: Record<string, string> = {
  vector: await indexed(0).analyzePlan(),
  keyword: await table.query().fullTextSearch(new lancedb.MatchQuery("river stone falcon", "text")).select([...columns, "_score"]).limit(10).analyzePlan(),
  keywordNoMatch: await table.query().fullTextSearch(new lancedb.MatchQuery("nowhere", "text")).select([...columns, "_score"]).limit(10).analyzePlan(),
};
const indexesBefore = await table.listIndices();

const rows: Record<string, number> = {};
rows["vector: the store's call (vectorSearch, limit 10)"] = await p50((index) => store.vectorSearch(scope, vector(index), { limit: 10 }));
rows["vector: same query on the table, toArray"] = await p50((index) => indexed(index).toArray());
rows["vector: only id and _distance selected"] = await p50((index) => indexed(index, ["id", "_distance"]).toArray());
rows["vector: as Arrow (toArrow), all columns"] = await p50((index) => indexed(index).toArrow());
rows["vector: no refine step"] = await p50((index) => table.vectorSearch(vector(index)).distanceType("cosine").select([...columns, "_distance"]).limit(10).ef(600).nprobes(50).toArray());
rows["vector: nprobes 20, ef 300"] = await p50((index) => table.vectorSearch(vector(index)).distanceType("cosine").select([...columns, "_distance"]).limit(10).ef(300).refineFactor(3).nprobes(20).toArray());
rows["vector: nprobes 10, ef 100, no refine"] = await p50((index) => table.vectorSearch(vector(index)).distanceType("cosine").select([...columns, "_distance"]).limit(10).ef(100).nprobes(10).toArray());
rows["vector: with the 100-document filter"] = await p50((index) => indexed(index).where(documentFilter).toArray());
rows["vector: re-opening the table per query"] = await p50(async (index) => {
  const fresh = await connection.openTable(tableName(scope));
  await fresh.vectorSearch(vector(index)).distanceType("cosine").select([...columns, "_distance"]).limit(10).ef(600).refineFactor(3).nprobes(50).toArray();
  fresh.close();
});
rows["vector: exact (bypassVectorIndex)"] = await p50((index) => table.vectorSearch(vector(index)).distanceType("cosine").select([...columns, "_distance"]).limit(10).bypassVectorIndex().toArray());
const rebuildStart = performance.now();
await table.createIndex("vector", { config: lancedb.Index.hnswSq({ distanceType: "cosine", m: 32, efConstruction: 300 }), replace: true });
const rebuildSeconds = (performance.now() - rebuildStart) / 1_000;
rows["vector: index rebuilt on all rows, store's parameters"] = await p50((index) => indexed(index).toArray());
const rebuiltFast = (index: number) => table.vectorSearch(vector(index)).distanceType("cosine").select([...columns, "_distance"]).limit(10).ef(100).refineFactor(3).nprobes(10).toArray();
rows["vector: index rebuilt, nprobes 10, ef 100"] = await p50(rebuiltFast);
recalls["index rebuilt on all rows, store's parameters"] = await recall((index) => indexed(index).toArray());
recalls["index rebuilt, nprobes 10, ef 100"] = await recall(rebuiltFast);

const keyword = (query: string, select: string[], limit: number) => table.query().fullTextSearch(new lancedb.MatchQuery(query, "text")).select(select).limit(limit).toArray();
rows["keyword: the store's call (3 words, limit 10)"] = await p50(() => store.keywordSearch(scope, "river stone falcon", { limit: 10 }));
rows["keyword: same on the table"] = await p50(() => keyword("river stone falcon", [...columns, "_score"], 10));
rows["keyword: only id and _score"] = await p50(() => keyword("river stone falcon", ["id", "_score"], 10));
rows["keyword: one word"] = await p50(() => keyword("river", [...columns, "_score"], 10));
rows["keyword: a word no row has"] = await p50(() => keyword("nowhere", [...columns, "_score"], 10));
rows["keyword: limit 100"] = await p50(() => keyword("river stone falcon", [...columns, "_score"], 100));

for (const [name, plan] of Object.entries(plans)) console.log(`--- analyzePlan, ${name} ---\n${plan}`);
console.log("| variant | p50 ms |\n|---|---|");
for (const [name, millis] of Object.entries(rows)) console.log(`| ${name} | ${millis} |`);
console.log(JSON.stringify({ machine: await describeMachine(), chunks: chunkCount, queries, fillSeconds, indexesBefore, rebuildSeconds, recallAt10: recalls, p50Millis: rows }, null, 2));
table.close();
connection.close();
await store.close();
