/**
 * CLI: writes a llama-architecture GGUF model with seeded random weights.
 *   node --import tsx scripts/generate-model.ts --preset tiny --out models/tiny.gguf [--seed N] [--pooling mean]
 * Run with --help for all options. Exit status: 0 written, 1 generation failed, 2 bad arguments.
 */
import { generateModel } from "../engines/gguf/generate-model.ts";
import { generateModelUsage, parseGenerateModelArguments } from "../engines/gguf/generate-model-arguments.ts";
import { runModelFileCommand } from "./model-file-command.ts";

process.exitCode = await runModelFileCommand({
  name: "generate-model",
  usage: generateModelUsage,
  parse: (argv) => parseGenerateModelArguments([...argv]),
  write: generateModel,
  describe: (result, seconds) =>
    `wrote ${result.path}\n` +
    `  ${result.parameterCount.toLocaleString("en-US")} parameters, ${result.bytes.toLocaleString("en-US")} bytes, ${seconds.toFixed(2)} s\n` +
    `  sha256 ${result.sha256}\n`,
  // Option validation throws RangeError/TypeError, which the user fixes by changing flags;
  // anything else happened while writing, so say where.
  failure: (error, message, outputPath) =>
    error instanceof RangeError || error instanceof TypeError ? `invalid options: ${message}` : `could not write ${outputPath}: ${message}`,
});
