/**
 * A tracer provider that makes no span object at all for a trace that is not sampled. The SDK's
 * own tracer, for every span of an unsampled trace, still generates ids, copies and sanitises the
 * attributes, asks the sampler, counts the span in its self-metrics and (for `startActiveSpan`)
 * switches the context, only to return a span that records nothing. Each request through the
 * gateway starts about seven such spans (ours and @apollo/gateway's `gateway.request`, `validate`,
 * `plan`, `execute`, `fetch`, `postprocessing`), and each subgraph one or two more: at 1 % sampling
 * that is 99 % of requests paying for spans nobody receives.
 *
 * Here:
 * - a span whose parent is valid, unsampled and records nothing is that parent itself:
 *   `startSpan` returns it and `startActiveSpan` runs its function with it, in the context as it
 *   is. The trace id and the unsampled flag travel on exactly as before (the `traceparent` sent
 *   onwards names the parent's span id instead of a never-recorded child's);
 * - a root asks the sampler itself, with a fresh trace id, and when the answer is NOT_RECORD
 *   returns a bare non-recording span with that trace id: what the SDK would return, without the
 *   SDK's work around it. Otherwise the SDK tracer makes the span with the same trace id (so
 *   the sampler, asked again by the SDK, gives the same answer for the same id);
 * - children of sampled or recording parents go to the SDK tracer unchanged.
 */
import { context as contextApi, INVALID_TRACEID, SpanKind, trace, TraceFlags, type Context, type Span, type SpanOptions, type Tracer, type TracerOptions, type TracerProvider } from "@opentelemetry/api";
import { isTracingSuppressed } from "@opentelemetry/core";
import { BasicTracerProvider, RandomIdGenerator, SamplingDecision, type IdGenerator, type Sampler, type TracerConfig } from "@opentelemetry/sdk-trace-base";

/** The SDK provider's settings, with the sampler required (this provider asks it for roots too). */
export type SampledOnlyTracerConfig = Omit<TracerConfig, "sampler" | "idGenerator"> & { sampler: Sampler };

export class SampledOnlyTracerProvider implements TracerProvider {
  readonly #sdk: BasicTracerProvider;
  readonly #sampler: Sampler;
  readonly #ids = new ChosenTraceIdGenerator();

  constructor(config: SampledOnlyTracerConfig) {
    this.#sampler = config.sampler;
    this.#sdk = new BasicTracerProvider({ ...config, idGenerator: this.#ids });
  }

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    return new SampledOnlyTracer(this.#sdk.getTracer(name, version, options), this.#sampler, this.#ids);
  }

  /** Exports the spans still buffered. */
  forceFlush(): Promise<void> {
    return this.#sdk.forceFlush();
  }

  /** Exports the spans still buffered, then stops the span processors. */
  shutdown(): Promise<void> {
    return this.#sdk.shutdown();
  }
}

/**
 * Random ids, except that the next trace id can be chosen: the one a root's sampling decision was
 * made on, for the SDK tracer to use when it makes that root's span right after.
 */
class ChosenTraceIdGenerator implements IdGenerator {
  readonly #random = new RandomIdGenerator();
  #chosen: string | undefined;

  generateTraceId(): string {
    const chosen = this.#chosen;
    if (chosen === undefined) return this.#random.generateTraceId();
    this.#chosen = undefined;
    return chosen;
  }

  generateSpanId(): string {
    return this.#random.generateSpanId();
  }

  /** Runs `work` (synchronous) with `traceId` as the next trace id generated. */
  withTraceId<Result>(traceId: string, work: () => Result): Result {
    this.#chosen = traceId;
    try {
      return work();
    } finally {
      this.#chosen = undefined;
    }
  }
}

/**
 * The parent's span when `context` holds a valid, unsampled one that records nothing: the span to
 * hand out instead of a new one. (An unsampled parent that records, from a custom sampler's
 * RECORD decision, gets real children: ending it early would lose it.) The ids are not checked
 * for form here: contexts come from the W3C propagator, which checked them, or from a tracer.
 */
function unsampledParent(parent: Span | undefined): Span | undefined {
  if (parent === undefined) return undefined;
  const spanContext = parent.spanContext();
  if ((spanContext.traceFlags & TraceFlags.SAMPLED) !== 0 || spanContext.traceId === INVALID_TRACEID || parent.isRecording()) return undefined;
  return parent;
}

/** The span a new span's parent would be in `context`: none for a span asked to be a root. */
function parentIn(context: Context, options: SpanOptions | undefined): Span | undefined {
  return options?.root === true ? undefined : trace.getSpan(context);
}

class SampledOnlyTracer implements Tracer {
  readonly #sdk: Tracer;
  readonly #sampler: Sampler;
  readonly #ids: ChosenTraceIdGenerator;

  constructor(sdk: Tracer, sampler: Sampler, ids: ChosenTraceIdGenerator) {
    this.#sdk = sdk;
    this.#sampler = sampler;
    this.#ids = ids;
  }

  startSpan(name: string, options?: SpanOptions, context: Context = contextApi.active()): Span {
    const parent = parentIn(context, options);
    if (parent !== undefined && parent.spanContext().traceId !== INVALID_TRACEID) return unsampledParent(parent) ?? this.#sdk.startSpan(name, options, context);
    // A span asked to be a root is sampled as one, whatever `context` holds (as the SDK does).
    return this.#startRoot(name, options, options?.root === true ? trace.deleteSpan(context) : context);
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, context: Context, fn: F): ReturnType<F>;
  // Positional parameters rather than a rest array: this runs for every span of every request.
  startActiveSpan<F extends (span: Span) => unknown>(name: string, second: F | SpanOptions, third?: F | Context, fourth?: F): ReturnType<F> {
    let options: SpanOptions | undefined;
    let context: Context | undefined;
    let fn: F;
    if (typeof second === "function") fn = second;
    else if (typeof third === "function") {
      options = second;
      fn = third;
    } else {
      options = second;
      context = third;
      fn = fourth as F;
    }
    const parentContext = context ?? contextApi.active();
    const parent = unsampledParent(parentIn(parentContext, options));
    if (parent === undefined) {
      const span = this.startSpan(name, options, parentContext);
      return contextApi.with(trace.setSpan(parentContext, span), fn as (span: Span) => ReturnType<F>, undefined, span);
    }
    // The parent is already the active span of the context; when an explicit context is not the active one, run in it.
    return context === undefined ? (fn(parent) as ReturnType<F>) : contextApi.with(context, fn as (span: Span) => ReturnType<F>, undefined, parent);
  }

  /** A new trace (or, with tracing suppressed in `context`, the SDK's no-op span). */
  #startRoot(name: string, options: SpanOptions | undefined, context: Context): Span {
    if (isTracingSuppressed(context)) return this.#sdk.startSpan(name, options, context);
    const traceId = this.#ids.generateTraceId();
    const decision = this.#sampler.shouldSample(context, traceId, name, options?.kind ?? SpanKind.INTERNAL, options?.attributes ?? {}, options?.links ?? []);
    if (decision.decision === SamplingDecision.NOT_RECORD) {
      return trace.wrapSpanContext({ traceId, spanId: this.#ids.generateSpanId(), traceFlags: TraceFlags.NONE, ...(decision.traceState === undefined ? {} : { traceState: decision.traceState }) });
    }
    return this.#ids.withTraceId(traceId, () => this.#sdk.startSpan(name, options, context));
  }
}
