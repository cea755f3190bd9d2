/**
 * When traces are exported, read from the standard OpenTelemetry variables. Export is off unless
 * an operator configures it: an OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or `OTEL_TRACES_EXPORTER=otlp` (then the exporter's default,
 * `http://localhost:4318`). `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` turn it off
 * whatever else is set. The sampler is OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, read here
 * (the tracer provider decides root spans itself, platform/tracing/sampled-only-tracer-provider.ts).
 * The rest (headers, timeout, compression, resource attributes) the OpenTelemetry SDK and exporter
 * read themselves from the same variables.
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
  /** Which spans are sampled: OTEL_TRACES_SAMPLER (default `parentbased_always_on`). */
  sampler: SamplerSetting;
}

/** The OTEL_TRACES_SAMPLER values of the specification that need no remote service. */
const samplerNames = ["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"] as const;
export type SamplerName = (typeof samplerNames)[number];

export interface SamplerSetting {
  name: SamplerName;
  /** The share of new traces sampled by the `traceidratio` samplers, 0 to 1: OTEL_TRACES_SAMPLER_ARG (default 1). */
  ratio: number;
}

const defaultSampler: SamplerSetting = { name: "parentbased_always_on", ratio: 1 };

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
  const enabled = !disabled && (endpoint !== undefined || exporters.includes("otlp"));
  return {
    enabled,
    captureMessageContent: isTrue(environment.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT),
    // Read only when spans are exported: a sampler setting left behind does not stop a service that traces nothing.
    sampler: enabled ? samplerFromEnvironment(environment) : defaultSampler,
  };
}

function samplerFromEnvironment(environment: NodeJS.ProcessEnv): SamplerSetting {
  const name = (nonEmpty(environment.OTEL_TRACES_SAMPLER) ?? "parentbased_always_on").trim().toLowerCase();
  if (!isSamplerName(name)) {
    throw new ConfigurationError([{ variable: "OTEL_TRACES_SAMPLER", message: `"${name}" is not supported: use one of ${samplerNames.join(", ")}.` }]);
  }
  const argument = nonEmpty(environment.OTEL_TRACES_SAMPLER_ARG);
  const ratio = argument === undefined || !name.endsWith("traceidratio") ? 1 : Number(argument);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new ConfigurationError([{ variable: "OTEL_TRACES_SAMPLER_ARG", message: `"${argument}" is not a sampling ratio: give a number from 0 to 1.` }]);
  }
  return { name, ratio };
}

function isSamplerName(name: string): name is SamplerName {
  return (samplerNames as readonly string[]).includes(name);
}

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === "true";
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
