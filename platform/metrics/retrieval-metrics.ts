import { Counter, Histogram } from "prom-client";
import { latencyBucketsSeconds, type ServiceMetrics } from "./service-metrics.ts";

/** The retrieval subgraph's series: ingestion (duration, outcome, chunks and tokens written) and search latency. */
export interface RetrievalMetrics {
  ingestionSeconds: Histogram<"outcome">;
  ingestions: Counter<"outcome" | "code">;
  ingestedChunks: Counter;
  ingestedTokens: Counter;
  searchSeconds: Histogram<"mode" | "outcome">;
  storeQuerySeconds: Histogram<"kind">;
}

export function defineRetrievalMetrics(metrics: ServiceMetrics): RetrievalMetrics {
  const registers = [metrics.registry];
  return {
    ingestionSeconds: new Histogram({
      name: "retrieval_ingestion_duration_seconds",
      help: "Document ingestion time (chunking, embedding, writing), by outcome (succeeded, failed), in seconds.",
      labelNames: ["outcome"],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    }),
    ingestions: new Counter({ name: "retrieval_ingestions_total", help: "Document ingestions ended, by outcome and error code (empty when succeeded).", labelNames: ["outcome", "code"], registers }),
    ingestedChunks: new Counter({ name: "retrieval_ingested_chunks_total", help: "Chunks written by succeeded ingestions.", registers }),
    ingestedTokens: new Counter({ name: "retrieval_ingested_tokens_total", help: "Tokens of the chunks written by succeeded ingestions.", registers }),
    searchSeconds: new Histogram({
      name: "retrieval_search_duration_seconds",
      help: "Search time including the query's embedding, by mode (VECTOR, KEYWORD, HYBRID) and outcome, in seconds.",
      labelNames: ["mode", "outcome"],
      buckets: [...latencyBucketsSeconds],
      registers,
    }),
    storeQuerySeconds: new Histogram({
      name: "retrieval_store_query_duration_seconds",
      help: "Time of one chunk-store query (vector or keyword), in seconds.",
      labelNames: ["kind"],
      buckets: [...latencyBucketsSeconds],
      registers,
    }),
  };
}

/** Times `query` as a chunk-store query of `kind`; a no-op wrapper without metrics. */
export async function timeStoreQuery<Result>(metrics: ServiceMetrics | undefined, kind: "vector" | "keyword", query: () => Promise<Result>): Promise<Result> {
  if (metrics === undefined) return query();
  const stop = metrics.concern(defineRetrievalMetrics).storeQuerySeconds.startTimer({ kind });
  try {
    return await query();
  } finally {
    stop();
  }
}
