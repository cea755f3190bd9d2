/**
 * A tracer provider that makes no span at all inside a trace that is not sampled. The SDK's own
 * tracer, for a child of an unsampled parent, still generates a span id, copies and sanitises the
 * attributes, asks the sampler, counts the span in its self-metrics and (for `startActiveSpan`)
 * switches the context, only to return a span that records nothing. Each request through the
 * gateway starts about seven such spans (ours and @apollo/gateway's `gateway.request`, `validate`,
 * `plan`, `execute`, `fetch`, `postprocessing`), and each subgraph one or two more: at 1 % sampling
 * that is 99 % of requests paying for spans nobody receives.
 *
 * Here a span whose parent context is valid and unsampled is the parent's own non-recording span:
 * `startSpan` returns it and `startActiveSpan` runs its function with it, in the context as it is.
 * The trace id and the unsampled flag travel on exactly as before (the `traceparent` sent onwards
 * names the parent's span id instead of a never-recorded child's). Roots, and children of sampled
 * or remote-sampled parents, go to the SDK tracer unchanged.
 */
import { context as contextApi, trace, TraceFlags, type Context, type Span, type SpanOptions, type Tracer, type TracerOptions, type TracerProvider } from "@opentelemetry/api";

export class SampledOnlyTracerProvider implements TracerProvider {
  readonly #inner: TracerProvider;

  constructor(inner: TracerProvider) {
    this.#inner = inner;
  }

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    return new SampledOnlyTracer(this.#inner.getTracer(name, version, options));
  }
}

/**
 * The parent's span when `context` holds a valid, unsampled one that records nothing: the span to
 * hand out instead of a new one. (An unsampled parent that records, from a custom sampler's
 * RECORD_ONLY decision, gets real children: ending it early would lose it.)
 */
function unsampledParent(context: Context, options: SpanOptions | undefined): Span | undefined {
  if (options?.root === true) return undefined;
  const parent = trace.getSpan(context);
  if (parent === undefined) return undefined;
  const spanContext = parent.spanContext();
  if (!trace.isSpanContextValid(spanContext) || (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0 || parent.isRecording()) return undefined;
  return parent;
}

class SampledOnlyTracer implements Tracer {
  readonly #inner: Tracer;

  constructor(inner: Tracer) {
    this.#inner = inner;
  }

  startSpan(name: string, options?: SpanOptions, context: Context = contextApi.active()): Span {
    return unsampledParent(context, options) ?? this.#inner.startSpan(name, options, context);
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, context: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: [F] | [SpanOptions, F] | [SpanOptions, Context, F]): ReturnType<F> {
    const fn = rest[rest.length - 1] as F;
    const options = rest.length >= 2 ? (rest[0] as SpanOptions) : undefined;
    const context = rest.length === 3 ? rest[1] : contextApi.active();
    const parent = unsampledParent(context, options);
    if (parent === undefined) return this.#inner.startActiveSpan(name, options ?? {}, context, fn);
    // The parent is already the active span of `context`; when `context` is not the active one, run in it.
    return rest.length === 3 ? contextApi.with(context, () => fn(parent) as ReturnType<F>) : (fn(parent) as ReturnType<F>);
  }
}
