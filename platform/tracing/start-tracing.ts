/**
 * Turns on trace export for this process (one call per process, from a service's `main.ts`).
 *
 * Spans are manual (`tracer.ts`, created at the points that matter: requests, subgraph fetches,
 * scheduling, engine calls, vector search, ingestion) plus those @apollo/gateway makes itself
 * (`gateway.request`, `gateway.plan`, `gateway.fetch`...), which it records through the same global
 * OpenTelemetry API. No auto-instrumentation: `@opentelemetry/auto-instrumentations-node` patches
 * modules at load (dozens of them), costs start-up time in every process, and would record every
 * Redis command and HTTP call as a span of its own; the manual spans name what an operator acts on.
 */
import { context, diag, DiagLogLevel, propagation, trace } from "@opentelemetry/api";
import type { Logger } from "../logging/logger.ts";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";

import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import { SampledOnlyTracerProvider } from "./sampled-only-tracer-provider.ts";
import { samplerOf } from "./sampler.ts";
import { tracingSettingsFromEnvironment } from "./tracing-settings.ts";
import { setTracingState } from "./tracing-state.ts";

export interface Tracing {
  /** Whether spans are exported (see `tracingSettingsFromEnvironment`). */
  readonly enabled: boolean;
  /** Exports the spans still buffered, then stops; call it after the service has stopped. Idempotent. */
  shutdown(): Promise<void>;
}

/**
 * Starts exporting spans over OTLP/HTTP (protobuf) when the `OTEL_*` variables configure it; does
 * nothing otherwise, so an unconfigured service pays for no-op spans only. The service name is
 * `serviceName` unless OTEL_SERVICE_NAME (or `service.name` in OTEL_RESOURCE_ATTRIBUTES) says
 * otherwise. The sampler is OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (default
 * `parentbased_always_on`: a client's sampled `traceparent` is kept); the endpoint, headers,
 * timeout and compression are the exporter's OTEL_EXPORTER_OTLP_* variables. The SDK's own warnings
 * and errors (an export the collector refused, spans dropped from a full queue) go to `logger`.
 */
export function startTracing(serviceName: string, environment: NodeJS.ProcessEnv = process.env, logger?: Logger): Tracing {
  const settings = tracingSettingsFromEnvironment(environment);
  if (!settings.enabled) return { enabled: false, shutdown: async () => undefined };
  if (logger !== undefined) {
    const write = (message: string) => logger.warn("opentelemetry", { detail: message.slice(0, 512) });
    const ignore = () => undefined;
    diag.setLogger({ error: write, warn: write, info: ignore, debug: ignore, verbose: ignore }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    logger.info("exporting traces over OTLP", { sampler: settings.sampler.name, samplerRatio: settings.sampler.ratio, captureMessageContent: settings.captureMessageContent });
  }
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }))
    .merge(detectResources({ detectors: [envDetector] }));
  // The SDK's provider behind SampledOnlyTracerProvider (no span objects for unsampled traces).
  const provider = new SampledOnlyTracerProvider({
    resource,
    sampler: samplerOf(settings.sampler),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // What the SDK's `provider.register()` does: the AsyncLocalStorage context manager, and W3C trace
  // context only (no baggage: nothing of ours reads it, and a client's baggage would otherwise ride
  // along to every subgraph and engine). Registered on the API's global proxy, so tracers taken at
  // import (@apollo/gateway's) get it too.
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  setTracingState(settings);
  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    shutdown: () => {
      stopped ??= provider.shutdown().finally(() => {
        setTracingState({ enabled: false, captureMessageContent: false });
        // Unregistered, so a later `startTracing` in the same process (tests) can register anew.
        trace.disable();
        propagation.disable();
        context.disable();
        diag.disable();
      });
      return stopped;
    },
  };
}
