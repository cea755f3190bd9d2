/**
 * A fetch that sends the active span's W3C trace context (`traceparent`, `tracestate`) with every
 * request, for clients that take a fetch (the `openai` SDK). Without tracing it adds nothing.
 */
import { activeTraceCarrier } from "./trace-context.ts";
import { tracingEnabled } from "./tracing-state.ts";

export function traceContextFetch(transport: typeof fetch): typeof fetch {
  return (input, init) => {
    if (!tracingEnabled()) return transport(input, init);
    const carrier = activeTraceCarrier();
    if (Object.keys(carrier).length === 0) return transport(input, init);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    for (const [name, value] of Object.entries(carrier)) headers.set(name, value);
    return transport(input, { ...init, headers });
  };
}
