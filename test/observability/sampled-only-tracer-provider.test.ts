import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { context, propagation, ROOT_CONTEXT, trace, TraceFlags, type Context, type Span } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { AlwaysOnSampler, BasicTracerProvider, InMemorySpanExporter, ParentBasedSampler, SimpleSpanProcessor, type Sampler, SamplingDecision } from "@opentelemetry/sdk-trace-base";
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
  const sdk = new BasicTracerProvider({ sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = new SampledOnlyTracerProvider(sdk).getTracer("test");
  before(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });
  after(async () => {
    context.disable();
    propagation.disable();
    await sdk.shutdown();
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
    const recordingSdk = new BasicTracerProvider({ sampler: recordOnly });
    const recordingTracer = new SampledOnlyTracerProvider(recordingSdk).getTracer("test");
    const parent = recordingTracer.startSpan("recording, unsampled");
    assert.equal(parent.isRecording(), true);
    const child = recordingTracer.startSpan("child", {}, trace.setSpan(ROOT_CONTEXT, parent));
    assert.notEqual(child, parent);
    assert.equal(child.spanContext().traceId, parent.spanContext().traceId);
    child.end();
    assert.equal(parent.isRecording(), true, "the child's end left the parent running");
    parent.end();
  });
});
