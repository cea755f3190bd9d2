import { open } from "node:fs/promises";
import { basename, join } from "node:path";
import { EngineError } from "../engine-error.ts";
import { downloadFile, type DownloadedFile } from "./download-file.ts";

export interface HuggingFaceDownloadOptions {
  /** Repository on the hub, `owner/name` (e.g. `Qwen/Qwen2.5-0.5B-Instruct-GGUF`). */
  repository: string;
  /** Path of the file inside the repository (e.g. `qwen2.5-0.5b-instruct-q8_0.gguf`, `1_Pooling/config.json`). */
  file: string;
  /** Branch, tag or commit. Default `main`. */
  revision?: string;
  /** Directory the file is saved into. */
  modelsDirectory: string;
  /**
   * Path of the saved file relative to `modelsDirectory`. Default: the file's base name (a GGUF
   * file lands directly in the models directory).
   */
  savedAs?: string;
  /** Hub URL. Default `HF_ENDPOINT` or `https://huggingface.co` (mirrors and tests set it). */
  endpoint?: string;
  /** Access token for gated or private repositories. Default `HF_TOKEN`. */
  token?: string;
  /** When given, the download must have this SHA-256 (hex) or it is discarded. */
  expectedSha256?: string;
  /** Called as bytes arrive, with the total when the server says it. */
  onProgress?: (receivedBytes: number, totalBytes: number | undefined) => void;
  signal?: AbortSignal;
}

export type DownloadedModelFile = DownloadedFile;

const repositoryPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const filePattern = /\.(gguf|json|safetensors|txt|model)$/;

/**
 * Fetches a file from the Hugging Face hub (`/<repo>/resolve/<revision>/<file>`): GGUF models, or
 * the files of a safetensors repository to convert. Resumable and checked (see `downloadFile`);
 * a `.gguf` file must start with GGUF's magic bytes.
 */
export async function downloadFromHuggingFace(options: HuggingFaceDownloadOptions): Promise<DownloadedModelFile> {
  if (!repositoryPattern.test(options.repository)) {
    throw new EngineError("invalid-request", `"${options.repository}" is not a hub repository (expected owner/name).`);
  }
  if (!filePattern.test(options.file) || options.file.split("/").some((part) => part === ".." || part === "" || part === ".")) {
    throw new EngineError("invalid-request", `"${options.file}" is not a model file path inside the repository (.gguf, .safetensors, .json, .txt or .model).`);
  }
  const savedAs = options.savedAs ?? basename(options.file);
  if (savedAs.split("/").some((part) => part === ".." || part === "" || part === ".")) {
    throw new EngineError("invalid-request", `"${savedAs}" is not a path inside the models directory.`);
  }
  const endpoint = (options.endpoint ?? process.env.HF_ENDPOINT ?? "https://huggingface.co").replace(/\/+$/, "");
  const token = options.token ?? process.env.HF_TOKEN;
  const revision = encodeURIComponent(options.revision ?? "main");
  const url = `${endpoint}/${options.repository}/resolve/${revision}/${options.file.split("/").map(encodeURIComponent).join("/")}`;
  return downloadFile({
    url,
    destination: join(options.modelsDirectory, savedAs),
    serverName: "The hub",
    unauthorizedHint: "a gated or private repository needs HF_TOKEN",
    ...(token === undefined || token === "" ? {} : { headers: { authorization: `Bearer ${token}` } }),
    ...(options.expectedSha256 === undefined ? {} : { expectedSha256: options.expectedSha256 }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.file.endsWith(".gguf") ? { verify: (path: string) => requireGgufMagic(path, url) } : {}),
  });
}

async function requireGgufMagic(path: string, url: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(4);
    await handle.read(buffer, 0, 4, 0);
    if (buffer.toString("latin1") !== "GGUF") throw new EngineError("invalid-response", `${url} is not a GGUF file (wrong magic bytes).`);
  } finally {
    await handle.close();
  }
}
