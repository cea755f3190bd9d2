/**
 * Ingestion end to end through the gateway (split, count tokens, embed through the inference
 * subgraph's scheduler, store) in the multi-process layout `npm start` runs (one llama.cpp
 * thread), in chunks per second, and how the time divides: the same chunks
 * counted, embedded and stored step by step, each timed alone.
 *
 *   node --import tsx bench/retrieval-ingestion.ts [--documents 8] [--paragraphs 60] [--preset tiny|small]
 *     [--concurrency 1,4] [--store lancedb|milvus] [--model generated|minilm]
 *
 * `--model minilm` embeds with the real all-MiniLM-L6-v2 (converted by the project, 384 dimensions)
 * instead of a generated model of `--preset`.
 */
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateModel, isModelPresetName, modelPresets } from "../engines/gguf/generate-model.ts";
import { loadCommonConfig } from "../platform/config/common-config.ts";
import { InternalContextSigner } from "../platform/context/internal-context-token.ts";
import type { RequestContext } from "../platform/context/request-context.ts";
import { resolveSigningSecret } from "../platform/context/signing-secret.ts";
import { InternalGraphqlClient } from "../platform/http/internal-graphql-client.ts";
import type { ChunkStore } from "../subgraphs/retrieval/chunk-store/chunk-store.ts";
import { LanceDbChunkStore } from "../subgraphs/retrieval/chunk-store/lancedb-chunk-store.ts";
import { MilvusChunkStore } from "../subgraphs/retrieval/chunk-store/milvus-chunk-store.ts";
import { chunkDocument, type TextChunk } from "../subgraphs/retrieval/chunking/chunk-document.ts";
import { InferenceEmbedder } from "../subgraphs/retrieval/inference-embedder.ts";
import { startTestMilvus, type TestMilvusServer } from "../test/harness/milvus-server.ts";
import { provisionRealModels, realEmbeddingModelPath } from "../test/harness/real-models.ts";
import { startMultiProcessStack } from "./multi-process-stack.ts";
import { describeMachine } from "./measure.ts";

const { values } = parseArgs({
  options: {
    documents: { type: "string", default: "8" },
    paragraphs: { type: "string", default: "60" },
    preset: { type: "string", default: "tiny" },
    concurrency: { type: "string", default: "1,4" },
    store: { type: "string", default: "lancedb" },
    model: { type: "string", default: "generated" },
  },
});
const documentCount = Number(values.documents);
const paragraphs = Number(values.paragraphs);
const concurrencies = values.concurrency.split(",").map(Number);
if (!isModelPresetName(values.preset)) throw new Error(`unknown preset ${values.preset}`);
const preset = modelPresets[values.preset];

const vocabulary = "the river carries stone and silt past the old mill where falcons nest above copper roofs while lanterns glow".split(" ");
function markdownDocument(seed: number): string {
  const sections: string[] = [];
  for (let paragraph = 0; paragraph < paragraphs; paragraph += 1) {
    if (paragraph % 6 === 0) sections.push(`## Section ${seed}.${paragraph / 6}`);
    const sentence = () => Array.from({ length: 14 }, (_, index) => vocabulary[(seed * 31 + paragraph * 7 + index * 3) % vocabulary.length]).join(" ") + ".";
    sections.push(`${sentence()} ${sentence()} ${sentence()}`);
  }
  return `# Document ${seed}\n\n${sections.join("\n\n")}`;
}

const dataDirectory = await mkdtemp(join(tmpdir(), "bench-ingestion-"));
const modelsDirectory = join(dataDirectory, "models");
if (values.model === "minilm") {
  await mkdir(modelsDirectory, { recursive: true });
  await copyFile(await realEmbeddingModelPath(await provisionRealModels()), join(modelsDirectory, "embed.gguf"));
} else if (values.model === "generated") {
  await generateModel({ ...preset, pooling: "mean", outputPath: join(modelsDirectory, "embed.gguf") });
} else {
  throw new Error(`--model is generated or minilm, not ${values.model}`);
}
const embeddingDimensions = values.model === "minilm" ? 384 : preset.embeddingLength;
let milvus: TestMilvusServer | undefined;
const storeEnvironment: NodeJS.ProcessEnv = {};
if (values.store === "milvus") {
  milvus = await startTestMilvus();
  Object.assign(storeEnvironment, { VECTOR_STORE: "milvus", MILVUS_ADDRESS: milvus.address });
}
const environment = { DATA_DIR: dataDirectory, MODELS_DIR: modelsDirectory, ...storeEnvironment };
// The multi-process layout `npm start` runs: each service its own process.
const stack = await startMultiProcessStack({ environment: { ...environment, LLAMA_CPP_THREADS: "1" } });
const post = <Data>(query: string, variables: Record<string, unknown>): Promise<Data> => stack.request<Data>(query, variables);
await post(`mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`, {
  input: { id: "bench-embed", displayName: "Bench embeddings", family: "llama", capabilities: ["EMBEDDING"], embeddingDimensions, contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "embed.gguf" }, pricing: { inputPerMillionTokens: 0, outputPerMillionTokens: 0 } },
});

const results: Record<string, unknown> = { machine: await describeMachine(), model: values.model === "minilm" ? "all-MiniLM-L6-v2" : `generated ${values.preset}`, store: values.store, documents: documentCount, date: new Date().toISOString() };
let totalChunks = 0;
for (const concurrency of concurrencies) {
  const { createCollection } = await post<{ createCollection: { id: string } }>(`mutation($input: CreateCollectionInput!) { createCollection(input: $input) { id } }`, {
    input: { name: `bench-${concurrency}`, embeddingModel: "bench-embed", chunkMaxTokens: 128, chunkOverlapTokens: 16 },
  });
  let next = 0;
  let chunks = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < documentCount) {
        const seed = next++;
        const { ingestDocument } = await post<{ ingestDocument: { chunkCount: number } }>(`mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { chunkCount } }`, {
          input: { collectionId: createCollection.id, source: `doc-${seed}.md`, content: markdownDocument(seed) },
        });
        chunks += ingestDocument.chunkCount;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  totalChunks = chunks;
  results[`end to end, ${concurrency} documents at once`] = { chunks, seconds: Math.round(seconds * 100) / 100, chunksPerSecond: Math.round((chunks / seconds) * 10) / 10 };
}

// The same work step by step, one document at a time: token counting (chunking), embedding, storage.
const signer = new InternalContextSigner(await resolveSigningSecret(loadCommonConfig(environment)));
const embedder = new InferenceEmbedder(new InternalGraphqlClient({ serviceName: "inference", url: stack.subgraphUrls.inference ?? "", signer }));
const context: RequestContext = { requestId: "bench", tenantId: "bench", apiKeyId: "bench", roles: ["platform-admin"] };
const store: ChunkStore = milvus === undefined ? new LanceDbChunkStore({ directory: join(dataDirectory, "step-by-step") }) : new MilvusChunkStore({ address: milvus.address, collectionPrefix: "stepbystep_" });
const scope = { tenantId: "bench", collectionId: "col_steps" };
let dimensions = 0;
const timings = { chunkingSeconds: 0, embeddingSeconds: 0, storageSeconds: 0, chunks: 0 };
for (let seed = 0; seed < documentCount; seed += 1) {
  let started = performance.now();
  const chunks: TextChunk[] = [];
  for await (const chunk of chunkDocument(markdownDocument(seed), { maxTokens: 128, overlapTokens: 16, mediaType: "text/markdown" }, (texts) => embedder.countTokens("bench-embed", texts, context))) chunks.push(chunk);
  timings.chunkingSeconds += (performance.now() - started) / 1000;
  for (let start = 0; start < chunks.length; start += 32) {
    const batch = chunks.slice(start, start + 32);
    started = performance.now();
    const vectors = await embedder.embed("bench-embed", batch.map((chunk) => chunk.text), context);
    timings.embeddingSeconds += (performance.now() - started) / 1000;
    if (dimensions === 0) {
      dimensions = vectors[0]?.length ?? 0;
      await store.createCollection(scope, dimensions);
    }
    started = performance.now();
    await store.insertChunks(scope, batch.map((chunk, index) => ({ id: `d${seed}:g:${chunk.index}`, documentId: `d${seed}`, generation: "g", index: chunk.index, text: chunk.text, headingPath: chunk.headingPath, tokenCount: chunk.tokenCount, vector: vectors[index] ?? new Float32Array() })));
    timings.storageSeconds += (performance.now() - started) / 1000;
  }
  timings.chunks += chunks.length;
}
const steps = timings.chunkingSeconds + timings.embeddingSeconds + timings.storageSeconds;
const share = (seconds: number) => `${Math.round((seconds / steps) * 1000) / 10} %`;
results["step by step"] = {
  chunks: timings.chunks,
  chunkingSeconds: Math.round(timings.chunkingSeconds * 100) / 100,
  embeddingSeconds: Math.round(timings.embeddingSeconds * 100) / 100,
  storageSeconds: Math.round(timings.storageSeconds * 100) / 100,
  shares: { chunking: share(timings.chunkingSeconds), embedding: share(timings.embeddingSeconds), storage: share(timings.storageSeconds) },
  embeddedChunksPerSecond: Math.round((timings.chunks / timings.embeddingSeconds) * 10) / 10,
  storedChunksPerSecond: Math.round((timings.chunks / timings.storageSeconds) * 10) / 10,
  sameChunkCount: timings.chunks === totalChunks,
};
await store.close();
await stack.stop();
await milvus?.stop();
await rm(dataDirectory, { recursive: true, force: true });
console.log(JSON.stringify(results, null, 2));
