/**
 * The gateway's span of one federated subscription, open for the subscription's whole life. It
 * continues the trace of the HTTP request that carried it (SSE, multipart) or, over graphql-ws, the
 * `traceparent` a client puts in the `subscribe` message's `extensions`. Its trace context goes to the
 * subgraph in the upstream subscription's `extensions`: the gateway shares one graphql-ws connection
 * per subgraph among all callers, so a per-connection header could not tell operations apart.
 */
import { context, SpanKind, trace, type Context } from "@opentelemetry/api";
import { activeTraceCarrier, extractTraceContext, type TraceCarrier } from "./trace-context.ts";
import { projectTracer } from "./tracer.ts";
import { tracingEnabled } from "./tracing-state.ts";

export interface SubscriptionTrace {
  /** `traceparent` (and `tracestate`) under the subscription's span, for the upstream `extensions`; empty without tracing. */
  readonly carrier: TraceCarrier;
  /** Runs `work` (an event's federated execution) under the subscription's span. */
  run<Result>(work: () => Result): Result;
  /** Ends the span (the subscription is over). Idempotent. */
  end(): void;
}

const untraced: SubscriptionTrace = { carrier: {}, run: (work) => work(), end: () => undefined };

export function startSubscriptionSpan(operationName: string | undefined, extensions: Record<string, unknown> | null | undefined): SubscriptionTrace {
  if (!tracingEnabled()) return untraced;
  const parent: Context = trace.getSpan(context.active()) === undefined ? extractTraceContext(extensions) : context.active();
  const name = operationName === undefined || operationName === "" ? "subscription" : `subscription ${operationName.slice(0, 128)}`;
  const span = projectTracer().startSpan(
    name,
    { kind: SpanKind.SERVER, attributes: { "graphql.operation.type": "subscription", ...(operationName === undefined ? {} : { "graphql.operation.name": operationName.slice(0, 128) }) } },
    parent,
  );
  const active = trace.setSpan(parent, span);
  let ended = false;
  return {
    carrier: context.with(active, activeTraceCarrier),
    run: (work) => context.with(active, work),
    end: () => {
      if (ended) return;
      ended = true;
      span.end();
    },
  };
}
