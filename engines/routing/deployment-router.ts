/**
 * One model served by several deployments (engines: llama.cpp files, OpenAI-compatible servers),
 * behind the InferenceEngine interface, so the scheduler above sees one engine. Each call goes to
 * a deployment of the best priority (lowest number) whose circuit is not open: by weight
 * (WEIGHTED) or to the one with the fewest calls in flight for its capacity (LEAST_BUSY). A
 * retryable failure (unavailable, timeout, overloaded, rate-limited) before anything reached the
 * caller is counted against that deployment's circuit and the call goes on to the next
 * deployment (the others of the same priority first, then the next priority); after a stream
 * delivered text, a failure ends it as it would without routing (never a second, different text).
 */
import type { Logger } from "../../platform/logging/logger.ts";
import type { ChatMessage, EngineDescription, GenerationEvent, GenerationPrompt, GenerationRequest, GenerationResult, InferenceEngine, TokenCount } from "../engine.ts";
import { EngineError } from "../engine-error.ts";
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from "./circuit-breaker.ts";

export type RoutingStrategy = "WEIGHTED" | "LEAST_BUSY";

/** How one call ended on one deployment: served, passed on to the next deployment after a retryable failure, or failed for the caller. */
export type DeploymentCallOutcome = "succeeded" | "failed_over" | "failed";

export interface Deployment {
  /** Unique within the model; names the deployment in logs and metrics. */
  name: string;
  engine: InferenceEngine;
  /** Share of its priority's traffic under WEIGHTED routing, 0 or more; 0: used only when the others of its priority cannot be. */
  weight: number;
  /** Lower numbers are tried first; the next priority only serves when every deployment of this one is open or failed. */
  priority: number;
  /** Calls it serves at once at full speed (LEAST_BUSY compares calls in flight against it). Default 1. */
  maxConcurrentRequests?: number;
}

export interface DeploymentRouterOptions {
  /** The model's id, for errors and logs. */
  modelId: string;
  deployments: readonly Deployment[];
  /** Default WEIGHTED. */
  strategy?: RoutingStrategy;
  /** Each deployment's circuit breaker (failures in a row that open it, how long it stays open). */
  circuitBreaker?: CircuitBreakerOptions;
  /** Uniform in [0, 1) (tests pass a seeded one). Default `Math.random`. */
  random?: () => number;
  logger?: Logger;
  /** Sees each call's outcome per deployment (metrics). */
  observe?: (deployment: string, outcome: DeploymentCallOutcome) => void;
  /** Called once `close` has closed every deployment's engine. */
  onClose?: () => void;
}

/** What the router knows of one deployment now. */
export interface DeploymentStatus {
  name: string;
  circuit: CircuitState;
  inFlight: number;
}

interface Route {
  readonly deployment: Deployment;
  readonly breaker: CircuitBreaker;
  inFlight: number;
}

/** A call's outcome for the deployment's circuit. */
function isHealthFailure(error: unknown, signal: AbortSignal | undefined): boolean {
  return error instanceof EngineError && error.retryable && signal?.aborted !== true;
}

export class DeploymentRouter implements InferenceEngine {
  readonly #modelId: string;
  readonly #routes: Route[];
  readonly #strategy: RoutingStrategy;
  readonly #random: () => number;
  readonly #logger: Logger | undefined;
  readonly #description: EngineDescription;
  readonly #observe: ((deployment: string, outcome: DeploymentCallOutcome) => void) | undefined;
  readonly #onClose: (() => void) | undefined;

  /** The model's id. */
  get modelId(): string {
    return this.#modelId;
  }

  constructor(options: DeploymentRouterOptions) {
    if (options.deployments.length === 0) throw new Error(`model ${options.modelId} has no deployments`);
    this.#modelId = options.modelId;
    this.#routes = options.deployments.map((deployment) => ({ deployment, breaker: new CircuitBreaker(options.circuitBreaker), inFlight: 0 }));
    this.#strategy = options.strategy ?? "WEIGHTED";
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger;
    this.#observe = options.observe;
    this.#onClose = options.onClose;
    const descriptions = options.deployments.map((deployment) => deployment.engine.describe());
    const dimensions = new Set(descriptions.map((description) => description.embeddingDimensions));
    if (dimensions.size > 1) {
      throw new EngineError("engine-unavailable", `The deployments of model ${options.modelId} embed in different dimensions (${[...dimensions].join(", ")}); they must serve the same model.`);
    }
    const [first] = descriptions as [EngineDescription];
    // What every deployment can serve: the shortest context.
    this.#description = { ...first, contextLength: Math.min(...descriptions.map((description) => description.contextLength)) };
  }

  describe(): EngineDescription {
    return this.#description;
  }

  /** Each deployment's circuit and calls in flight, in the configured order. */
  status(): DeploymentStatus[] {
    return this.#routes.map((route) => ({ name: route.deployment.name, circuit: route.breaker.state, inFlight: route.inFlight }));
  }

  async *streamGeneration(request: GenerationRequest, signal?: AbortSignal): AsyncIterable<GenerationEvent> {
    const tried = new Set<Route>();
    let lastFailure: unknown;
    for (;;) {
      const route = this.#acquire(tried, lastFailure);
      let delivered = false;
      let settled = false;
      // Held until the first text or end: a stream that fails before it fails over unseen.
      let start: GenerationEvent | undefined;
      route.inFlight += 1;
      try {
        for await (const event of route.deployment.engine.streamGeneration(request, signal)) {
          if (event.type === "text-start" && !delivered) {
            start = event;
            continue;
          }
          if (!delivered) {
            delivered = true;
            if (start !== undefined) yield start;
          }
          yield event;
        }
        settled = true;
        route.breaker.recordSuccess();
        this.#observe?.(route.deployment.name, "succeeded");
        return;
      } catch (error) {
        settled = true;
        if (!isHealthFailure(error, signal)) {
          route.breaker.recordNeutral();
          this.#observe?.(route.deployment.name, "failed");
          throw error;
        }
        route.breaker.recordFailure();
        if (delivered) {
          this.#observe?.(route.deployment.name, "failed");
          throw error;
        }
        this.#observe?.(route.deployment.name, "failed_over");
        this.#failedOver(route, error);
        lastFailure = error;
      } finally {
        route.inFlight -= 1;
        // The caller stopped reading (cancelled): nothing learned about the deployment.
        if (!settled) route.breaker.recordNeutral();
      }
    }
  }

  generateBatch(requests: readonly GenerationRequest[], signal?: AbortSignal): Promise<GenerationResult[]> {
    return this.#call((engine) => engine.generateBatch(requests, signal), signal);
  }

  embedBatch(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    return this.#call((engine) => engine.embedBatch(texts, signal), signal);
  }

  rank(query: string, documents: readonly string[], signal?: AbortSignal): Promise<number[]> {
    return this.#call((engine) => {
      if (engine.rank === undefined) throw new EngineError("invalid-request", "This deployment's engine does not rerank");
      return engine.rank(query, documents, signal);
    }, signal);
  }

  countPromptTokens(prompt: GenerationPrompt): Promise<TokenCount> {
    return this.#call((engine) => engine.countPromptTokens(prompt), undefined, false);
  }

  applyChatTemplate(messages: readonly ChatMessage[]): Promise<string> {
    return this.#call((engine) => engine.applyChatTemplate(messages), undefined, false);
  }

  async close(): Promise<void> {
    try {
      await Promise.all(this.#routes.map((route) => route.deployment.engine.close()));
    } finally {
      this.#onClose?.();
    }
  }

  /**
   * `modelCall`: a call of the model (generation, embedding), whose success shows the deployment
   * healthy and which `observe` sees; token counts and chat templates are helpers of a call that
   * often run locally (a tokenizer file), so their success says nothing of the server: only their
   * retryable failures count against it.
   */
  async #call<Result>(work: (engine: InferenceEngine) => Promise<Result>, signal: AbortSignal | undefined, modelCall = true): Promise<Result> {
    const observe = modelCall ? this.#observe : undefined;
    const tried = new Set<Route>();
    let lastFailure: unknown;
    for (;;) {
      const route = this.#acquire(tried, lastFailure);
      route.inFlight += 1;
      try {
        const result = await work(route.deployment.engine);
        if (modelCall) route.breaker.recordSuccess();
        else route.breaker.recordNeutral();
        observe?.(route.deployment.name, "succeeded");
        return result;
      } catch (error) {
        if (!isHealthFailure(error, signal)) {
          route.breaker.recordNeutral();
          observe?.(route.deployment.name, "failed");
          throw error;
        }
        route.breaker.recordFailure();
        observe?.(route.deployment.name, "failed_over");
        this.#failedOver(route, error);
        lastFailure = error;
      } finally {
        route.inFlight -= 1;
      }
    }
  }

  /** The next deployment to try (marked tried, its circuit's probe slot taken when half-open); throws when none is left. */
  #acquire(tried: Set<Route>, lastFailure: unknown): Route {
    for (const route of this.#order(tried)) {
      tried.add(route);
      if (route.breaker.tryAcquire()) return route;
    }
    if (lastFailure !== undefined) throw lastFailure;
    throw new EngineError("unavailable", `Every deployment of model ${this.#modelId} is failing; retry later.`, { retryAfterMillis: 1_000 });
  }

  /** Untried deployments whose circuit may let a call through, best first. */
  #order(tried: ReadonlySet<Route>): Route[] {
    const candidates = this.#routes.filter((route) => !tried.has(route) && route.breaker.available);
    const priorities = [...new Set(candidates.map((route) => route.deployment.priority))].sort((left, right) => left - right);
    return priorities.flatMap((priority) => this.#orderTier(candidates.filter((route) => route.deployment.priority === priority)));
  }

  #orderTier(tier: Route[]): Route[] {
    if (this.#strategy === "LEAST_BUSY") {
      // Fewest in flight for its capacity first; ties by weight, as WEIGHTED would draw them.
      const load = (route: Route) => route.inFlight / Math.max(1, route.deployment.maxConcurrentRequests ?? 1);
      const drawn = this.#drawByWeight(tier);
      return drawn.sort((left, right) => load(left) - load(right));
    }
    return this.#drawByWeight(tier);
  }

  /** The tier in a random order where each next one is drawn with probability proportional to its weight; weight 0 last. */
  #drawByWeight(tier: readonly Route[]): Route[] {
    const remaining = tier.filter((route) => route.deployment.weight > 0);
    const ordered: Route[] = [];
    while (remaining.length > 0) {
      const total = remaining.reduce((sum, route) => sum + route.deployment.weight, 0);
      let point = this.#random() * total;
      let index = remaining.findIndex((route) => (point -= route.deployment.weight) < 0);
      if (index === -1) index = remaining.length - 1;
      ordered.push(...remaining.splice(index, 1));
    }
    return [...ordered, ...tier.filter((route) => route.deployment.weight <= 0)];
  }

  #failedOver(route: Route, error: unknown): void {
    this.#logger?.warn("a deployment failed; trying the next one", {
      modelId: this.#modelId,
      deployment: route.deployment.name,
      circuit: route.breaker.state,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
