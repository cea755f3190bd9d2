/**
 * The shape both model-file CLIs share (`generate-model`, `convert-model`): parse the arguments
 * (usage errors exit 2), `--help`, write the file, print what was written (or JSON with `--json`).
 * Exit status: 0 written, 1 writing failed or was refused, 2 bad arguments.
 */
import { UsageError } from "../engines/gguf/generate-model-arguments.ts";

export type ParsedModelFileCommand<Options> = { readonly kind: "help" } | { readonly kind: string; readonly options: Options; readonly json: boolean };

export interface ModelFileCommand<Options extends { outputPath: string }, Result extends object> {
  /** The command's name, at the start of its error lines. */
  name: string;
  usage: string;
  parse(argv: readonly string[]): ParsedModelFileCommand<Options>;
  write(options: Options): Promise<Result>;
  /** Lines for a person, after "wrote <path>". */
  describe(result: Result, seconds: number): string;
  /** The error line for a failure while writing. */
  failure(error: unknown, message: string, outputPath: string): string;
}

export async function runModelFileCommand<Options extends { outputPath: string }, Result extends object>(command: ModelFileCommand<Options, Result>): Promise<number> {
  let parsed: ParsedModelFileCommand<Options>;
  try {
    parsed = command.parse(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${command.name}: ${error.message}\n\n${command.usage}\n`);
      return 2;
    }
    throw error;
  }
  if (!("options" in parsed)) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  const startedAt = performance.now();
  try {
    const result = await command.write(parsed.options);
    const seconds = (performance.now() - startedAt) / 1000;
    process.stdout.write(parsed.json ? `${JSON.stringify({ ...result, seconds })}\n` : command.describe(result, seconds));
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${command.name}: ${command.failure(error, message, parsed.options.outputPath)}\n`);
    return 1;
  }
}
