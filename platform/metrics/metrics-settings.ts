import { z } from "zod";
import { booleanVariable, integerVariable } from "../config/parse-environment.ts";

/** What the Prometheus metrics record and expose. Every field documents its variable and default. */
export interface MetricsSettings {
  /**
   * Whether the service records metrics and serves them at `/metrics` in the Prometheus text format
   * (METRICS_ENABLED, default true). False: no route (404) and no recording at all.
   */
  enabled: boolean;
  /**
   * Whether token, usage and quota series carry a `tenant` label (METRICS_TENANT_LABEL, default
   * false). Each tenant then adds series: enable it only where the number of tenants is small and
   * tenant ids may be shown to whoever reads the metrics.
   */
  tenantLabel: boolean;
  /**
   * Most distinct GraphQL operation names one service labels series with (METRICS_MAX_OPERATION_NAMES,
   * default 200); names seen after that count as `other`, unnamed operations as `anonymous`.
   */
  maximumOperationNames: number;
  /**
   * How often the event-loop delay behind `nodejs_eventloop_lag_*` is sampled, in milliseconds
   * (METRICS_EVENT_LOOP_RESOLUTION_MILLIS, default 10: prom-client's own, which dashboards assume).
   * The histogram records the time between samples, so an idle loop reads about the resolution
   * (0.010 s at 10 ms, 0.100 s at 100 ms): what lies above it is lag. Each sample is a timer that
   * wakes the process: an idle process here spent 6.4 ms of CPU per second on it at 10 ms, 0.8 ms
   * at 100 ms, 0.36 ms at 1,000 ms (0.14 ms with no timer). Raise it where many replicas sit idle,
   * and read the lag series against the new resolution.
   */
  eventLoopResolutionMillis: number;
}

export const defaultMetricsSettings: MetricsSettings = { enabled: true, tenantLabel: false, maximumOperationNames: 200, eventLoopResolutionMillis: 10 };

/** The variables of `MetricsSettings`, part of every service's environment (`commonEnvironment`). */
export const metricsEnvironment = {
  METRICS_ENABLED: booleanVariable(defaultMetricsSettings.enabled),
  METRICS_TENANT_LABEL: booleanVariable(defaultMetricsSettings.tenantLabel),
  METRICS_MAX_OPERATION_NAMES: integerVariable(defaultMetricsSettings.maximumOperationNames, 1, 10_000),
  METRICS_EVENT_LOOP_RESOLUTION_MILLIS: integerVariable(defaultMetricsSettings.eventLoopResolutionMillis, 1, 60_000),
};

export function toMetricsSettings(values: z.infer<z.ZodObject<typeof metricsEnvironment>>): MetricsSettings {
  return {
    enabled: values.METRICS_ENABLED,
    tenantLabel: values.METRICS_TENANT_LABEL,
    maximumOperationNames: values.METRICS_MAX_OPERATION_NAMES,
    eventLoopResolutionMillis: values.METRICS_EVENT_LOOP_RESOLUTION_MILLIS,
  };
}
