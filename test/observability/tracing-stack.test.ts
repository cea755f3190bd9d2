/**
 * Traces across the federation, received by a real OTLP/HTTP endpoint: the multi-process stack (each
 * service its own Node.js process and tracer, as `npm start` runs them) exports with the standard
 * OTEL_* variables, and one streamed grounded completion must come back as ONE trace linking the
 * gateway, inference, retrieval and the engine call, with the GenAI attributes on the engine span
 * only and no prompt or document text in any attribute.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { startMultiProcessStack, type MultiProcessStack } from "../../bench/multi-process-stack.ts";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../harness/otlp-receiver.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";

const prompt = "Which colour theme do the settings use?";
const documentText = "The settings page sets the aquamarine colour theme for every dashboard.";
const groundingQuery = "aquamarine colour theme";

const genAiKeys = ["gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens"];

describe("OpenTelemetry traces through the multi-process stack", () => {
  let receiver: OtlpReceiver;
  let stack: MultiProcessStack;
  let collectionId: string;

  before(async () => {
    receiver = await startOtlpReceiver();
    const modelsDirectory = await temporaryDirectory("tracing-models");
    await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });
    await generateModel({ ...modelPresets.tiny, pooling: "mean", outputPath: join(modelsDirectory, "embed.gguf") });
    stack = await startMultiProcessStack({
      environment: {
        DATA_DIR: await temporaryDirectory("tracing-stack"),
        MODELS_DIR: modelsDirectory,
        LLAMA_CPP_THREADS: "1",
        BATCH_WINDOW_MILLIS: "2",
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        // Each process names itself (gateway, inference...): no OTEL_SERVICE_NAME from the test runner.
        OTEL_SERVICE_NAME: "",
        OTEL_TRACES_SAMPLER: "parentbased_always_on",
        OTEL_BSP_SCHEDULE_DELAY: "100",
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "",
      },
    });
    const pricing = { inputPerMillionTokens: 0, outputPerMillionTokens: 0 };
    const register = "mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }";
    await stack.request(register, { input: { id: "traced-chat", displayName: "Chat", family: "llama", capabilities: ["CHAT", "COMPLETION"], contextLength: 2048, engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" }, pricing } });
    await stack.request(register, { input: { id: "traced-embed", displayName: "Embed", family: "llama", capabilities: ["EMBEDDING"], embeddingDimensions: 256, contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "embed.gguf" }, pricing } });
    const created = await stack.request<{ createCollection: { id: string } }>("mutation($input: CreateCollectionInput!) { createCollection(input: $input) { id } }", { input: { name: "handbook", embeddingModel: "traced-embed" } });
    collectionId = created.createCollection.id;
    const ingested = await stack.request<{ ingestDocument: { status: string } }>("mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { status } }", {
      input: { collectionId, source: "settings.md", content: documentText },
    });
    assert.equal(ingested.ingestDocument.status, "READY");
  });
  after(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it("one streamed grounded completion is one trace: gateway → inference → retrieval → inference embeddings, and the engine call with the GenAI attributes only there", async () => {
    const traceId = randomBytes(16).toString("hex");
    const clientSpanId = randomBytes(8).toString("hex");
    const client = createClient({ url: stack.webSocketUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${stack.key}` }, retryAttempts: 0 });
    let endEvents = 0;
    try {
      const input = { model: "traced-chat", prompt, maxTokens: 4, seed: 1, grounding: { collectionId, query: groundingQuery, topK: 2, mode: "VECTOR" } };
      const subscription = client.iterate({
        query: "subscription Grounded($input: CompletionInput!) { completionStream(input: $input) { __typename ... on TextEndEvent { completion { id citations { id } } } } }",
        operationName: "Grounded",
        variables: { input },
        // W3C trace context from the client, per operation (graphql-ws has no per-operation headers).
        extensions: { traceparent: `00-${traceId}-${clientSpanId}-01` },
      });
      for await (const result of subscription) {
        assert.equal(result.errors, undefined, JSON.stringify(result.errors));
        if ((result.data as { completionStream?: { __typename?: string } } | undefined)?.completionStream?.__typename === "TextEndEvent") endEvents += 1;
      }
    } finally {
      await client.dispose();
    }
    assert.equal(endEvents, 1);

    const inTrace = (spans: readonly ReceivedSpan[]) => spans.filter((span) => span.traceId === traceId);
    const spans = inTrace(
      await receiver.waitFor((received) => {
        const trace = inTrace(received);
        return (
          trace.some((span) => span.serviceName === "gateway" && span.name === "subscription Grounded") &&
          trace.some((span) => span.serviceName === "inference" && span.name === "text_completion traced-chat") &&
          trace.some((span) => span.serviceName === "retrieval" && span.name === "retrieval vector_search")
        );
      }),
    );
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const describeTrace = () => JSON.stringify(spans.map((span) => [span.serviceName, span.name, span.spanId, span.parentSpanId]));

    // One trace, rooted at the client's span: every span's parent is in the trace, or is the client's.
    for (const span of spans) assert.ok(span.parentSpanId === clientSpanId || byId.has(span.parentSpanId), `orphan span ${span.serviceName}:${span.name} in ${describeTrace()}`);
    const services = new Set(spans.map((span) => span.serviceName));
    for (const service of ["gateway", "inference", "retrieval"]) assert.ok(services.has(service), `no ${service} span in ${describeTrace()}`);

    const ancestry = (span: ReceivedSpan): ReceivedSpan[] => {
      const chain: ReceivedSpan[] = [];
      for (let parent = byId.get(span.parentSpanId); parent !== undefined; parent = byId.get(parent.parentSpanId)) chain.push(parent);
      return chain;
    };
    const gatewaySubscription = spans.find((span) => span.serviceName === "gateway" && span.name === "subscription Grounded");
    assert.ok(gatewaySubscription !== undefined && gatewaySubscription.parentSpanId === clientSpanId, describeTrace());

    // The generation: the engine span (after the scheduler's wait) under the inference subscription, itself under the gateway's.
    const generation = spans.filter((span) => span.attributes["gen_ai.operation.name"] === "text_completion" || span.attributes["gen_ai.operation.name"] === "chat");
    assert.equal(generation.length, 1, describeTrace());
    const engineSpan = generation[0] as ReceivedSpan;
    assert.equal(engineSpan.serviceName, "inference");
    assert.equal(engineSpan.name, "text_completion traced-chat");
    assert.deepEqual(
      genAiKeys.map((key) => typeof engineSpan.attributes[key]),
      ["string", "string", "string", "number", "number"],
    );
    assert.equal(engineSpan.attributes["gen_ai.provider.name"], "llama.cpp");
    assert.equal(engineSpan.attributes["gen_ai.request.model"], "traced-chat");
    assert.ok((engineSpan.attributes["gen_ai.usage.input_tokens"] as number) > 10, "the grounding sources are in the prompt");
    assert.ok((engineSpan.attributes["gen_ai.usage.output_tokens"] as number) >= 1);
    const engineAncestry = ancestry(engineSpan).map((span) => `${span.serviceName}:${span.name}`);
    // The subgraph's operation is the one the gateway planned for it (`Grounded__inference__0`).
    assert.ok(engineAncestry.some((name) => name.startsWith("inference:subscription Grounded")) && engineAncestry.includes("gateway:subscription Grounded"), engineAncestry.join(" < "));
    assert.ok(spans.some((span) => span.serviceName === "inference" && span.name === "scheduler wait"), describeTrace());

    // Grounding: inference calls retrieval, whose vector search embeds the query through inference again.
    const vectorSearch = spans.find((span) => span.serviceName === "retrieval" && span.name === "retrieval vector_search");
    assert.ok(vectorSearch !== undefined, describeTrace());
    assert.ok(ancestry(vectorSearch).some((span) => span.serviceName === "inference" && span.name === "graphql retrieval"), describeTrace());
    const queryEmbedding = spans.find((span) => span.attributes["gen_ai.operation.name"] === "embeddings");
    assert.ok(queryEmbedding !== undefined && ancestry(queryEmbedding).some((span) => span.serviceName === "retrieval" && span.name === "graphql inference"), describeTrace());

    // GenAI attributes on engine spans only.
    for (const span of spans) {
      const genAi = Object.keys(span.attributes).filter((key) => key.startsWith("gen_ai."));
      if (span === engineSpan || span === queryEmbedding) continue;
      assert.deepEqual(genAi, [], `${span.serviceName}:${span.name} carries ${genAi.join(", ")}`);
    }
    // No prompt, query or document text on any span by default.
    const everything = JSON.stringify(receiver.spans().map((span) => span.attributes));
    for (const secret of [prompt, groundingQuery, documentText, "aquamarine"]) assert.ok(!everything.includes(secret), `"${secret}" was recorded in a span attribute`);
    assert.ok(receiver.requestCounts().protobuf >= 1, "the exporters sent OTLP protobuf");
  });

  it("a query continues the client's traceparent header through the gateway's plan and fetch into the subgraph", async () => {
    const traceId = randomBytes(16).toString("hex");
    const clientSpanId = randomBytes(8).toString("hex");
    const response = await fetch(stack.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${stack.key}`, traceparent: `00-${traceId}-${clientSpanId}-01` },
      body: JSON.stringify({ query: "query Catalogue { models(first: 5) { nodes { id } } }", operationName: "Catalogue" }),
    });
    assert.equal(response.status, 200);
    const spans = (
      // Each process exports its own batch: wait for the subgraph's span and the gateway's root, which ends last.
      await receiver.waitFor(
        (received) =>
          received.some((span) => span.traceId === traceId && span.serviceName === "model-registry" && span.name.startsWith("query Catalogue")) &&
          received.some((span) => span.traceId === traceId && span.parentSpanId === clientSpanId),
      )
    ).filter((span) => span.traceId === traceId);
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const root = spans.find((span) => span.parentSpanId === clientSpanId);
    assert.deepEqual([root?.serviceName, root?.name, root?.kind], ["gateway", "query Catalogue", 2]);
    const subgraph = spans.find((span) => span.serviceName === "model-registry" && span.name.startsWith("query Catalogue"));
    const fetchSpan = subgraph === undefined ? undefined : byId.get(subgraph.parentSpanId);
    assert.equal(fetchSpan?.name, "gateway.fetch", "the subgraph's span is a child of the gateway's fetch");
    assert.ok(spans.some((span) => span.name === "gateway.plan"));
    for (const span of spans) assert.deepEqual(Object.keys(span.attributes).filter((key) => key.startsWith("gen_ai.")), [], `${span.name} carries GenAI attributes`);
  });

  it("a client's unsampled traceparent is followed: no service records a span of that trace", async () => {
    const query = (traceparent: string) =>
      fetch(stack.graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${stack.key}`, traceparent },
        body: JSON.stringify({ query: "query Catalogue { models(first: 5) { nodes { id } } }", operationName: "Catalogue" }),
      });
    const unsampledTraceId = randomBytes(16).toString("hex");
    assert.equal((await query(`00-${unsampledTraceId}-${randomBytes(8).toString("hex")}-00`)).status, 200);
    // A sampled query after it: once both of its services' spans have arrived, the unsampled one's would have too.
    const sampledTraceId = randomBytes(16).toString("hex");
    assert.equal((await query(`00-${sampledTraceId}-${randomBytes(8).toString("hex")}-01`)).status, 200);
    await receiver.waitFor((received) => ["gateway", "model-registry"].every((service) => received.some((span) => span.traceId === sampledTraceId && span.serviceName === service && span.name.startsWith("query Catalogue"))));
    assert.deepEqual(receiver.spans().filter((span) => span.traceId === unsampledTraceId).map((span) => `${span.serviceName} ${span.name}`), []);
  });

  it("ingestion steps are spans of the ingesting request's trace", () => {
    const ingest = receiver.spans().find((span) => span.serviceName === "retrieval" && span.name === "retrieval ingest");
    assert.ok(ingest !== undefined);
    const steps = receiver.spans().filter((span) => span.traceId === ingest.traceId && (span.name === "retrieval embed_chunks" || span.name === "retrieval store_chunks"));
    assert.deepEqual([...new Set(steps.map((span) => span.name))].sort(), ["retrieval embed_chunks", "retrieval store_chunks"]);
    const gatewayRoot = receiver.spans().find((span) => span.traceId === ingest.traceId && span.serviceName === "gateway" && span.parentSpanId === "");
    assert.ok(gatewayRoot !== undefined, "the trace starts at the gateway");
  });
});
