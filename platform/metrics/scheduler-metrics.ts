import { Counter, Gauge, Histogram } from "prom-client";
import type { RequestKind } from "../../engines/scheduler/request-kind.ts";
import type { ObserveRequests, RequestObserver, RequestOutcome } from "../../engines/scheduler/request-observer.ts";
import type { SchedulerMetricsSnapshot } from "../../engines/scheduler/scheduler-metrics.ts";
import { latencyBucketsSeconds, type ServiceMetrics } from "./service-metrics.ts";

/** Reads the schedulers' current state by model id, for the gauges (queue depth, running). */
export type SchedulerSnapshots = () => Promise<Record<string, SchedulerMetricsSnapshot>>;

/**
 * The engine schedulers' series, by model id and request kind (`embed`, `generate`, `stream`):
 * queue wait, engine call duration and batch size as histograms, outcomes as counters (including
 * `overloaded` refusals and cancellations), queue depth and running work as gauges read at scrape time.
 */
export interface SchedulerMetrics {
  queueWaitSeconds: Histogram<"model" | "kind">;
  engineCallSeconds: Histogram<"model" | "kind">;
  batchSize: Histogram<"model" | "kind">;
  requests: Counter<"model" | "kind" | "outcome">;
  queueDepth: Gauge<"model" | "kind">;
  running: Gauge<"model" | "kind">;
  /** Where the gauges read from; one per engine set in the service. */
  snapshotSources: SchedulerSnapshots[];
}

const kinds: readonly RequestKind[] = ["embed", "generate", "stream"];

export function defineSchedulerMetrics(metrics: ServiceMetrics): SchedulerMetrics {
  const registers = [metrics.registry];
  const snapshotSources: SchedulerSnapshots[] = [];
  const gauge = (name: string, help: string, read: (snapshot: SchedulerMetricsSnapshot, kind: RequestKind) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["model", "kind"],
      registers,
      async collect() {
        const all = await Promise.all(snapshotSources.map((read) => read()));
        this.reset();
        for (const byModel of all) {
          for (const [model, snapshot] of Object.entries(byModel)) {
            for (const kind of kinds) this.set({ model, kind }, read(snapshot, kind));
          }
        }
      },
    });
  return {
    snapshotSources,
    queueWaitSeconds: new Histogram({
      name: "scheduler_queue_wait_seconds",
      help: "Time a request waited in the scheduler's queue before reaching the engine, in seconds.",
      labelNames: ["model", "kind"],
      buckets: [...latencyBucketsSeconds],
      registers,
    }),
    engineCallSeconds: new Histogram({
      name: "engine_call_duration_seconds",
      help: "Duration of engine calls: a batch of embeddings or generations, or a whole stream, in seconds.",
      labelNames: ["model", "kind"],
      buckets: [...latencyBucketsSeconds],
      registers,
    }),
    batchSize: new Histogram({
      name: "scheduler_batch_size",
      help: "Requests per engine batch call (embed and generate kinds).",
      labelNames: ["model", "kind"],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    }),
    requests: new Counter({
      name: "scheduler_requests_total",
      help: "Scheduled requests by how they ended: completed, failed, cancelled_queued, cancelled_running, overloaded (refused with OVERLOADED).",
      labelNames: ["model", "kind", "outcome"],
      registers,
    }),
    queueDepth: gauge("scheduler_queue_depth", "Requests waiting in the scheduler's queue now.", (snapshot, kind) => snapshot[kind].requests.queueDepth),
    running: gauge("scheduler_running", "Engine work running now: batch calls, or streams.", (snapshot, kind) => snapshot[kind].requests.running),
  };
}

/** Observers recording one model's scheduler events in the service's series. */
export function observeScheduler(metrics: ServiceMetrics, model: string): ObserveRequests {
  const series = metrics.concern(defineSchedulerMetrics);
  return (kind: RequestKind): RequestObserver => {
    const labels = { model, kind };
    const queueWait = series.queueWaitSeconds.labels(labels);
    const engineCall = series.engineCallSeconds.labels(labels);
    const batchSize = series.batchSize.labels(labels);
    return {
      queueWait: (millis) => queueWait.observe(millis / 1000),
      callDuration: (millis) => engineCall.observe(millis / 1000),
      outcome: (outcome: RequestOutcome, count) => series.requests.inc({ model, kind, outcome }, count),
      batchSize: (size) => batchSize.observe(size),
    };
  };
}

/** Adds an engine set's schedulers to the queue-depth and running gauges. */
export function reportSchedulers(metrics: ServiceMetrics, snapshots: SchedulerSnapshots): void {
  metrics.concern(defineSchedulerMetrics).snapshotSources.push(snapshots);
}
