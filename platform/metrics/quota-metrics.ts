import { Counter, Gauge, Histogram } from "prom-client";
import { withTenantLabel, type ServiceMetrics } from "./service-metrics.ts";

/** How the quota check of one model call ended. */
export type QuotaDecision = "admitted" | "refused" | "store_unavailable_refused" | "store_unavailable_admitted";

/** The usage sink's counts (platform-neutral copy of `UsageEventSinkMetrics`). */
export interface UsageSinkCounts {
  buffered: number;
  delivered: number;
  dropped: number;
}

/**
 * Quotas and the usage pipeline: quota decisions (with the limit that refused), usage events
 * buffered, delivered and dropped by the inference subgraph's sink (read at scrape time), and
 * the lag from an event's occurrence to its aggregation by the usage subgraph.
 */
export interface QuotaMetrics {
  decisions: Counter<string>;
  usageEventsBuffered: Gauge;
  usageEventsDelivered: Counter;
  usageEventsDropped: Counter;
  usageLagSeconds: Histogram;
  usageEventsAggregated: Counter;
  /** Sinks the usage gauges read. */
  sinks: (() => UsageSinkCounts)[];
}

export function defineQuotaMetrics(metrics: ServiceMetrics): QuotaMetrics {
  const registers = [metrics.registry];
  const sinks: (() => UsageSinkCounts)[] = [];
  const total = (field: keyof UsageSinkCounts) => sinks.reduce((sum, read) => sum + read()[field], 0);
  // The sinks count from process start: each scrape copies their totals into counters.
  const sinkCounter = (name: string, help: string, field: "delivered" | "dropped") =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(total(field));
      },
    });
  return {
    sinks,
    decisions: new Counter({
      name: "quota_decisions_total",
      help: "Quota checks of model calls: admitted, refused (with the limit), or the quota store unavailable (refused, or admitted with QUOTA_FAIL_OPEN).",
      labelNames: withTenantLabel(metrics, ["decision", "limit"]),
      registers,
    }),
    usageEventsBuffered: new Gauge({
      name: "usage_events_buffered",
      help: "Usage events held in memory, waiting for the transport (Redis down, or not yet written).",
      registers,
      collect() {
        this.set(total("buffered"));
      },
    }),
    usageEventsDelivered: sinkCounter("usage_events_delivered_total", "Usage events handed to the transport and acknowledged.", "delivered"),
    usageEventsDropped: sinkCounter("usage_events_dropped_total", "Usage events dropped because the buffer was full (a long transport outage).", "dropped"),
    usageLagSeconds: new Histogram({
      name: "usage_pipeline_lag_seconds",
      help: "Time from a usage event's occurrence to its aggregation by the usage subgraph, in seconds.",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    }),
    usageEventsAggregated: new Counter({ name: "usage_events_aggregated_total", help: "Usage events the usage subgraph aggregated.", registers }),
  };
}

/** Records one quota decision; `limit` names the limit that refused (empty otherwise). */
export function recordQuotaDecision(metrics: ServiceMetrics, decision: QuotaDecision, limit: string, tenantId: string): void {
  const tenant = metrics.settings.tenantLabel ? { tenant: tenantId } : {};
  metrics.concern(defineQuotaMetrics).decisions.inc({ decision, limit, ...tenant });
}

/** Adds a usage sink to the buffered/delivered/dropped gauges. */
export function reportUsageSink(metrics: ServiceMetrics, counts: () => UsageSinkCounts): void {
  metrics.concern(defineQuotaMetrics).sinks.push(counts);
}

/** Records that usage events were aggregated, each `lagMillis[i]` after it occurred. */
export function recordUsageAggregated(metrics: ServiceMetrics, lagMillis: readonly number[]): void {
  const series = metrics.concern(defineQuotaMetrics);
  for (const lag of lagMillis) series.usageLagSeconds.observe(Math.max(0, lag) / 1000);
  series.usageEventsAggregated.inc(lagMillis.length);
}
