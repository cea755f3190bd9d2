import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { context, propagation, ROOT_CONTEXT, trace, TraceFlags, type Context, type Span } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { suppressTracing } from "@opentelemetry/core";
import { AlwaysOnSampler, InMemorySpanExporter, ParentBasedSampler, SimpleSpanProcessor, TraceIdRatioBasedSampler, type Sampler, SamplingDecision } from "@opentelemetry/sdk-trace-base";
import { SampledOnlyTracerProvider } from "../../platform/tracing/sampled-only-tracer-provider.ts";

const exporter = new InMemorySpanExporter();

/** A context whose parent is a remote span with `flags` (what a `traceparent` header carries). */
function remoteParent(flags: TraceFlags): Context {
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: flags, isRemote: true });
}

function traceparentIn(active: Context): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  return carrier.traceparent;
}

describe("SampledOnlyTracerProvider: no span objects inside unsampled traces", () => {
  const provider = new SampledOnlyTracerProvider({ sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer("test");
  before(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });
  after(async () => {
    context.disable();
    propagation.disable();
    await provider.shutdown();
  });

  it("records roots and the children of sampled parents as the SDK does", async () => {
    exporter.reset();
    await tracer.startActiveSpan("root", async (root) => {
      const child = tracer.startSpan("child");
      assert.equal(child.spanContext().traceId, root.spanContext().traceId);
      assert.notEqual(child.spanContext().spanId, root.spanContext().spanId);
      child.end();
      await tracer.startActiveSpan("active child", async (activeChild) => {
        assert.equal(trace.getActiveSpan(), activeChild);
        activeChild.end();
      });
      root.end();
    });
    assert.deepEqual(exporter.getFinishedSpans().map((span) => span.name).sort(), ["active child", "child", "root"]);
  });

  it("hands out the unsampled parent itself: same ids, nothing recorded, the same traceparent sent onwards", async () => {
    exporter.reset();
    const parent = remoteParent(TraceFlags.NONE);
    const span = tracer.startSpan("fetch", {}, parent);
    assert.equal(span, trace.getSpan(parent));
    assert.equal(span.isRecording(), false);
    span.end();
    await context.with(parent, () =>
      tracer.startActiveSpan("gateway.plan", { attributes: { a: 1 } }, async (active: Span) => {
        assert.equal(active, trace.getSpan(parent));
        assert.equal(traceparentIn(context.active()), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00");
        active.end();
      }),
    );
    // With an explicit context that is not the active one, the function runs in that context.
    await tracer.startActiveSpan("explicit", {}, parent, async () => {
      assert.equal(trace.getSpanContext(context.active())?.spanId, "b7ad6b7169203331");
    });
    assert.deepEqual(exporter.getFinishedSpans(), []);
  });

  it("still lets the sampler decide for a span asked to be a root, and records the children of a sampled remote parent", () => {
    exporter.reset();
    const root = tracer.startSpan("new root", { root: true }, remoteParent(TraceFlags.NONE));
    assert.notEqual(root.spanContext().traceId, "0af7651916cd43dd8448eb211c80319c");
    root.end();
    const child = tracer.startSpan("child of sampled", {}, remoteParent(TraceFlags.SAMPLED));
    assert.equal(child.spanContext().traceId, "0af7651916cd43dd8448eb211c80319c");
    child.end();
    assert.deepEqual(exporter.getFinishedSpans().map((span) => span.name).sort(), ["child of sampled", "new root"]);
  });

  it("gives real children to an unsampled parent that records (a RECORD_ONLY sampler), so none ends it early", () => {
    const recordOnly: Sampler = { shouldSample: () => ({ decision: SamplingDecision.RECORD }), toString: () => "RecordOnly" };
    const recordingTracer = new SampledOnlyTracerProvider({ sampler: recordOnly }).getTracer("test");
    const parent = recordingTracer.startSpan("recording, unsampled");
    assert.equal(parent.isRecording(), true);
    const child = recordingTracer.startSpan("child", {}, trace.setSpan(ROOT_CONTEXT, parent));
    assert.notEqual(child, parent);
    assert.equal(child.spanContext().traceId, parent.spanContext().traceId);
    child.end();
    assert.equal(parent.isRecording(), true, "the child's end left the parent running");
    parent.end();
  });

  it("decides a root itself: a NOT_RECORD root is a bare span with fresh valid ids that its children and traceparent follow", async () => {
    const unsampledExporter = new InMemorySpanExporter();
    const neverTracer = new SampledOnlyTracerProvider({ sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0) }), spanProcessors: [new SimpleSpanProcessor(unsampledExporter)] }).getTracer("test");
    const first = neverTracer.startSpan("POST /graphql");
    const second = neverTracer.startSpan("POST /graphql");
    for (const span of [first, second]) {
      assert.equal(span.isRecording(), false);
      assert.equal(trace.isSpanContextValid(span.spanContext()), true);
      assert.equal(span.spanContext().traceFlags, TraceFlags.NONE);
    }
    assert.notEqual(first.spanContext().traceId, second.spanContext().traceId);
    await neverTracer.startActiveSpan("request", async (root) => {
      assert.equal(neverTracer.startSpan("fetch"), root, "the child of an unsampled root is the root");
      assert.equal(traceparentIn(context.active()), `00-${root.spanContext().traceId}-${root.spanContext().spanId}-00`);
      root.end();
    });
    assert.deepEqual(unsampledExporter.getFinishedSpans(), []);
  });

  it("records a sampled root under the very trace id the sampler decided on, so a ratio holds once, not squared", () => {
    const decided = new Map<string, boolean>();
    // Samples a trace id when its last hex digit is below 8: half of them, and checkable afterwards.
    const byLastDigit: Sampler = {
      shouldSample: (_context, traceId) => {
        const sampled = Number.parseInt(traceId.slice(-1), 16) < 8;
        decided.set(traceId, sampled);
        return { decision: sampled ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD };
      },
      toString: () => "ByLastDigit",
    };
    const sampledExporter = new InMemorySpanExporter();
    const halfTracer = new SampledOnlyTracerProvider({ sampler: byLastDigit, spanProcessors: [new SimpleSpanProcessor(sampledExporter)] }).getTracer("test");
    const roots = Array.from({ length: 2000 }, () => halfTracer.startSpan("root"));
    for (const root of roots) root.end();
    const recorded = roots.filter((root) => root.isRecording() || (root.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0);
    for (const root of roots) assert.equal((root.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0, decided.get(root.spanContext().traceId), "each root carries its own decision");
    assert.equal(sampledExporter.getFinishedSpans().length, recorded.length);
    assert.ok(recorded.length > 800 && recorded.length < 1200, `about half the roots sampled, got ${recorded.length} of 2000`);
  });

  it("makes no trace where tracing is suppressed", () => {
    const span = tracer.startSpan("suppressed", {}, suppressTracing(ROOT_CONTEXT));
    assert.equal(span.isRecording(), false);
    assert.equal(trace.isSpanContextValid(span.spanContext()), false);
  });
});
