/**
 * The start-up line an operator reads on a GPU node (backend in use, offloaded layers, threads),
 * and the loud warning when `auto` finds no GPU. On a machine without a usable GPU build (this
 * project's CI) `auto` must warn and report the CPU with no offloaded layers; on a GPU machine it
 * must report the GPU backend with every layer offloaded and no warning.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LlamaCppEngine } from "../../../engines/llama-cpp/llama-cpp-engine.ts";
import type { Logger } from "../../../platform/logging/logger.ts";
import { testThreads, tinyModel } from "./llama-cpp-test-models.ts";

interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  fields: Record<string, unknown>;
}

/** A logger that keeps its lines (a test double). */
function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const record = (level: LogLine["level"]) => (message: string, fields: Record<string, unknown> = {}) => {
    lines.push({ level, message, fields });
  };
  return { lines, debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };
}

const modelPath = await tinyModel("backend-log");

describe("llama.cpp start-up log", () => {
  it("states the backend, offloaded layers and threads; `auto` without a GPU warns that it runs on the CPU", async () => {
    const logger = recordingLogger();
    const engine = await LlamaCppEngine.open({ modelPath, gpu: "auto", contextLength: 64, sequences: 1, threads: testThreads, logger });
    try {
      const loaded = logger.lines.find((line) => line.message === "llama.cpp model loaded");
      assert.ok(loaded, `no start-up line among ${JSON.stringify(logger.lines)}`);
      assert.equal(loaded.level, "info");
      assert.equal(loaded.fields.requestedGpu, "auto");
      assert.equal(loaded.fields.threads, testThreads);
      assert.equal(loaded.fields.modelPath, modelPath);
      const totalLayers = loaded.fields.totalLayers;
      assert.ok(typeof totalLayers === "number" && totalLayers > 0, "the model's layer count");
      const fallbackWarning = logger.lines.find((line) => line.level === "warn" && /LLAMA_CPP_GPU=auto/.test(line.message));
      if (loaded.fields.backend === "cpu") {
        assert.equal(loaded.fields.offloadedLayers, 0, "nothing is offloaded on the CPU");
        assert.ok(fallbackWarning, "auto falling back to the CPU must be logged as a warning");
      } else {
        assert.ok(["cuda", "vulkan", "metal"].includes(String(loaded.fields.backend)), `unexpected backend ${String(loaded.fields.backend)}`);
        assert.equal(loaded.fields.offloadedLayers, totalLayers, "a tiny model fits the GPU whole");
        assert.equal(fallbackWarning, undefined);
      }
    } finally {
      await engine.close();
    }
  });

  it("`cpu` logs the CPU backend without a warning", async () => {
    const logger = recordingLogger();
    const engine = await LlamaCppEngine.open({ modelPath, gpu: "cpu", contextLength: 64, sequences: 1, threads: testThreads, logger });
    try {
      const loaded = logger.lines.find((line) => line.message === "llama.cpp model loaded");
      assert.equal(loaded?.fields.backend, "cpu");
      assert.equal(loaded?.fields.offloadedLayers, 0);
      assert.equal(logger.lines.filter((line) => line.level === "warn").length, 0);
    } finally {
      await engine.close();
    }
  });
});
