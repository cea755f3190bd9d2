import { isAbsolute, resolve } from "node:path";
import type { Logger } from "../platform/logging/logger.ts";
import { observeDeploymentRouter } from "../platform/metrics/deployment-metrics.ts";
import type { ServiceMetrics } from "../platform/metrics/service-metrics.ts";
import { deploymentsOf, type ModelRecord } from "../subgraphs/model-registry/model-record.ts";
import type { InferenceEngine } from "./engine.ts";
import type { EngineConfig } from "./engine-config.ts";
import { EngineError } from "./engine-error.ts";
import { LlamaCppEngine } from "./llama-cpp/llama-cpp-engine.ts";
import { OpenAICompatibleEngine } from "./openai-compatible/openai-compatible-engine.ts";
import { DeploymentRouter, type Deployment } from "./routing/deployment-router.ts";

/** The parts of a registry model that decide how its engine is opened. */
export type EngineDefinition = Pick<ModelRecord, "id" | "engine" | "deployments" | "routing" | "contextLength" | "embeddingDimensions">;

/**
 * Opens the engine a registry model names: the engine of its one deployment, or a router over the
 * engines of several (engines/routing/). Relative GGUF paths resolve against `modelsDirectory`.
 * `logger` receives upstream failures in the upstream's own words (clients get a short message).
 */
export async function openEngine(model: EngineDefinition, config: EngineConfig, modelsDirectory: string, logger?: Logger, metrics?: ServiceMetrics): Promise<InferenceEngine> {
  const deployments = deploymentsOf(model);
  if (deployments.length === 1) return openOneEngine(model, config, modelsDirectory, logger);
  const opened: Deployment[] = [];
  try {
    for (const deployment of deployments) {
      const engine = await openOneEngine({ ...model, engine: deployment.engine, deployments: undefined }, config, modelsDirectory, logger);
      opened.push({ name: deployment.name, engine, weight: deployment.weight, priority: deployment.priority, ...(deployment.maxConcurrentRequests === null ? {} : { maxConcurrentRequests: deployment.maxConcurrentRequests }) });
    }
    let observer: ReturnType<typeof observeDeploymentRouter> | undefined;
    const router = new DeploymentRouter({
      modelId: model.id,
      deployments: opened,
      strategy: model.routing ?? "WEIGHTED",
      ...(config.routing === undefined ? {} : { circuitBreaker: config.routing }),
      ...(logger === undefined ? {} : { logger }),
      observe: (deployment, outcome) => observer?.observe(deployment, outcome),
      // Off the gauges once closed (the model changed or went away).
      onClose: () => observer?.stop(),
    });
    if (metrics !== undefined) observer = observeDeploymentRouter(metrics, router);
    return router;
  } catch (error) {
    await Promise.all(opened.map((deployment) => deployment.engine.close()));
    throw error;
  }
}

async function openOneEngine(model: EngineDefinition, config: EngineConfig, modelsDirectory: string, logger?: Logger): Promise<InferenceEngine> {
  const engine = model.engine;
  if (engine.kind === "LLAMA_CPP") {
    if (engine.modelPath === null) throw new EngineError("engine-unavailable", `Model ${model.id} names no GGUF file.`);
    return LlamaCppEngine.open({
      modelPath: isAbsolute(engine.modelPath) ? engine.modelPath : resolve(modelsDirectory, engine.modelPath),
      gpu: config.llamaCpp.gpu,
      // The registry's context length is what clients are promised; the engine never reserves more.
      contextLength: Math.min(model.contextLength, config.llamaCpp.maxContextLength),
      sequences: config.llamaCpp.sequences,
      threads: config.llamaCpp.threads,
      embeddingContexts: config.llamaCpp.embeddingContexts,
      ...(logger === undefined ? {} : { logger }),
      ...(engine.chatTemplate === undefined ? {} : { chatTemplate: engine.chatTemplate }),
    });
  }
  if (engine.baseUrl === null || engine.upstreamModel === null) {
    throw new EngineError("engine-unavailable", `Model ${model.id} names no upstream server or model.`);
  }
  return new OpenAICompatibleEngine({
    baseUrl: engine.baseUrl,
    upstreamModel: engine.upstreamModel,
    ...(engine.apiKey === null ? {} : { apiKey: engine.apiKey }),
    ...(engine.tokenizerPath === undefined ? {} : { tokenizerPath: isAbsolute(engine.tokenizerPath) ? engine.tokenizerPath : resolve(modelsDirectory, engine.tokenizerPath) }),
    ...(engine.chatTemplate === undefined ? {} : { chatTemplate: engine.chatTemplate }),
    contextLength: model.contextLength,
    ...(model.embeddingDimensions === null ? {} : { embeddingDimensions: model.embeddingDimensions }),
    requestTimeoutMillis: config.openAiCompatible.requestTimeoutMillis,
    maxRetries: config.openAiCompatible.maxRetries,
    network: config.openAiCompatible.network,
    ...(logger === undefined ? {} : { logger }),
  });
}

/**
 * What must stay the same for a running engine to keep serving a model: a change of pricing,
 * status or display name keeps the loaded engine; a new file, server or context length does not.
 */
export function engineIdentity(model: EngineDefinition): string {
  const engines = deploymentsOf(model).map(({ name, engine, weight, priority, maxConcurrentRequests }) => {
    const { kind, modelPath, baseUrl, upstreamModel, apiKey, chatTemplate, tokenizerPath } = engine;
    return [name, weight, priority, maxConcurrentRequests, kind, modelPath, baseUrl, upstreamModel, apiKey, chatTemplate ?? null, tokenizerPath ?? null];
  });
  return JSON.stringify([model.id, engines, model.routing ?? "WEIGHTED", model.contextLength, model.embeddingDimensions]);
}
