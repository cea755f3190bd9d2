import { collectDefaultMetrics, Registry } from "prom-client";
import type { MetricsSettings } from "./metrics-settings.ts";

/**
 * One service's Prometheus registry: process metrics (CPU, memory, event-loop lag, GC) from
 * prom-client's default collectors, plus the series of each concern the service uses
 * (`operation-metrics.ts`, `scheduler-metrics.ts`...). Every series carries a `service` label.
 * A registry per service, not prom-client's global one, so services sharing a process (tests,
 * benchmarks) keep their series apart.
 */
export class ServiceMetrics {
  readonly service: string;
  readonly registry: Registry;
  readonly settings: MetricsSettings;
  readonly #concerns = new Map<(metrics: ServiceMetrics) => unknown, unknown>();

  constructor(service: string, settings: MetricsSettings) {
    this.service = service;
    this.settings = settings;
    this.registry = new Registry();
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: settings.eventLoopResolutionMillis });
  }

  /**
   * The series of one concern, defined on first use and shared by every caller after that (a
   * metric name can be registered once per registry). `define` is the concern's factory.
   */
  concern<Concern>(define: (metrics: ServiceMetrics) => Concern): Concern {
    if (!this.#concerns.has(define)) this.#concerns.set(define, define(this));
    return this.#concerns.get(define) as Concern;
  }

  /**
   * The exposition text, for `/metrics`: every family, or only those in `names` (`/metrics?name[]=...`,
   * as Prometheus federation spells it; unknown names are skipped), which collects only those (and
   * the families that set their values).
   */
  async exposition(names?: readonly string[]): Promise<string> {
    if (names === undefined || names.length === 0) return this.registry.metrics();
    const known = [...new Set(names)].filter((name) => this.registry.getSingleMetric(name) !== undefined);
    // The families that set others' values are collected first, and once each (collecting the
    // event-loop one twice would empty the histogram the second read comes from).
    const collectors = [...new Set(known.flatMap((name) => collectedBy.get(name) ?? []))].filter((name) => this.registry.getSingleMetric(name) !== undefined);
    const collected = new Map(await Promise.all(collectors.map(async (name) => [name, await this.registry.getSingleMetricAsString(name)] as const)));
    const texts = await Promise.all(known.map((name) => collected.get(name) ?? this.registry.getSingleMetricAsString(name)));
    return texts.map((text) => `${text}\n`).join("");
  }
}

/**
 * prom-client's default collectors (15.1) that read several families at once: one family's
 * `collect` sets the values of the others, which have none of their own. Asked for alone
 * (`?name[]=process_cpu_user_seconds_total`), such a family would never be updated and read 0.
 */
const collectedBy = new Map<string, string>([
  ...["process_cpu_user_seconds_total", "process_cpu_system_seconds_total"].map((name) => [name, "process_cpu_seconds_total"] as const),
  ...["min", "max", "mean", "stddev", "p50", "p90", "p99"].map((statistic) => [`nodejs_eventloop_lag_${statistic}_seconds`, "nodejs_eventloop_lag_seconds"] as const),
  ...["process_virtual_memory_bytes", "process_heap_bytes"].map((name) => [name, "process_resident_memory_bytes"] as const),
  ...["nodejs_heap_size_used_bytes", "nodejs_external_memory_bytes"].map((name) => [name, "nodejs_heap_size_total_bytes"] as const),
  ...["nodejs_heap_space_size_used_bytes", "nodejs_heap_space_size_available_bytes"].map((name) => [name, "nodejs_heap_space_size_total_bytes"] as const),
]);

/** The service's metrics, or undefined when METRICS_ENABLED=false (then nothing is recorded and `/metrics` is not served). */
export function createServiceMetrics(service: string, settings: MetricsSettings): ServiceMetrics | undefined {
  return settings.enabled ? new ServiceMetrics(service, settings) : undefined;
}

/** Label names plus `tenant` when METRICS_TENANT_LABEL=true. */
export function withTenantLabel<Name extends string>(metrics: ServiceMetrics, names: readonly Name[]): (Name | "tenant")[] {
  return metrics.settings.tenantLabel ? [...names, "tenant"] : [...names];
}

/** Histogram buckets for latencies, in seconds: 1 ms to 60 s. */
export const latencyBucketsSeconds: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
