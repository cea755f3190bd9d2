/**
 * When traces are exported, read from the standard OpenTelemetry variables. Export is off unless
 * an operator configures it: an OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or `OTEL_TRACES_EXPORTER=otlp` (then the exporter's default,
 * `http://localhost:4318`). `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` turn it off
 * whatever else is set. The rest (sampler, headers, timeout, compression, resource attributes) the
 * OpenTelemetry SDK and exporter read themselves from the same variables.
 */
import { ConfigurationError } from "../config/parse-environment.ts";

export interface TracingSettings {
  /** Whether spans are recorded and exported over OTLP. */
  enabled: boolean;
  /**
   * Whether engine-call spans carry prompt and completion text (`gen_ai.input.messages`,
   * `gen_ai.output.messages`): OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true. Default false.
   */
  captureMessageContent: boolean;
}

/** Exporters this project ships; `otlp` is OTLP over HTTP with protobuf. */
const supportedExporters = new Set(["otlp", "none"]);

export function tracingSettingsFromEnvironment(environment: NodeJS.ProcessEnv = process.env): TracingSettings {
  const exporters = (environment.OTEL_TRACES_EXPORTER ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
  for (const name of exporters) {
    if (!supportedExporters.has(name)) throw new ConfigurationError([{ variable: "OTEL_TRACES_EXPORTER", message: `"${name}" is not supported: use "otlp" (OTLP over HTTP) or "none".` }]);
  }
  const protocol = environment.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? environment.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (protocol !== undefined && protocol !== "" && protocol !== "http/protobuf") {
    throw new ConfigurationError([{ variable: "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", message: `"${protocol}" is not supported: only "http/protobuf" (the default) is.` }]);
  }
  const disabled = isTrue(environment.OTEL_SDK_DISABLED) || exporters.includes("none");
  const endpoint = nonEmpty(environment.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ?? nonEmpty(environment.OTEL_EXPORTER_OTLP_ENDPOINT);
  return {
    enabled: !disabled && (endpoint !== undefined || exporters.includes("otlp")),
    captureMessageContent: isTrue(environment.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT),
  };
}

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === "true";
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
