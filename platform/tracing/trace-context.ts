/**
 * W3C trace context (`traceparent`, `tracestate`) in and out of this process: read from a client's
 * or a peer's HTTP headers or graphql-ws `extensions`, written on the requests made on their behalf.
 * Both are no-ops until `startTracing` registers the W3C propagator.
 */
import { context, propagation, ROOT_CONTEXT, type Context, type TextMapGetter } from "@opentelemetry/api";

/** The trace context fields, as written in headers and in `extensions`. */
export type TraceCarrier = Record<string, string>;

/** Reads string (or string list) fields of headers or `extensions`, ignoring anything else a client put there. */
const carrierGetter: TextMapGetter<Record<string, unknown>> = {
  get: (source, key) => {
    const value = source[key];
    return typeof value === "string" || Array.isArray(value) ? (value as string | string[]) : undefined;
  },
  keys: (source) => Object.keys(source),
};

/** The context a request continues: the caller's span from `traceparent`, or a fresh root. */
export function extractTraceContext(carrier: Record<string, unknown> | null | undefined): Context {
  if (carrier === undefined || carrier === null) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, carrier, carrierGetter);
}

/** `traceparent` (and `tracestate`) of the active span, to send with a request; empty when none is recorded. */
export function activeTraceCarrier(): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}
