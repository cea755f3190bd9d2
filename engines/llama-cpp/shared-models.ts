/**
 * Loaded models shared by every engine in the process: a model file is read into memory once per
 * gpu mode however many engines serve it, and freed when the last of them lets go.
 */
import { constants } from "node:fs";
import { access, realpath, stat } from "node:fs/promises";
import type { LlamaModel } from "node-llama-cpp";
import type { Logger } from "../../platform/logging/logger.ts";
import { EngineError } from "../engine-error.ts";
import type { LlamaGpuMode } from "./llama-cpp-options.ts";
import { llamaRuntime } from "./llama-instances.ts";

/** One engine's hold on a shared model; `release` must be called exactly once. */
export interface SharedModelLease {
  readonly model: LlamaModel;
  release(): Promise<void>;
}

export interface SharedModelStatistics {
  /** Real path of the model file. */
  readonly modelPath: string;
  readonly gpu: LlamaGpuMode;
  /** Engines holding the model. */
  readonly references: number;
}

interface SharedModelEntry {
  readonly modelPath: string;
  readonly gpu: LlamaGpuMode;
  references: number;
  readonly model: Promise<LlamaModel>;
}

const entries = new Map<string, SharedModelEntry>();

/** `logger` receives the runtime's `auto` fallback warning when this call starts the runtime. */
export async function acquireSharedModel(modelPath: string, gpu: LlamaGpuMode, logger?: Logger): Promise<SharedModelLease> {
  const resolvedPath = await readableModelPath(modelPath);
  const key = `${gpu}\u0000${resolvedPath}`;
  let entry = entries.get(key);
  if (entry === undefined) {
    entry = { modelPath: resolvedPath, gpu, references: 0, model: loadModel(resolvedPath, gpu, logger) };
    entries.set(key, entry);
  }
  // Counted before the await so a release racing with a concurrent load cannot free the model under us.
  entry.references += 1;
  const current = entry;
  let model: LlamaModel;
  try {
    model = await current.model;
  } catch (error) {
    current.references -= 1;
    if (entries.get(key) === current) entries.delete(key);
    throw error;
  }
  let released = false;
  return {
    model,
    async release() {
      if (released) return;
      released = true;
      current.references -= 1;
      if (current.references > 0) return;
      if (entries.get(key) === current) entries.delete(key);
      await model.dispose();
    },
  };
}

/** Models loaded right now, for tests and diagnostics. */
export function sharedModelStatistics(): SharedModelStatistics[] {
  return [...entries.values()].map(({ modelPath, gpu, references }) => ({ modelPath, gpu, references }));
}

async function readableModelPath(modelPath: string): Promise<string> {
  try {
    const resolvedPath = await realpath(modelPath);
    const details = await stat(resolvedPath);
    if (!details.isFile()) {
      throw new EngineError("engine-unavailable", `Model path ${modelPath} is not a file`);
    }
    await access(resolvedPath, constants.R_OK);
    return resolvedPath;
  } catch (error) {
    if (error instanceof EngineError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new EngineError("engine-unavailable", `Model file ${modelPath} is missing or unreadable: ${reason}`, { cause: error });
  }
}

async function loadModel(modelPath: string, gpu: LlamaGpuMode, logger: Logger | undefined): Promise<LlamaModel> {
  const llama = await llamaRuntime(gpu, logger);
  try {
    return await llama.loadModel({ modelPath });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new EngineError("engine-unavailable", `llama.cpp could not load the model file ${modelPath}: ${reason}`, { cause: error });
  }
}
