/**
 * CLI: converts a sentence-transformers BERT model directory into a bert-architecture GGUF.
 *   npm run convert-model -- --source DIR --output FILE.gguf [--type f16|f32]
 * Run with --help for all options. Exit status: 0 written, 1 conversion refused or failed, 2 bad arguments.
 */
import { ModelConversionError, convertSentenceTransformer } from "../engines/gguf/bert/convert-sentence-transformer.ts";
import { convertModelUsage, parseConvertModelArguments } from "../engines/gguf/bert/convert-model-arguments.ts";
import { runModelFileCommand } from "./model-file-command.ts";

process.exitCode = await runModelFileCommand({
  name: "convert-model",
  usage: convertModelUsage,
  parse: (argv) => parseConvertModelArguments([...argv]),
  write: convertSentenceTransformer,
  describe: (result, seconds) =>
    `wrote ${result.path}\n` +
    `  ${result.type}, ${result.parameterCount.toLocaleString("en-US")} parameters, ${result.bytes.toLocaleString("en-US")} bytes, ${seconds.toFixed(2)} s\n` +
    `  ${result.dimensions}-d vectors, ${result.pooling} pooling, context ${result.contextLength} tokens` +
    `${result.normalize ? "; the model's vectors are unit length (this project's llama.cpp engine normalises what llama.cpp returns)" : ""}\n` +
    `  sha256 ${result.sha256}\n`,
  failure: (error, message, outputPath) => (error instanceof ModelConversionError ? `cannot convert this model: ${message}` : `could not write ${outputPath}: ${message}`),
});
