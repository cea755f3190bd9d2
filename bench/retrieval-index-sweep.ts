/**
 * LanceDB index settings on 100,000 chunks of 384 dimensions (issue 19, item 1): builds candidate
 * indexes on one table and measures, for each, build seconds, search p50 (sequential queries) and
 * recall@10 against exact search computed here. Data as in bench/retrieval-search.ts (random unit
 * vectors, 24-word texts from a 16-word vocabulary), written in 10 inserts of 10,000 rows.
 *
 *   node --import tsx bench/retrieval-index-sweep.ts [--chunks 100000] [--queries 40]
 *     [--index hnsw-sq|ivf-rq|ivf-pq] [--partitions 1] [--m 20] [--ef-construction 150]
 *     [--efs 40,80,160,320] [--probes 1] [--refines 0,2] [--sub-vectors 96]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as lancedb from "@lancedb/lancedb";
import { SyntheticCorpus } from "./synthetic-corpus.ts";
import { describeMachine, percentile } from "./measure.ts";

const { values } = parseArgs({
  options: {
    chunks: { type: "string", default: "100000" },
    queries: { type: "string", default: "40" },
    partitions: { type: "string", default: "1" },
    m: { type: "string", default: "20" },
    "ef-construction": { type: "string", default: "150" },
    efs: { type: "string", default: "40,80,160,320" },
    index: { type: "string", default: "hnsw-sq" },
    probes: { type: "string", default: "" },
    refines: { type: "string", default: "0,2" },
    "sub-vectors": { type: "string", default: "96" },
  },
});
const chunkCount = Number(values.chunks);
const queries = Number(values.queries);
const dimensions = 384;
const corpus = new SyntheticCorpus(dimensions);
const { words } = SyntheticCorpus;
const unitVector = () => corpus.unitVector();
const vectors = Array.from({ length: chunkCount }, unitVector);
const queryVectors = Array.from({ length: queries }, unitVector);
const exact = queryVectors.map((query) => {
  const scores = new Float32Array(chunkCount);
  for (let row = 0; row < chunkCount; row += 1) {
    const vector = vectors[row] as Float32Array;
    let score = 0;
    for (let index = 0; index < dimensions; index += 1) score += (vector[index] as number) * (query[index] as number);
    scores[row] = score;
  }
  const order = Array.from({ length: chunkCount }, (_, row) => row).sort((left, right) => (scores[right] as number) - (scores[left] as number));
  return new Set(order.slice(0, 10).map((row) => `c${row}`));
});

const root = await mkdtemp(join(tmpdir(), "index-sweep-"));
const connection = await lancedb.connect(root);
let table: lancedb.Table | undefined;
for (let start = 0; start < chunkCount; start += 10_000) {
  const rows = [];
  for (let row = start; row < Math.min(start + 10_000, chunkCount); row += 1) {
    rows.push({ id: `c${row}`, document_id: `doc_${Math.floor(row / 1_000)}`, generation: "g0", text: corpus.text(), vector: Array.from(vectors[row] as Float32Array) });
  }
  if (table === undefined) table = await connection.createTable("chunks", rows);
  else await table.add(rows);
}
if (table === undefined) throw new Error("no rows");
const chunks = table;
await chunks.optimize();

async function p50(run: (index: number) => Promise<unknown>): Promise<number> {
  await run(0);
  const times: number[] = [];
  for (let index = 0; index < queries; index += 1) {
    const start = performance.now();
    await run(index);
    times.push(performance.now() - start);
  }
  return Math.round(percentile(times.sort((left, right) => left - right), 0.5) * 100) / 100;
}
async function recall(search: (index: number) => Promise<unknown[]>): Promise<number> {
  let found = 0;
  for (let index = 0; index < queries; index += 1) for (const hit of await search(index)) if (exact[index]?.has((hit as { id: string }).id)) found += 1;
  return found / (queries * 10);
}
const columns = ["id", "document_id", "generation", "text", "_distance"];
const results: Record<string, unknown> = {};
const timed = async (name: string, build: () => Promise<unknown>) => {
  const start = performance.now();
  await build();
  results[`${name} build seconds`] = Math.round((performance.now() - start) / 100) / 10;
};
const print = () => console.error(JSON.stringify(results));

// Keyword: full-text index with and without positions.
const keyword = (query: string) => chunks.query().fullTextSearch(new lancedb.MatchQuery(query, "text")).select(["id", "document_id", "generation", "text", "_score"]).limit(10).toArray();
await timed("fts with positions", () => chunks.createIndex("text", { config: lancedb.Index.fts() }));
results["keyword p50, 2 words, positions"] = await p50((index) => keyword(`${words[index % 16]} falcon`));
results["keyword p50, 1 rare-ish word, positions"] = await p50(() => keyword("nowhere"));
await timed("fts without positions", () => chunks.createIndex("text", { config: lancedb.Index.fts({ withPosition: false }), replace: true }));
results["keyword p50, 2 words, no positions"] = await p50((index) => keyword(`${words[index % 16]} falcon`));
print();

const partitions = Number(values.partitions);
const config =
  values.index === "ivf-rq"
    ? lancedb.Index.ivfRq({ distanceType: "cosine", numPartitions: partitions })
    : values.index === "ivf-pq"
      ? lancedb.Index.ivfPq({ distanceType: "cosine", numPartitions: partitions, numSubVectors: Number(values["sub-vectors"]) })
      : lancedb.Index.hnswSq({ distanceType: "cosine", numPartitions: partitions, m: Number(values.m), efConstruction: Number(values["ef-construction"]) });
await timed(`${values.index} partitions ${partitions} m ${values.m} efC ${values["ef-construction"]}`, () => chunks.createIndex("vector", { config }));
print();
const probeCounts = values.probes === "" ? [partitions] : values.probes.split(",").map(Number);
for (const probes of probeCounts) {
  for (const ef of values.index === "hnsw-sq" ? values.efs.split(",").map(Number) : [0]) {
    for (const refine of values.refines.split(",").map(Number)) {
      const search = (index: number) => {
        let query = chunks.vectorSearch(queryVectors[index] as Float32Array).distanceType("cosine").select(columns).limit(10).nprobes(probes);
        if (ef > 0) query = query.ef(ef);
        if (refine > 0) query = query.refineFactor(refine);
        return query.toArray();
      };
      results[`probes ${probes} ef ${ef} refine ${refine}`] = { p50: await p50(search), recall: await recall(search) };
      print();
    }
  }
}
await timed("btree document_id", () => chunks.createIndex("document_id", { config: lancedb.Index.btree() }));
const filter = `document_id IN (${Array.from({ length: 100 }, (_, index) => `'doc_${index}'`).join(", ")})`;
const lastProbes = probeCounts[probeCounts.length - 1] ?? partitions;
results[`probes ${lastProbes}, refine 2, 100-document filter (btree)`] = { p50: await p50((index) => chunks.vectorSearch(queryVectors[index] as Float32Array).distanceType("cosine").select(columns).limit(10).refineFactor(2).nprobes(lastProbes).where(filter).toArray()) };
print();
console.log(JSON.stringify({ machine: await describeMachine(), chunks: chunkCount, queries, ...results }, null, 2));
chunks.close();
connection.close();
await rm(root, { recursive: true, force: true });
