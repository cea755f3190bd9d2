import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { context, propagation, trace, SpanStatusCode } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { AlwaysOnSampler, InMemorySpanExporter, ParentBasedSampler, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { SampledOnlyTracerProvider } from "../../platform/tracing/sampled-only-tracer-provider.ts";
import { traceHttpRequest } from "../../platform/tracing/server-span.ts";
import { setTracingState } from "../../platform/tracing/tracing-state.ts";

describe("traceHttpRequest: the SERVER span of one request", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new SampledOnlyTracerProvider({ sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  /** What the handler saw as the active span's `traceId-spanId`, per request. */
  const seen: string[] = [];
  let server: Server;
  let url: string;

  before(async () => {
    trace.setGlobalTracerProvider(provider);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    setTracingState({ enabled: true, captureMessageContent: false });
    server = createServer((request, response) =>
      traceHttpRequest(request, response, "/graphql", () => {
        const active = trace.getActiveSpan()?.spanContext();
        seen.push(`${active?.traceId}-${active?.spanId}`);
        response.statusCode = Number(request.headers["x-status"] ?? 200);
        // Answered later, as a resolver would: the span ends when the response does.
        setTimeout(() => response.end("{}"), 10);
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    setTracingState({ enabled: false, captureMessageContent: false });
    trace.disable();
    context.disable();
    propagation.disable();
    await provider.shutdown();
  });

  it("records a sampled request's span once its response is over, with the status code (ERROR for a 5xx)", async () => {
    exporter.reset();
    for (const status of [200, 503]) await (await fetch(url, { method: "POST", headers: { "x-status": String(status) } })).text();
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    assert.deepEqual(
      spans.map((span) => [span.name, span.attributes["http.response.status_code"], span.status.code]),
      [
        ["POST /graphql", 200, SpanStatusCode.UNSET],
        ["POST /graphql", 503, SpanStatusCode.ERROR],
      ],
    );
    assert.equal(seen.at(-1), `${spans[1]?.spanContext().traceId}-${spans[1]?.spanContext().spanId}`, "the handler runs inside the request's span");
  });

  it("follows a client's unsampled traceparent: the handler runs in the caller's span, nothing is recorded", async () => {
    exporter.reset();
    const response = await fetch(url, { method: "POST", headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00" } });
    await response.text();
    await provider.forceFlush();
    assert.equal(seen.at(-1), "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331");
    assert.deepEqual(exporter.getFinishedSpans(), []);
  });
});
