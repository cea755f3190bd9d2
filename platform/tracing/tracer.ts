/**
 * The project's tracer and the few ways code here makes spans. Without `startTracing` every call is
 * the OpenTelemetry API's no-op (no span is recorded, no context is stored).
 */
import { INVALID_TRACEID, SpanKind, SpanStatusCode, trace, type Span, type SpanOptions, type Tracer } from "@opentelemetry/api";
import { tracingGeneration } from "./tracing-state.ts";

export { SpanKind };

/** Instrumentation scope of every span this project makes itself. */
const instrumentationScope = "federated-ai-graph";
let cachedTracer: Tracer = trace.getTracer(instrumentationScope);
let cachedGeneration = tracingGeneration();

/** The project's tracer, from the provider `startTracing` registered last (a no-op one before). */
export function projectTracer(): Tracer {
  const generation = tracingGeneration();
  if (generation !== cachedGeneration) {
    cachedTracer = trace.getTracer(instrumentationScope);
    cachedGeneration = generation;
  }
  return cachedTracer;
}

/**
 * Runs `work` in a new span, child of the active one, and ends the span when `work` settles; a
 * failure sets the span's status to ERROR with `error.type` (the error's `extensions.code`, `code`
 * or class name). The span is active inside `work`, so spans and `traceparent` headers made there
 * are its children.
 */
export function inSpan<Result>(name: string, options: SpanOptions, work: (span: Span) => Promise<Result>): Promise<Result> {
  return projectTracer().startActiveSpan(name, options, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Sets `span`'s status to ERROR with the error's type; its message only (never a stack or a prompt). */
export function markFailed(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  span.setAttribute("error.type", errorTypeOf(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message.slice(0, 256) : String(error).slice(0, 256) });
}

/** The trace id of the active span, when one is recorded (for log lines). */
export function activeTraceId(): string | undefined {
  const traceId = trace.getActiveSpan()?.spanContext().traceId;
  return traceId === undefined || traceId === INVALID_TRACEID ? undefined : traceId;
}

function errorTypeOf(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const code = (error as { extensions?: { code?: unknown } }).extensions?.code ?? (error as { code?: unknown }).code;
    if (typeof code === "string" && code !== "") return code;
    if (error instanceof Error) return error.constructor.name;
  }
  return "unknown";
}
