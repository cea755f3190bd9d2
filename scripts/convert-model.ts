/**
 * CLI: converts a sentence-transformers BERT model directory into a bert-architecture GGUF.
 *   npm run convert-model -- --source DIR --output FILE.gguf [--type f16|f32]
 * Run with --help for all options. Exit status: 0 written, 1 conversion refused or failed, 2 bad arguments.
 */
import { ModelConversionError, convertSentenceTransformer } from "../engines/gguf/bert/convert-sentence-transformer.ts";
import { convertModelUsage, parseConvertModelArguments, UsageError } from "../engines/gguf/bert/convert-model-arguments.ts";

async function main(): Promise<number> {
  let command;
  try {
    command = parseConvertModelArguments(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`convert-model: ${error.message}\n\n${convertModelUsage}\n`);
      return 2;
    }
    throw error;
  }
  if (command.kind === "help") {
    process.stdout.write(`${convertModelUsage}\n`);
    return 0;
  }

  const startedAt = performance.now();
  try {
    const result = await convertSentenceTransformer(command.options);
    const seconds = (performance.now() - startedAt) / 1000;
    if (command.json) {
      process.stdout.write(`${JSON.stringify({ ...result, seconds })}\n`);
    } else {
      process.stdout.write(
        `wrote ${result.path}\n` +
          `  ${result.type}, ${result.parameterCount.toLocaleString("en-US")} parameters, ${result.bytes.toLocaleString("en-US")} bytes, ${seconds.toFixed(2)} s\n` +
          `  ${result.dimensions}-d vectors, ${result.pooling} pooling, context ${result.contextLength} tokens` +
          `${result.normalize ? "; the model normalises its vectors: llama.cpp does not, normalise what it returns" : ""}\n` +
          `  sha256 ${result.sha256}\n`,
      );
    }
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      error instanceof ModelConversionError
        ? `convert-model: cannot convert this model: ${message}\n`
        : `convert-model: could not write ${command.options.outputPath}: ${message}\n`,
    );
    return 1;
  }
}

process.exitCode = await main();
