import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConvertModelArguments, UsageError } from "../../../engines/gguf/bert/convert-model-arguments.ts";

describe("parseConvertModelArguments", () => {
  it("defaults to f16", () => {
    assert.deepEqual(parseConvertModelArguments(["--source", "models/minilm", "--output", "out/minilm.gguf"]), {
      kind: "convert",
      json: false,
      options: { sourceDirectory: "models/minilm", outputPath: "out/minilm.gguf", type: "f16" },
    });
  });

  it("takes --type in either case, --name and --json", () => {
    assert.deepEqual(parseConvertModelArguments(["--source", "a", "--output", "b.gguf", "--type", "F32", "--name", "minilm", "--json"]), {
      kind: "convert",
      json: true,
      options: { sourceDirectory: "a", outputPath: "b.gguf", type: "f32", name: "minilm" },
    });
  });

  it("answers --help without other arguments", () => {
    assert.deepEqual(parseConvertModelArguments(["--help"]), { kind: "help" });
  });

  const mistakes: ReadonlyArray<readonly [string, string[], RegExp]> = [
    ["no --source", ["--output", "b.gguf"], /--source DIR is required/],
    ["no --output", ["--source", "a"], /--output FILE is required/],
    ["a quantized type", ["--source", "a", "--output", "b", "--type", "q8_0"], /--type must be one of: f16, f32; got "q8_0"/],
    ["an unknown flag", ["--source", "a", "--output", "b", "--quantize"], /Unknown option '--quantize'/],
    ["a positional argument", ["a", "b"], /Unexpected argument 'a'/],
  ];
  for (const [label, argumentList, message] of mistakes) {
    it(`refuses ${label} as a UsageError`, () => {
      assert.throws(() => parseConvertModelArguments(argumentList), (error: unknown) => error instanceof UsageError && message.test(error.message));
    });
  }
});
