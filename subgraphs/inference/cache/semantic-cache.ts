import type { GenerationRequest } from "../../../engines/engine.ts";
import type { ModelEngines } from "../../../engines/model-engines.ts";
import type { Logger } from "../../../platform/logging/logger.ts";
import type { ModelRecord } from "../../model-registry/model-record.ts";
import { semanticScope, semanticText, type SemanticIndex, type SemanticMatch } from "./semantic-index.ts";

/** What a lookup learned: where the request belongs, its embedding, and the nearest cached request if close enough. */
export interface SemanticProbe {
  scope: string;
  vector: Float32Array;
  match: SemanticMatch | undefined;
}

/**
 * The semantic response cache: on an exact miss, the request's conversation is embedded with
 * SEMANTIC_CACHE_EMBEDDING_MODEL and looked up in its scope (semanticScope: tenant, model version,
 * system prompt, parameters); an answer generated after a miss is indexed under its exact cache
 * key. Its failures (the embedding model unavailable, Redis down) are logged and read as misses:
 * a cache never fails a request. The lookup's embedding is the service's cost, not metered to the
 * tenant (one short embedding per request that asks for it).
 */
export class SemanticCache {
  readonly #index: SemanticIndex;
  readonly #embeddingModel: string;
  readonly #engines: ModelEngines;
  readonly #logger: Logger;

  constructor(options: { index: SemanticIndex; embeddingModel: string; engines: ModelEngines; logger: Logger }) {
    this.#index = options.index;
    this.#embeddingModel = options.embeddingModel;
    this.#engines = options.engines;
    this.#logger = options.logger;
  }

  async probe(model: ModelRecord, request: GenerationRequest, tenantId: string, minSimilarity: number, signal?: AbortSignal): Promise<SemanticProbe | undefined> {
    try {
      const resolved = await this.#engines.resolve(this.#embeddingModel);
      if (resolved === undefined || !resolved.model.capabilities.includes("EMBEDDING")) {
        this.#logger.warn("the semantic cache's embedding model is missing or does not embed", { embeddingModel: this.#embeddingModel });
        return undefined;
      }
      const vector = await resolved.scheduler.embed(semanticText(request.prompt), { tenantId, ...(signal === undefined ? {} : { signal }) });
      const scope = semanticScope(tenantId, model, request);
      return { scope, vector, match: await this.#index.nearest(scope, vector, minSimilarity) };
    } catch (error) {
      this.#logger.warn("semantic cache lookup failed; answering as a miss", { error, embeddingModel: this.#embeddingModel });
      return undefined;
    }
  }

  async remember(probe: SemanticProbe, key: string, ttlSeconds: number): Promise<void> {
    try {
      await this.#index.add(probe.scope, key, probe.vector, ttlSeconds);
    } catch (error) {
      this.#logger.warn("could not index an answer in the semantic cache", { error });
    }
  }
}
