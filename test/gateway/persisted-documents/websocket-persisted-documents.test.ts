/**
 * Issue 15, item 4 over graphql-ws: `subscribe` messages obey PERSISTED_DOCUMENTS_MODE as HTTP
 * requests do. The operation resolver's WebSocket shapes (an empty `query` with a `documentId` or an
 * APQ hash), then a stack in `only` mode and one in `off` mode driven by a real graphql-ws client,
 * and the client package sending persisted subscriptions by id over graphql-ws and SSE.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse, type FormattedExecutionResult } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { documentIdOf } from "../../../gateway/persisted-documents/document-id.ts";
import { FilePersistedDocumentStore } from "../../../gateway/persisted-documents/file-persisted-document-store.ts";
import { createPersistedDocumentResolver, createPersistedOperationResolver } from "../../../gateway/persisted-documents/resolve-persisted-document.ts";
import { createGraphClient, isGraphClientError } from "../../../packages/client/src/index.ts";
import { ErrorCode } from "../../../platform/errors/error-code.ts";
import type { ServiceError } from "../../../platform/errors/service-error.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../../harness/test-stack.ts";

const trustedQuery = "query Models { models(first: 5) { totalCount } }";
const trustedSubscription = 'subscription Stream { completionStream(input: { model: "no-such-model", prompt: "hi", maxTokens: 2 }) { __typename } }';
const untrustedQuery = "query Other { models(first: 1) { totalCount } }";
const untrustedSubscription = 'subscription Other { completionStream(input: { model: "no-such-model", prompt: "hello", maxTokens: 2 }) { __typename } }';
const manifest = { [documentIdOf(trustedQuery)]: trustedQuery, [documentIdOf(trustedSubscription)]: trustedSubscription };
const codeOf = (error: ServiceError) => error.extensions.code;

describe("the operation resolver with graphql-ws payloads", () => {
  let store: FilePersistedDocumentStore;
  before(async () => {
    store = new FilePersistedDocumentStore(join(await temporaryDirectory("ws-persisted"), "persisted-documents.json"));
    await store.add(manifest);
  });

  it("only: an empty query with a documentId or a manifest APQ hash becomes the document; other fields pass through", async () => {
    const resolve = createPersistedOperationResolver(store, "only");
    const id = documentIdOf(trustedSubscription);
    assert.deepEqual(await resolve({ query: "", documentId: `sha256:${id}`, variables: { a: 1 }, operationName: "Stream" }), { query: trustedSubscription, variables: { a: 1 }, operationName: "Stream" });
    const apq = { persistedQuery: { version: 1, sha256Hash: id }, clientLibrary: { name: "@apollo/client" } };
    assert.deepEqual(await resolve({ query: "", extensions: apq }), { query: trustedSubscription, extensions: { clientLibrary: { name: "@apollo/client" } } });
    // Apollo's GraphQLWsLink sends its own print of the document beside the client-preset id ("sha256:<hex>"): the manifest's document runs.
    const printedByTheClient = "subscription Stream {\n  completionStream(input: {model: \"no-such-model\", prompt: \"hi\", maxTokens: 2}) {\n    __typename\n  }\n}";
    assert.deepEqual(await resolve({ query: printedByTheClient, extensions: { persistedQuery: { version: 1, sha256Hash: `sha256:${id}` } } }), { query: trustedSubscription, extensions: {} });
    assert.deepEqual(await resolve({ query: trustedQuery }), { query: trustedQuery });
    await assert.rejects(resolve({ query: untrustedSubscription }), (error: ServiceError) => codeOf(error) === ErrorCode.PersistedDocumentRequired);
    await assert.rejects(resolve({ query: "", documentId: documentIdOf(untrustedQuery) }), (error: ServiceError) => codeOf(error) === ErrorCode.PersistedDocumentNotFound);
    await assert.rejects(resolve({ query: "", extensions: { persistedQuery: { version: 1, sha256Hash: documentIdOf(untrustedQuery) } } }), (error: ServiceError) => codeOf(error) === ErrorCode.PersistedDocumentNotFound);
  });

  it("a GET with a manifest APQ hash (urql's persisted exchange) gets the document and loses the hash, so Apollo does not check it against the text", async () => {
    const resolve = createPersistedDocumentResolver(store, "only");
    const extensions = JSON.stringify({ persistedQuery: { version: 1, sha256Hash: `sha256:${documentIdOf(trustedQuery)}` } });
    const { search } = await resolve({ body: undefined, search: `?operationName=Models&variables=%7B%7D&extensions=${encodeURIComponent(extensions)}` });
    assert.deepEqual(Object.fromEntries(new URLSearchParams(search)), { operationName: "Models", variables: "{}", query: trustedQuery });
  });

  it("allow and off: full documents pass; off refuses a documentId; an unknown APQ hash leaves the query empty", async () => {
    assert.deepEqual(await createPersistedOperationResolver(store, "allow")({ query: untrustedQuery }), { query: untrustedQuery });
    const unknown = { persistedQuery: { version: 1, sha256Hash: documentIdOf(untrustedQuery) } };
    assert.deepEqual(await createPersistedOperationResolver(store, "allow")({ query: "", extensions: unknown }), { query: "", extensions: unknown });
    await assert.rejects(createPersistedOperationResolver(store, "off")({ query: "", documentId: documentIdOf(trustedQuery) }), (error: ServiceError) => codeOf(error) === ErrorCode.PersistedDocumentNotFound && /PERSISTED_DOCUMENTS_MODE=off/.test(error.message));
  });
});

/** Every result of one operation over `client`, until it completes; a graphql-ws `error` message becomes a last result with its errors. */
async function collect(client: Client, payload: { query: string; documentId?: string; extensions?: Record<string, unknown> }): Promise<FormattedExecutionResult[]> {
  const results: FormattedExecutionResult[] = [];
  try {
    for await (const result of client.iterate(payload as { query: string })) results.push(result as FormattedExecutionResult);
  } catch (error) {
    if (!Array.isArray(error)) throw error;
    results.push({ errors: error as FormattedExecutionResult["errors"] & object });
  }
  return results;
}

const firstCode = (results: FormattedExecutionResult[]) => results[0]?.errors?.[0]?.extensions?.code;
const dataOf = (results: FormattedExecutionResult[]) => results.map((result) => ({ data: result.data, errors: result.errors }));
const modelCount = [{ data: { models: { totalCount: 0 } }, errors: undefined }];

async function stackWithManifest(mode: "only" | "off"): Promise<TestStack> {
  const dataDirectory = await temporaryDirectory(`ws-persisted-${mode}`);
  await writeFile(join(dataDirectory, "persisted-documents.json"), JSON.stringify(manifest));
  return startTestStack({ DATA_DIR: dataDirectory, PERSISTED_DOCUMENTS_MODE: mode });
}

function socketClient(stack: TestStack): Client {
  return createClient({ url: stack.gateway.graphqlUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${stack.memberKey.key}` }, retryAttempts: 0 });
}

describe("graphql-ws on a gateway in only mode", () => {
  let stack: TestStack;
  let client: Client;
  before(async () => {
    stack = await stackWithManifest("only");
    client = socketClient(stack);
  });
  after(async () => {
    await client?.dispose();
    await stack?.stop();
  });

  it("refuses a subscription or a query that is not in the manifest, with the HTTP codes", async () => {
    assert.equal(firstCode(await collect(client, { query: untrustedSubscription })), ErrorCode.PersistedDocumentRequired);
    assert.equal(firstCode(await collect(client, { query: untrustedQuery })), ErrorCode.PersistedDocumentRequired);
    assert.equal(firstCode(await collect(client, { query: "", documentId: documentIdOf(untrustedQuery) })), ErrorCode.PersistedDocumentNotFound);
  });

  it("runs the manifest's operations by documentId, by APQ hash and in full", async () => {
    assert.deepEqual(dataOf(await collect(client, { query: "", documentId: `sha256:${documentIdOf(trustedQuery)}` })), modelCount);
    assert.deepEqual(dataOf(await collect(client, { query: trustedQuery })), modelCount);
    // The subscription got past the manifest and was started: its model does not exist.
    const stream = await collect(client, { query: "", extensions: { persistedQuery: { version: 1, sha256Hash: documentIdOf(trustedSubscription) } } });
    assert.equal(firstCode(stream), ErrorCode.ModelNotFound);
  });

  it("the client package sends a persisted subscription by id over graphql-ws and SSE; its own print of the text is refused", async () => {
    const persisted = Object.assign(parse(trustedSubscription), { __meta__: { hash: `sha256:${documentIdOf(trustedSubscription)}` } }) as TypedDocumentNode<unknown, Record<string, never>>;
    const drain = async (transport: "ws" | "sse", useDocumentIds: boolean) => {
      const graph = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.memberKey.key, webSocketImpl: WebSocket, useDocumentIds });
      try {
        for await (const _event of graph.subscribe(persisted, {}, { transport })) assert.fail("the model does not exist: no event");
        assert.fail("the subscription ended without an error");
      } catch (error) {
        assert.ok(isGraphClientError(error), String(error));
        return error.code;
      } finally {
        await graph.close();
      }
    };
    for (const transport of ["ws", "sse"] as const) {
      // Past the manifest and started: the model does not exist.
      assert.equal(await drain(transport, true), ErrorCode.ModelNotFound, transport);
      assert.equal(await drain(transport, false), ErrorCode.PersistedDocumentRequired, transport);
    }
  });
});

describe("graphql-ws on a gateway in off mode", () => {
  let stack: TestStack;
  let client: Client;
  before(async () => {
    stack = await stackWithManifest("off");
    client = socketClient(stack);
  });
  after(async () => {
    await client?.dispose();
    await stack?.stop();
  });

  it("runs full documents and refuses ids, as over HTTP", async () => {
    assert.deepEqual(dataOf(await collect(client, { query: untrustedQuery })), modelCount);
    assert.equal(firstCode(await collect(client, { query: "", documentId: documentIdOf(trustedQuery) })), ErrorCode.PersistedDocumentNotFound);
    assert.equal(firstCode(await collect(client, { query: "", extensions: { persistedQuery: { version: 1, sha256Hash: documentIdOf(trustedQuery) } } })), ErrorCode.PersistedDocumentNotFound);
  });
});
