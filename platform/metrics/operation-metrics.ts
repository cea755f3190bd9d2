import { Counter, Histogram } from "prom-client";
import type { AccessLine } from "../logging/access-log.ts";
import { BoundedLabel } from "./bounded-label.ts";
import { latencyBucketsSeconds, type ServiceMetrics } from "./service-metrics.ts";

/** Label value of operations without a name. */
export const anonymousOperationName = "anonymous";
/** Label value of the type of a request that never became an operation (refused at admission, unparsable, invalid). */
export const unknownOperationType = "unknown";
/** Label value of an error without `extensions.code`. */
export const missingErrorCode = "NONE";
/** Most distinct error codes labelled; the project's codes are far fewer. */
const maximumErrorCodes = 64;
const operationTypes = new Set(["query", "mutation", "subscription"]);

/**
 * RED series of the GraphQL requests a service answers over HTTP, refusals before Apollo (401,
 * 429, 413...) included: rate and outcome by operation name and type, errors by code, duration.
 */
export interface OperationMetrics {
  operations: Counter<"operation_name" | "operation_type" | "outcome">;
  errors: Counter<"operation_name" | "code">;
  durationSeconds: Histogram<"operation_name" | "operation_type">;
  operationNames: BoundedLabel;
  errorCodes: BoundedLabel;
}

export function defineOperationMetrics(metrics: ServiceMetrics): OperationMetrics {
  const registers = [metrics.registry];
  return {
    operations: new Counter({
      name: "graphql_operations_total",
      help: "GraphQL requests answered over HTTP, by operation name and type; outcome is error when the response carried any error or an HTTP status of 400 or more.",
      labelNames: ["operation_name", "operation_type", "outcome"],
      registers,
    }),
    errors: new Counter({ name: "graphql_operation_errors_total", help: "Errors sent in GraphQL responses, by operation name and extensions.code.", labelNames: ["operation_name", "code"], registers }),
    durationSeconds: new Histogram({
      name: "graphql_operation_duration_seconds",
      help: "Time from receiving a GraphQL request to the end of its response, in seconds.",
      labelNames: ["operation_name", "operation_type"],
      buckets: [...latencyBucketsSeconds],
      registers,
    }),
    operationNames: new BoundedLabel(metrics.settings.maximumOperationNames),
    errorCodes: new BoundedLabel(maximumErrorCodes),
  };
}

/** Records GraphQL requests: `ended` takes a request's access line (platform/logging/access-log.ts) and error codes once it is over. */
export function operationRecorder(metrics: ServiceMetrics): { ended: (line: AccessLine, errorCodes: readonly (string | null)[]) => void } {
  const series = metrics.concern(defineOperationMetrics);
  return {
    ended: (line, errorCodes) => {
      const operationName = line.operationName === undefined || line.operationName === "" ? anonymousOperationName : series.operationNames.valueOf(line.operationName);
      const operationType = line.operationType !== undefined && operationTypes.has(line.operationType) ? line.operationType : unknownOperationType;
      const failed = errorCodes.length > 0 || line.status >= 400;
      series.durationSeconds.observe({ operation_name: operationName, operation_type: operationType }, line.durationMillis / 1000);
      series.operations.inc({ operation_name: operationName, operation_type: operationType, outcome: failed ? "error" : "success" });
      for (const code of errorCodes) series.errors.inc({ operation_name: operationName, code: series.errorCodes.valueOf(code ?? missingErrorCode) });
    },
  };
}
