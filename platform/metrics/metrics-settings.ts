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
}

export const defaultMetricsSettings: MetricsSettings = { enabled: true, tenantLabel: false, maximumOperationNames: 200 };

/** The variables of `MetricsSettings`, part of every service's environment (`commonEnvironment`). */
export const metricsEnvironment = {
  METRICS_ENABLED: booleanVariable(defaultMetricsSettings.enabled),
  METRICS_TENANT_LABEL: booleanVariable(defaultMetricsSettings.tenantLabel),
  METRICS_MAX_OPERATION_NAMES: integerVariable(defaultMetricsSettings.maximumOperationNames, 1, 10_000),
};

export function toMetricsSettings(values: z.infer<z.ZodObject<typeof metricsEnvironment>>): MetricsSettings {
  return { enabled: values.METRICS_ENABLED, tenantLabel: values.METRICS_TENANT_LABEL, maximumOperationNames: values.METRICS_MAX_OPERATION_NAMES };
}
