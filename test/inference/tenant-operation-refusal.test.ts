/**
 * Issue 14, item 4, through the gateway and the inference subgraph: "one acme GraphQL request with 600
 * aliased embedding calls filled the queue, others got OVERLOADED, and the queued work of the refused
 * request kept running." Here acme's request of 40 aliased embeddings meets a per-tenant queue bound
 * of 8 while the engine is busy: the request is refused as a whole, its queued texts never reach the
 * engine, and globex is served. The upstream is a TEST DOUBLE (ReplayOpenAIServer) that records every
 * request and holds the first embeddings call until the test lets it go, so nothing depends on timing.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadGatewayConfig } from "../../gateway/config.ts";
import { createApiKeyStore } from "../../platform/api-keys/create-api-key-store.ts";
import { issueApiKey } from "../../platform/api-keys/issue-api-key.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { connectSharedInfrastructure } from "../../platform/storage/shared-infrastructure.ts";
import { closedWithin, ReplayOpenAIServer } from "../engines/openai-compatible/replay-openai-server.ts";
import { bodyOf, embeddingsReply, sendJson } from "../engines/openai-compatible/wire-format.ts";
import { postGraphQL } from "../harness/post-graphql.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

const aliasedFields = 40;
const tenantQueueBound = 8;

function embeddingsOperation(prefix: string, count: number): string {
  const fields = Array.from({ length: count }, (_, index) => `e${index}: embeddings(model: "shared-embed", texts: ["${prefix} ${index}"]) { dimensions }`);
  return `query { ${fields.join(" ")} }`;
}

function inputsOf(request: Parameters<typeof bodyOf>[0]): string[] {
  return bodyOf(request).input as string[];
}

describe("a refused operation's queued work is dropped, never run", () => {
  let stack: TestStack;
  let upstream: ReplayOpenAIServer;
  let releaseFirstCall: () => void = () => undefined;
  const keys = { acme: "", globex: "" };

  before(async () => {
    upstream = await ReplayOpenAIServer.start();
    const answer = (request: Parameters<typeof bodyOf>[0], response: Parameters<typeof sendJson>[0]) =>
      sendJson(response, 200, embeddingsReply(inputsOf(request).map((text, index) => ({ index, embedding: [text.length, 1, index + 1] }))));
    // The first embeddings call stays on the "engine" until released: everything after it has to queue.
    const firstCallReleased = new Promise<void>((resolve) => (releaseFirstCall = resolve));
    upstream.reply("/v1/embeddings", async (request, response) => {
      await firstCallReleased;
      if (!response.destroyed) answer(request, response);
    });
    upstream.replyAlways("/v1/embeddings", answer);

    const dataDirectory = await temporaryDirectory("tenant-operation-refusal");
    stack = await startTestStack({
      DATA_DIR: dataDirectory,
      BATCH_WINDOW_MILLIS: "0",
      MAX_BATCH_SIZE: "4",
      TENANT_MAX_QUEUE_DEPTH: String(tenantQueueBound),
      UPSTREAM_MAX_CONCURRENT_BATCHES: "1",
      UPSTREAM_MAX_RETRIES: "0",
      MAX_ALIASES: "1000",
      MAX_ROOT_FIELDS: "1000",
      MAX_OPERATION_COST: "100000000",
    });
    const config = loadGatewayConfig({ DATA_DIR: dataDirectory });
    const infrastructure = await connectSharedInfrastructure(config, createLogger("test", "error"));
    const store = createApiKeyStore(config, infrastructure);
    keys.acme = (await issueApiKey(store, "acme", ["member"], "acme member")).key;
    keys.globex = (await issueApiKey(store, "globex", ["member"], "globex member")).key;
    await infrastructure.close();
    const registered = await postGraphQL(stack.gateway.graphqlUrl, stack.adminKey.key, "mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }", {
      input: {
        id: "shared-embed",
        displayName: "Shared embeddings",
        family: "replay",
        capabilities: ["EMBEDDING"],
        embeddingDimensions: 3,
        contextLength: 2048,
        engine: { kind: "OPENAI_COMPATIBLE", baseUrl: upstream.baseUrl, upstreamModel: "replay-model" },
        pricing: { inputPerMillionTokens: 0, outputPerMillionTokens: 0 },
      },
    });
    assert.deepEqual(registered.body.errors ?? [], [], registered.text);
  });
  after(async () => {
    releaseFirstCall();
    await stack?.stop();
    await upstream?.close();
  });

  it("refuses acme's 40-field request as a whole, runs none of its queued texts, and still serves globex", async () => {
    const acme = await postGraphQL(stack.gateway.graphqlUrl, keys.acme, embeddingsOperation("acme", aliasedFields));
    const codes = (acme.body.errors ?? []).map((error) => error.extensions?.code);
    assert.equal(codes.length, aliasedFields, acme.text);
    assert.ok(
      codes.every((code) => code === "OVERLOADED"),
      `every field reports the refusal: ${JSON.stringify(codes)}`,
    );

    const calls = upstream.requestsTo("/v1/embeddings");
    assert.equal(calls.length, 1, "only the batch already on the engine was sent; the queued texts were dropped");
    const sent = inputsOf(calls[0]);
    assert.ok(sent.length >= 1 && sent.length <= 4 && sent.every((text) => text.startsWith("acme")), `the held batch: ${JSON.stringify(sent)}`);
    assert.equal((await closedWithin(calls[0], 5_000)).completed, false, "nobody wanted the held batch any more: its call was aborted");

    const globex = await postGraphQL(stack.gateway.graphqlUrl, keys.globex, embeddingsOperation("globex", 1));
    assert.deepEqual(globex.body, { data: { e0: { dimensions: 3 } } }, globex.text);
    assert.deepEqual(
      upstream.requestsTo("/v1/embeddings").slice(1).flatMap(inputsOf),
      ["globex 0"],
      "after the refusal the engine only ever saw globex's text",
    );
  });
});
