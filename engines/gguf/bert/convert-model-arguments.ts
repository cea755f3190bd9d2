/**
 * Command-line arguments of scripts/convert-model.ts, parsed into convertSentenceTransformer
 * options. Kept apart from the script so the validation is testable without spawning a process.
 */
import { parseArgs } from "node:util";
import { UsageError } from "../generate-model-arguments.ts";
import type { BertOutputType } from "./bert-tensors.ts";
import type { ConvertSentenceTransformerOptions } from "./convert-sentence-transformer.ts";

export { UsageError } from "../generate-model-arguments.ts";

const outputTypes: readonly BertOutputType[] = ["f16", "f32"];

export const convertModelUsage = `Usage: npm run convert-model -- --source DIR --output FILE.gguf [options]

Converts a sentence-transformers BERT model (config.json, tokenizer.json with a WordPiece
vocabulary, model.safetensors, modules.json, 1_Pooling/config.json) into a bert-architecture
GGUF that llama.cpp / node-llama-cpp loads for embeddings.

Options:
  --source DIR      the model directory (required)
  --output FILE     where to write the .gguf (required); parent directories are created
  --type TYPE       ${outputTypes.join(" | ")} (default: f16): weight type of the matrices;
                    norms, biases and position/token-type tables stay f32
  --name NAME       general.name (default: the source directory's name)
  --json            print the result as JSON
  --help            show this help`;

export type ConvertModelCommand =
  | { readonly kind: "help" }
  | { readonly kind: "convert"; readonly options: ConvertSentenceTransformerOptions; readonly json: boolean };

export function parseConvertModelArguments(argumentList: readonly string[]): ConvertModelCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argumentList],
      strict: true,
      allowPositionals: false,
      options: {
        source: { type: "string" },
        output: { type: "string" },
        type: { type: "string", default: "f16" },
        name: { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  if (values.help === true) {
    return { kind: "help" };
  }
  if (values.source === undefined || values.source.length === 0) {
    throw new UsageError("--source DIR is required");
  }
  if (values.output === undefined || values.output.length === 0) {
    throw new UsageError("--output FILE is required");
  }
  const type = outputTypes.find((candidate) => candidate === values.type?.toLowerCase());
  if (type === undefined) {
    throw new UsageError(`--type must be one of: ${outputTypes.join(", ")}; got "${values.type ?? ""}"`);
  }
  return {
    kind: "convert",
    json: values.json === true,
    options: {
      sourceDirectory: values.source,
      outputPath: values.output,
      type,
      ...(values.name === undefined ? {} : { name: values.name }),
    },
  };
}
