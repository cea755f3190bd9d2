/**
 * One llama.cpp runtime (`Llama`) per gpu mode for the whole process. Loading the native binary
 * takes about a second, and one runtime per process lets node-llama-cpp split the CPU threads
 * between every context instead of each engine assuming it owns all cores.
 */
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import type { Logger } from "../../platform/logging/logger.ts";
import { EngineError } from "../engine-error.ts";
import { availableCpus } from "./cpu-budget.ts";
import type { LlamaGpuMode } from "./llama-cpp-options.ts";

const runtimes = new Map<LlamaGpuMode, Promise<Llama>>();

/**
 * The shared runtime for `gpu`. A failure is kept too: a missing binary or GPU does not appear
 * while the process runs, and retrying would cost another second of probing per engine.
 * `logger` (of the first caller) gets the warning when `auto` finds no GPU and runs on the CPU.
 */
export function llamaRuntime(gpu: LlamaGpuMode, logger?: Logger): Promise<Llama> {
  let runtime = runtimes.get(gpu);
  if (runtime === undefined) {
    runtime = startRuntime(gpu, logger);
    runtimes.set(gpu, runtime);
  }
  return runtime;
}

async function startRuntime(gpu: LlamaGpuMode, logger: Logger | undefined): Promise<Llama> {
  let llama: Llama;
  try {
    llama = await getLlama({
      // Never compile llama.cpp or download anything at run time: only the installed prebuilt binaries.
      build: "never",
      skipDownload: true,
      progressLogs: false,
      gpu: gpu === "cpu" ? false : gpu,
      // The process-wide thread budget; contexts share it instead of oversubscribing the cores. The
      // cgroup CPU quota caps it: a 4-CPU pod on a 64-core node gets 4, not 64.
      maxThreads: availableCpus(),
      logLevel: LlamaLogLevel.error,
    });
  } catch (error) {
    throw new EngineError("engine-unavailable", unavailableMessage(gpu, error), { cause: error });
  }
  if (gpu === "cuda" && llama.gpu !== "cuda") {
    await llama.dispose();
    throw new EngineError("engine-unavailable", `CUDA was requested but llama.cpp started with ${String(llama.gpu)}`);
  }
  if (gpu === "auto" && llama.gpu === false) {
    // Loudly: a GPU node whose driver or CUDA libraries are missing would otherwise serve 10-50x slower unnoticed.
    logger?.warn("LLAMA_CPP_GPU=auto found no usable GPU build or device: llama.cpp runs on the CPU (set LLAMA_CPP_GPU=cuda to fail instead)", {
      backend: "cpu",
      requested: gpu,
    });
  }
  return llama;
}

function unavailableMessage(gpu: LlamaGpuMode, error: unknown): string {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (gpu === "cuda") {
    return (
      "CUDA was requested but no usable CUDA build of llama.cpp could be loaded here " +
      "(it needs an NVIDIA GPU with its driver, the CUDA runtime and cuBLAS, and the @node-llama-cpp/linux-x64-cuda package; " +
      `nothing is built or downloaded at run time): ${reason}`
    );
  }
  return `No prebuilt llama.cpp binary could be loaded for gpu mode "${gpu}" (nothing is built or downloaded at run time): ${reason}`;
}
