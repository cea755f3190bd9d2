import { modelChangedChannel, type ModelChangedEvent } from "../platform/events/model-changed.ts";
import type { Logger } from "../platform/logging/logger.ts";
import { defineDeploymentMetrics } from "../platform/metrics/deployment-metrics.ts";
import { observeScheduler, reportSchedulers } from "../platform/metrics/scheduler-metrics.ts";
import type { ServiceMetrics } from "../platform/metrics/service-metrics.ts";
import type { PubSub } from "../platform/pubsub/pubsub.ts";
import type { ModelRecord } from "../subgraphs/model-registry/model-record.ts";
import type { ModelStore } from "../subgraphs/model-registry/store/model-store.ts";
import { schedulerOptionsFor, type EngineConfig } from "./engine-config.ts";
import { engineIdentity, openEngine } from "./open-engine.ts";
import { genAiModelOf, traceEngineCalls } from "./traced-engine.ts";
import type { ModelScheduler } from "./scheduler/model-scheduler.ts";
import { SchedulerRegistry } from "./scheduler/scheduler-registry.ts";

export interface ModelEnginesOptions {
  /** The registry's store, read-only here: the model as stored decides the engine. */
  models: Pick<ModelStore, "resolve">;
  config: EngineConfig;
  /** Where relative GGUF paths resolve. */
  modelsDirectory: string;
  /** Registry change events, so engines of deleted or re-pointed models are released at once. */
  pubsub?: PubSub;
  logger: Logger;
  /** Where the schedulers' series go (queue wait, batch sizes, outcomes, queue depth); none when absent. */
  metrics?: ServiceMetrics;
}

export interface ResolvedModel {
  model: ModelRecord;
  scheduler: ModelScheduler;
}

/**
 * The engines this process serves, one scheduler (and one loaded engine) per registry model, opened
 * on first use and shared by every request. Each lookup reads the model from the store, so a
 * change made by any replica (another engine file, another server) is seen on the next request;
 * the engine of the old definition is then closed.
 */
export class ModelEngines {
  readonly #options: ModelEnginesOptions;
  readonly #schedulers: SchedulerRegistry;
  /** Registry key (engine identity) in use per model id. */
  readonly #identities = new Map<string, string>();
  readonly #definitions = new Map<string, ModelRecord>();
  /** The last successful read of each name that found a model: served while the store is unreachable. */
  readonly #lastKnown = new Map<string, ModelRecord>();
  #unsubscribe: (() => Promise<void>) | undefined;

  private constructor(options: ModelEnginesOptions) {
    this.#options = options;
    this.#schedulers = new SchedulerRegistry({
      createEngine: (identity) => {
        const model = this.#definitions.get(identity);
        if (model === undefined) throw new Error(`no model definition for ${identity}`);
        return openEngine(model, options.config, options.modelsDirectory, options.logger, options.metrics).then((engine) => {
          const { kind, contextLength, chatTemplate } = engine.describe();
          options.logger.info("opened the engine of a model", { modelId: model.id, kind, contextLength, ...(chatTemplate === undefined ? {} : { chatTemplate }) });
          // Each engine call a span with the GenAI conventions, when traces are exported (engines/traced-engine.ts).
          return traceEngineCalls(engine, genAiModelOf(model));
        });
      },
      schedulerOptions: (identity) => schedulerOptionsFor(this.#definitions.get(identity)?.engine.kind ?? "LLAMA_CPP", options.config),
      observeRequests: (identity) => {
        const modelId = this.#definitions.get(identity)?.id;
        return options.metrics === undefined || modelId === undefined ? undefined : observeScheduler(options.metrics, modelId);
      },
    });
    if (options.metrics !== undefined) {
      reportSchedulers(options.metrics, () => this.metrics());
      // Declared from the start (empty until a model with several deployments opens), so dashboards and alerts find the series.
      options.metrics.concern(defineDeploymentMetrics);
    }
  }

  static async create(options: ModelEnginesOptions): Promise<ModelEngines> {
    const engines = new ModelEngines(options);
    engines.#unsubscribe = await options.pubsub?.subscribe(modelChangedChannel, (message) => {
      void engines.#onModelChanged(message as ModelChangedEvent);
    });
    return engines;
  }

  /** The model named `name` (id or alias) with its scheduler, or undefined when no model has that name. */
  async resolve(name: string): Promise<ResolvedModel | undefined> {
    const model = await this.find(name);
    return model === undefined ? undefined : { model, scheduler: await this.schedulerFor(model) };
  }

  /**
   * The model named `name` as stored now, without opening its engine (to check it first). While
   * the store is unreachable (a Redis restart), a model read before is served as it was last read,
   * so inference of known models goes on (quotas then decide, see QUOTA_FAIL_OPEN); a name never
   * read fails as the store does.
   */
  async find(name: string): Promise<ModelRecord | undefined> {
    let model: ModelRecord | undefined;
    try {
      model = await this.#options.models.resolve(name);
    } catch (error) {
      const lastKnown = this.#lastKnown.get(name);
      if (lastKnown === undefined) throw error;
      this.#options.logger.warn("model store unreachable; serving the model as last read", { name, error });
      return lastKnown;
    }
    if (model === undefined) this.#lastKnown.delete(name);
    else this.#lastKnown.set(name, model);
    return model;
  }

  /** The scheduler of `model` (as just read from the store), opening its engine on first use. */
  async schedulerFor(model: ModelRecord): Promise<ModelScheduler> {
    const identity = engineIdentity(model);
    const previous = this.#identities.get(model.id);
    if (previous !== identity) {
      this.#identities.set(model.id, identity);
      this.#definitions.set(identity, model);
      if (previous !== undefined) await this.#release(previous, model.id);
    }
    return this.#schedulers.get(identity);
  }

  /** Scheduler metrics by model id, for the queue-depth and running gauges (platform/metrics/scheduler-metrics.ts). */
  async metrics(): Promise<Record<string, ReturnType<ModelScheduler["metrics"]>>> {
    const byIdentity = await this.#schedulers.metrics();
    const result: Record<string, ReturnType<ModelScheduler["metrics"]>> = {};
    for (const [modelId, identity] of this.#identities) {
      const snapshot = byIdentity[identity];
      if (snapshot !== undefined) result[modelId] = snapshot;
    }
    return result;
  }

  async close(): Promise<void> {
    await this.#unsubscribe?.();
    await this.#schedulers.closeAll();
  }

  async #onModelChanged(event: ModelChangedEvent): Promise<void> {
    const identity = this.#identities.get(event.modelId);
    if (identity === undefined) return;
    if (event.change === "deleted") {
      this.#identities.delete(event.modelId);
      await this.#release(identity, event.modelId);
      return;
    }
    // An update may have re-pointed the engine: look again, which releases the old one if so.
    await this.resolve(event.modelId).catch((error: unknown) => this.#options.logger.warn("could not reload a changed model", { error, modelId: event.modelId }));
  }

  async #release(identity: string, modelId: string): Promise<void> {
    this.#definitions.delete(identity);
    // Requests still on the old engine fail with a retryable `unavailable`; a retry reaches the new one.
    await this.#schedulers.close(identity);
    this.#options.logger.info("released the engine of a changed model", { modelId });
  }
}
