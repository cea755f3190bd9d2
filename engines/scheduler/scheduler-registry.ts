import type { InferenceEngine } from "../engine.ts";
import { ModelScheduler } from "./model-scheduler.ts";
import type { ObserveRequests } from "./request-observer.ts";
import { schedulerClosedError } from "./scheduler-errors.ts";
import type { SchedulerMetricsSnapshot } from "./scheduler-metrics.ts";
import type { SchedulerOptions } from "./scheduler-options.ts";

export interface SchedulerRegistryOptions {
  /** Opens the engine for a model; called once per model id while its scheduler lives. */
  createEngine(modelId: string): Promise<InferenceEngine>;
  /** Scheduler settings for a model (its engine's stream capacity, for one); defaults when absent. */
  schedulerOptions?(modelId: string): SchedulerOptions;
  /** Observers of a model's scheduler events (Prometheus series); none when absent. */
  observeRequests?(modelId: string): ObserveRequests | undefined;
}

/**
 * One scheduler per model id for the whole process: batching only pays when every GraphQL operation
 * of the process goes through the same queue. Create one registry at start-up and `closeAll()` it on shutdown.
 */
export class SchedulerRegistry {
  private readonly schedulers = new Map<string, Promise<ModelScheduler>>();
  private closed = false;

  constructor(private readonly options: SchedulerRegistryOptions) {}

  /** The model's scheduler, created (engine loaded) on first use; concurrent first calls share one creation. */
  get(modelId: string): Promise<ModelScheduler> {
    if (this.closed) return Promise.reject(schedulerClosedError());
    const existing = this.schedulers.get(modelId);
    if (existing !== undefined) return existing;
    const creating = this.create(modelId);
    this.schedulers.set(modelId, creating);
    // A failed load is forgotten so the next request tries again (the model file may appear, a server come back).
    creating.catch(() => {
      if (this.schedulers.get(modelId) === creating) this.schedulers.delete(modelId);
    });
    return creating;
  }

  /** Model ids with a scheduler created or being created. */
  modelIds(): string[] {
    return [...this.schedulers.keys()];
  }

  /** Metrics of every scheduler that finished creating, by model id. */
  async metrics(): Promise<Record<string, SchedulerMetricsSnapshot>> {
    const entries = await Promise.all(
      [...this.schedulers].map(async ([modelId, creating]) => {
        try {
          return [[modelId, (await creating).metrics()] as const];
        } catch {
          return [];
        }
      }),
    );
    return Object.fromEntries(entries.flat());
  }

  /** Closes one model's scheduler and engine (model unloaded); the next `get` creates a fresh one. */
  async close(modelId: string): Promise<void> {
    const creating = this.schedulers.get(modelId);
    if (creating === undefined) return;
    this.schedulers.delete(modelId);
    await closeCreated(creating);
  }

  /** Closes every scheduler and engine; later `get` calls fail with `unavailable`. */
  async closeAll(): Promise<void> {
    this.closed = true;
    const all = [...this.schedulers.values()];
    this.schedulers.clear();
    await Promise.all(all.map(closeCreated));
  }

  private async create(modelId: string): Promise<ModelScheduler> {
    const engine = await this.options.createEngine(modelId);
    try {
      return new ModelScheduler(engine, this.options.schedulerOptions?.(modelId) ?? {}, this.options.observeRequests?.(modelId));
    } catch (error) {
      // Invalid scheduler settings: do not leave the loaded model behind.
      await engine.close();
      throw error;
    }
  }
}

async function closeCreated(creating: Promise<ModelScheduler>): Promise<void> {
  let scheduler: ModelScheduler;
  try {
    scheduler = await creating;
  } catch {
    return; // Never created: nothing to close.
  }
  await scheduler.close();
}
