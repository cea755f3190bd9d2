import { Counter } from "prom-client";
import { withTenantLabel, type ServiceMetrics } from "./service-metrics.ts";

/** The kind of cache (`exact`: same tenant, model version and normalised request). */
export type CacheKindLabel = "exact" | "semantic";
/** What was cached: a completion (`completion`, also replayed as a stream) or an embeddings call. */
export type CacheOperationLabel = "completion" | "stream" | "embeddings";

/**
 * The response cache of the inference subgraph: lookups that hit, lookups that missed (an
 * unreachable cache counts as a miss, and its failure in `store_errors_total{store="response-cache"}`),
 * and answers stored. Hit ratio: `rate(response_cache_hits_total[5m]) / (rate(response_cache_hits_total[5m]) + rate(response_cache_misses_total[5m]))`.
 */
export interface CacheMetrics {
  hits: Counter<string>;
  misses: Counter<string>;
  stores: Counter<string>;
}

export function defineCacheMetrics(metrics: ServiceMetrics): CacheMetrics {
  const registers = [metrics.registry];
  const labelNames = withTenantLabel(metrics, ["kind", "operation"]);
  return {
    hits: new Counter({ name: "response_cache_hits_total", help: "Response cache lookups answered from the cache (no engine ran), by cache kind and operation.", labelNames, registers }),
    misses: new Counter({ name: "response_cache_misses_total", help: "Response cache lookups that found nothing usable (or could not reach the cache), by cache kind and operation.", labelNames, registers }),
    stores: new Counter({ name: "response_cache_stores_total", help: "Answers written to the response cache, by cache kind and operation.", labelNames, registers }),
  };
}

/** Counts one lookup or store of the response cache. */
export function recordCacheEvent(metrics: ServiceMetrics, event: "hit" | "miss" | "store", kind: CacheKindLabel, operation: CacheOperationLabel, tenantId: string): void {
  const series = metrics.concern(defineCacheMetrics);
  const labels = { kind, operation, ...(metrics.settings.tenantLabel ? { tenant: tenantId } : {}) };
  (event === "hit" ? series.hits : event === "miss" ? series.misses : series.stores).inc(labels);
}
