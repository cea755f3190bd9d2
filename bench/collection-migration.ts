/**
 * An embedding-model migration in the multi-process layout `npm start` runs: how long
 * `migrateCollection` takes to move a collection to all-MiniLM-L6-v2 (real model), and what search
 * latency clients see before and during it.
 *
 * The collection is built on a generated random-weight model (`tiny`, 256 dimensions; its speed does
 * not matter: a migration only embeds with the target model) and migrated to MiniLM (384
 * dimensions). Meanwhile one client searches in a loop (VECTOR and HYBRID in turn, through the
 * gateway; the query is embedded with the collection's current model). Prints one JSON document.
 *
 *   node --import tsx bench/collection-migration.ts [--documents 20] [--paragraphs 30]
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateModel, modelPresets } from "../engines/gguf/generate-model.ts";
import { describeMachine, percentile } from "./measure.ts";
import { registerGgufModel, startRealModelStack } from "./multi-process-stack.ts";

const { values } = parseArgs({ options: { documents: { type: "string", default: "20" }, paragraphs: { type: "string", default: "30" } } });
const documentCount = Number(values.documents);
const paragraphs = Number(values.paragraphs);

const real = await startRealModelStack({ embedding: true, environment: { LLAMA_CPP_THREADS: "1" } });
const modelsDirectory = real.environment.MODELS_DIR ?? "";
await generateModel({ ...modelPresets.tiny, pooling: "mean", outputPath: join(modelsDirectory, "random-embed.gguf"), seed: 1 });
await registerGgufModel(real.stack, { id: "random-embed", modelPath: "random-embed.gguf", contextLength: 512, capabilities: ["EMBEDDING"], embeddingDimensions: modelPresets.tiny.embeddingLength });

const subjects = ["tides and the moon", "baking sourdough bread", "training for a marathon", "honeybee colonies", "repaying a mortgage", "chess openings", "vaccines and immunity", "the moons of Jupiter"];
function documentText(index: number): string {
  const subject = subjects[index % subjects.length] as string;
  return Array.from({ length: paragraphs }, (_, paragraph) => `Notes ${index}.${paragraph} on ${subject}: what people ask about ${subject}, how it works day to day, and which details matter most when you explain ${subject} to a newcomer.`).join("\n\n");
}

const { createCollection } = await real.stack.request<{ createCollection: { id: string } }>(
  "mutation($input: CreateCollectionInput!) { createCollection(input: $input) { id } }",
  { input: { name: "migrating", embeddingModel: "random-embed", chunkMaxTokens: 128, chunkOverlapTokens: 0 } },
);
const collectionId = createCollection.id;
for (let index = 0; index < documentCount; index += 1) {
  await real.stack.request("mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { id } }", {
    input: { collectionId, source: `notes-${index}.txt`, content: documentText(index), mediaType: "TEXT_PLAIN" },
  });
}

const Search = "query($input: SearchInput!) { search(input: $input) { hits { score chunk { id } } } }";
const queries = subjects.map((subject) => `how does ${subject} work`);
/** Searches in a loop until `until` resolves; latency per mode in milliseconds. */
async function searchUntil(until: Promise<unknown>): Promise<Record<string, number[]>> {
  let done = false;
  void until.finally(() => (done = true));
  const latencies: Record<string, number[]> = { VECTOR: [], HYBRID: [] };
  for (let turn = 0; !done; turn += 1) {
    const mode = turn % 2 === 0 ? "VECTOR" : "HYBRID";
    const started = performance.now();
    await real.stack.request(Search, { input: { collectionId, query: queries[turn % queries.length], mode, topK: 10 } });
    latencies[mode]?.push(performance.now() - started);
  }
  return latencies;
}
const summary = (samples: number[]) => {
  const sorted = [...samples].sort((left, right) => left - right);
  return { searches: sorted.length, p50Millis: Math.round(percentile(sorted, 0.5) * 10) / 10, p95Millis: Math.round(percentile(sorted, 0.95) * 10) / 10 };
};

// Baseline: the same loop for 5 seconds before the migration.
const baseline = await searchUntil(new Promise((resolve) => setTimeout(resolve, 5_000)));

const Migration = "query($id: ID!) { collection(id: $id) { dimensions migration { status chunksTotal chunksEmbedded recallAtTen error { code message } } } }";
interface MigrationState {
  collection: { dimensions: number; migration: { status: string; chunksTotal: number; chunksEmbedded: number; recallAtTen: number | null; error: { code: string; message: string } | null } };
}
const started = performance.now();
await real.stack.request("mutation($input: MigrateCollectionInput!) { migrateCollection(input: $input) { id } }", { input: { collectionId, embeddingModel: "minilm" } });
const finished = (async () => {
  for (;;) {
    const state = await real.stack.request<MigrationState>(Migration, { id: collectionId });
    if (state.collection.migration.status !== "RUNNING") return { state, seconds: (performance.now() - started) / 1_000 };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
})();
const during = await searchUntil(finished);
const { state, seconds } = await finished;
const after = await searchUntil(new Promise((resolve) => setTimeout(resolve, 5_000)));
await real.stop();

const migration = state.collection.migration;
console.log(
  JSON.stringify(
    {
      machine: await describeMachine(),
      date: new Date().toISOString(),
      layout: "multi-process (gateway, model-registry, inference, retrieval, usage), LanceDB, one llama.cpp thread",
      documents: documentCount,
      migration: { ...migration, dimensions: state.collection.dimensions, seconds: Math.round(seconds * 10) / 10, chunksPerSecond: Math.round((migration.chunksEmbedded / seconds) * 10) / 10 },
      searchBefore: { vector: summary(baseline.VECTOR ?? []), hybrid: summary(baseline.HYBRID ?? []) },
      searchDuring: { vector: summary(during.VECTOR ?? []), hybrid: summary(during.HYBRID ?? []) },
      searchAfter: { vector: summary(after.VECTOR ?? []), hybrid: summary(after.HYBRID ?? []) },
    },
    null,
    2,
  ),
);
