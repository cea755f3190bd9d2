/**
 * Loads the models of `WARM_UP_MODELS` when an inference replica starts, and holds its /readyz at
 * 503 until every one is loaded: a new pod takes traffic only once it can serve it, instead of
 * loading a model (seconds to minutes for large ones) inside the first requests' deadlines.
 */
import type { ModelEngines } from "../../../engines/model-engines.ts";
import type { ReadinessCheck } from "../../../platform/http/service-server.ts";
import type { Logger } from "../../../platform/logging/logger.ts";
import type { ModelStore } from "../../model-registry/store/model-store.ts";
import type { WarmUpSettings } from "./warm-up-settings.ts";

export interface ModelWarmUpOptions {
  engines: Pick<ModelEngines, "resolve">;
  models: Pick<ModelStore, "list">;
  settings: WarmUpSettings;
  logger: Logger;
}

type WarmUpState = { phase: "loading"; detail: string } | { phase: "ready"; models: string[] } | { phase: "stopped" };

export class ModelWarmUp {
  readonly #options: ModelWarmUpOptions;
  #state: WarmUpState = { phase: "loading", detail: "not started" };
  readonly #stopping = new AbortController();
  #running: Promise<void> | undefined;

  constructor(options: ModelWarmUpOptions) {
    this.#options = options;
  }

  /** Starts loading in the background; /readyz reports progress meanwhile. */
  start(): void {
    this.#running ??= this.#run();
  }

  /** Resolves once every warm-up model is loaded (or the warm-up was stopped). */
  async finished(): Promise<void> {
    await this.#running;
  }

  /** A readiness check failing with what is still loading. */
  readinessCheck(): ReadinessCheck {
    return {
      name: "warm-up",
      check: async () => {
        if (this.#state.phase === "loading") throw new Error(this.#state.detail);
        if (this.#state.phase === "stopped") throw new Error("stopped");
      },
    };
  }

  /** Stops between models (a model already loading finishes; the engines' close frees it). */
  stop(): void {
    this.#stopping.abort();
    this.#state = { phase: "stopped" };
  }

  async #run(): Promise<void> {
    const { logger } = this.#options;
    const startedAt = performance.now();
    const names = await this.#retrying("listing the registry's ACTIVE models", () => this.#modelNames());
    if (names === undefined) return;
    logger.info("warm-up: loading models before reporting ready", { models: names });
    for (const [index, name] of names.entries()) {
      const step = `model ${index + 1} of ${names.length} (${name})`;
      this.#state = { phase: "loading", detail: `loading ${step}` };
      const modelStartedAt = performance.now();
      const loaded = await this.#retrying(`loading ${step}`, async () => {
        const resolved = await this.#options.engines.resolve(name);
        if (resolved === undefined) throw new Error(`no model is named ${name}`);
        return resolved.model.id;
      });
      if (loaded === undefined) return;
      logger.info("warm-up: model loaded", { model: name, modelId: loaded, step: index + 1, of: names.length, millis: Math.round(performance.now() - modelStartedAt) });
    }
    this.#state = { phase: "ready", models: names };
    logger.info("warm-up: done, reporting ready", { models: names, millis: Math.round(performance.now() - startedAt) });
  }

  async #modelNames(): Promise<string[]> {
    const { settings, logger } = this.#options;
    if (settings.models !== "active") return [...settings.models];
    const active = (await this.#options.models.list())
      .filter((model) => model.status === "ACTIVE")
      .map((model) => model.id)
      .sort();
    const chosen = active.slice(0, settings.maxModels);
    if (active.length > chosen.length) {
      logger.warn("warm-up: more ACTIVE models than WARM_UP_MAX_MODELS; the rest load on first use", { loaded: chosen, notLoaded: active.slice(chosen.length) });
    }
    return chosen;
  }

  /** Runs `attempt` until it succeeds, every `retrySeconds`, logging each failure; undefined once stopped. */
  async #retrying<Result>(what: string, attempt: () => Promise<Result>): Promise<Result | undefined> {
    const { logger, settings } = this.#options;
    for (let attemptNumber = 1; !this.#stopping.signal.aborted; attemptNumber += 1) {
      try {
        return await attempt();
      } catch (error) {
        if (this.#stopping.signal.aborted) return undefined;
        const reason = error instanceof Error ? error.message : String(error);
        this.#state = { phase: "loading", detail: `${what} failed (attempt ${attemptNumber}, retrying in ${settings.retrySeconds} s): ${reason}` };
        logger.warn(`warm-up: ${what} failed; not ready, retrying`, { attempt: attemptNumber, retrySeconds: settings.retrySeconds, error });
        await sleep(settings.retrySeconds * 1000, this.#stopping.signal);
      }
    }
    return undefined;
  }
}

function sleep(millis: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, millis);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
