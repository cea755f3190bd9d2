/**
 * The span of one request a service serves: HTTP requests to its GraphQL path, and graphql-ws
 * operations. Each continues the caller's trace (a client's `traceparent`, or the gateway's).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { context, SpanKind, SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import { extractTraceContext } from "./trace-context.ts";
import { tracedIterator } from "./traced-iterator.ts";
import { markFailed, projectTracer } from "./tracer.ts";
import { tracingEnabled } from "./tracing-state.ts";

/**
 * Runs `handle` (which serves `request`) inside a SERVER span named `POST /graphql` until the
 * response is over (sent or abandoned); the operation's name and type are added by
 * `graphqlOperationSpanPlugin`. Without tracing, runs `handle` alone.
 */
export function traceHttpRequest(request: IncomingMessage, response: ServerResponse, path: string, handle: () => void): void {
  if (!tracingEnabled()) {
    handle();
    return;
  }
  const parent = extractTraceContext(request.headers);
  const method = request.method ?? "GET";
  const span = projectTracer().startSpan(
    `${method} ${path}`,
    { kind: SpanKind.SERVER, attributes: { "http.request.method": method, "url.path": path, "url.scheme": "http" } },
    parent,
  );
  // A span that records nothing (an unsampled trace's, 99 % of requests at 1 % sampling) has nothing
  // to end: no listener for it. Measured (bench/tracing-cost-single-service.ts): about one of the
  // 6–7 points of CPU per request that tracing at 1 % added to a model-registry process.
  if (span.isRecording()) {
    response.once("close", () => {
      span.setAttribute("http.response.status_code", response.statusCode);
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
  }
  // Inside an unsampled trace the span is the caller's own (sampled-only-tracer-provider.ts), already in `parent`.
  context.with(trace.getSpan(parent) === span ? parent : trace.setSpan(parent, span), handle);
}

/** Starts the SERVER span of one graphql-ws operation, continuing the trace in its `extensions`; undefined without tracing. */
export function startOperationSpan(operationName: string | null | undefined, extensions: Record<string, unknown> | null | undefined): Span | undefined {
  if (!tracingEnabled()) return undefined;
  const name = typeof operationName === "string" && operationName !== "" ? operationName : undefined;
  return projectTracer().startSpan(
    name === undefined ? "subscription" : `subscription ${name}`,
    { kind: SpanKind.SERVER, attributes: { "graphql.operation.type": "subscription", ...(name === undefined ? {} : { "graphql.operation.name": name }) } },
    extractTraceContext(extensions),
  );
}

/**
 * Runs `subscribe` (graphql-js's, for one graphql-ws operation) under `span` and keeps the span for
 * the stream's life: the resolvers, and the work the stream starts on each `next()`, are its
 * children. A result that is not a stream (a refusal) ends the span at once.
 */
export async function traceSubscription<Value, Refusal>(span: Span | undefined, subscribe: () => Promise<AsyncIterable<Value> | Refusal>): Promise<AsyncIterable<Value> | Refusal> {
  if (span === undefined) return subscribe();
  const active = trace.setSpan(context.active(), span);
  let result: AsyncIterable<Value> | Refusal;
  try {
    result = await context.with(active, subscribe);
  } catch (error) {
    markFailed(span, error);
    span.end();
    throw error;
  }
  if (typeof result !== "object" || result === null || !(Symbol.asyncIterator in result)) {
    span.end();
    return result;
  }
  return tracedIterator(span, (result as AsyncIterable<Value>)[Symbol.asyncIterator](), active);
}
