import { Counter, Histogram } from "prom-client";
import { latencyBucketsSeconds, type ServiceMetrics } from "./service-metrics.ts";

/** The gateway's fetches to subgraphs: duration by subgraph, and failures by subgraph and reason. */
export interface SubgraphFetchMetrics {
  durationSeconds: Histogram<"subgraph" | "outcome">;
  errors: Counter<"subgraph" | "reason">;
}

export function defineSubgraphFetchMetrics(metrics: ServiceMetrics): SubgraphFetchMetrics {
  const registers = [metrics.registry];
  return {
    durationSeconds: new Histogram({
      name: "gateway_subgraph_fetch_duration_seconds",
      help: "Time of one gateway fetch to a subgraph, by subgraph and outcome (ok: a GraphQL reply, even with errors; failed: unavailable or past the deadline), in seconds.",
      labelNames: ["subgraph", "outcome"],
      buckets: [...latencyBucketsSeconds],
      registers,
    }),
    errors: new Counter({
      name: "gateway_subgraph_fetch_errors_total",
      help: "Gateway fetches to a subgraph that got no GraphQL reply, by subgraph and reason (unavailable, deadline).",
      labelNames: ["subgraph", "reason"],
      registers,
    }),
  };
}
