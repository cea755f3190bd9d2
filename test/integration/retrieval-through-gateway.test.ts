import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { print, type ExecutionResult } from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { createGraphClient, GraphClientError, type GraphClient } from "../../packages/client/src/index.ts";
import { graphql } from "../../client/generated/index.ts";
import type { GroundedStreamSubscription } from "../../client/generated/graphql.ts";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import { present } from "../harness/present.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

const RegisterModel = graphql(`
  mutation RegisterRetrievalModel($input: RegisterModelInput!) {
    registerModel(input: $input) { id }
  }
`);

const CreateCollection = graphql(`
  mutation CreateCollection($input: CreateCollectionInput!) {
    createCollection(input: $input) { id name dimensions chunkMaxTokens chunkOverlapTokens embeddingModel { id displayName } }
  }
`);

const IngestDocument = graphql(`
  mutation IngestDocument($input: IngestDocumentInput!) {
    ingestDocument(input: $input) {
      id source title mediaType status chunkCount tokenCount characterCount contentHash
      metadata { key value }
      ingestion { chunksEmbedded chunksTotal error { code message } }
      collection { id name }
    }
  }
`);

const DocumentById = graphql(`
  query DocumentById($id: ID!) {
    document(id: $id) { id status chunkCount ingestion { chunksEmbedded chunksTotal error { code } } }
  }
`);

const CollectionDocuments = graphql(`
  query CollectionDocuments($id: ID!, $filters: [MetadataFilterInput!]) {
    collection(id: $id) { id documentCount metadataKeys documents(filters: $filters) { totalCount nodes { id source status } pageInfo { hasNextPage endCursor } } }
  }
`);

const Search = graphql(`
  query Search($input: SearchInput!) {
    search(input: $input) {
      mode
      hits { score vectorRank keywordRank chunk { id index text headingPath tokenCount document { id source title metadata { key value } } } }
    }
  }
`);

const DeleteDocument = graphql(`
  mutation DeleteDocument($id: ID!) { deleteDocument(id: $id) }
`);

const DeleteCollection = graphql(`
  mutation DeleteCollection($id: ID!) { deleteCollection(id: $id) }
`);

const GroundedCompletion = graphql(`
  mutation GroundedCompletion($input: CompletionInput!) {
    createCompletion(input: $input) {
      id text usage { promptTokens }
      citations { id text document { source } }
    }
  }
`);

const GroundedStream = graphql(`
  subscription GroundedStream($input: CompletionInput!) {
    completionStream(input: $input) {
      __typename
      ... on TextEndEvent { completion { id citations { id text document { source } } } }
    }
  }
`);

const guide = `# Installation guide

The zebrafish installer copies files into place. It needs no network access.

## Configuration

Set the aquamarine option to choose a colour theme. Every option has a default.

## Troubleshooting

If the installer stops, read the log in the temporary directory and try again.`;

async function codeOf(promise: Promise<unknown>): Promise<{ code: string | undefined; field: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GraphClientError) return { code: error.code, field: error.errors[0]?.extensions?.field };
    throw error;
  }
  assert.fail("expected the operation to fail");
}

describe("retrieval through the gateway", () => {
  let stack: TestStack;
  let admin: GraphClient;
  let member: GraphClient;
  let otherTenant: GraphClient;
  let collectionId: string;

  before(async () => {
    const modelsDirectory = await temporaryDirectory("retrieval-models");
    await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });
    await generateModel({ ...modelPresets.tiny, pooling: "mean", outputPath: join(modelsDirectory, "embed.gguf") });
    stack = await startTestStack({
      DATA_DIR: await temporaryDirectory("retrieval-stack"),
      MODELS_DIR: modelsDirectory,
      BATCH_WINDOW_MILLIS: "2",
      MAX_DOCUMENT_BYTES: "200000",
    });
    admin = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.adminKey.key });
    member = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.memberKey.key });
    otherTenant = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.otherTenantKey.key });
    const pricing = { inputPerMillionTokens: 0, outputPerMillionTokens: 0 };
    const engine = { kind: "LLAMA_CPP" as const, modelPath: "embed.gguf" };
    await admin.request(RegisterModel, { input: { id: "grounding-chat", displayName: "Chat", family: "llama", capabilities: ["CHAT", "COMPLETION"], contextLength: 2048, engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" }, pricing } });
    await admin.request(RegisterModel, { input: { id: "retrieval-embed", displayName: "Embeddings", family: "llama", capabilities: ["EMBEDDING"], embeddingDimensions: 256, contextLength: 512, engine, pricing } });
    // Registered with the wrong vector length: ingestion must notice what the engine really returns.
    await admin.request(RegisterModel, { input: { id: "misdescribed-embed", displayName: "Wrong dimensions", family: "llama", capabilities: ["EMBEDDING"], embeddingDimensions: 128, contextLength: 512, engine, pricing } });
    const createCollection = present((await member.request(CreateCollection, { input: { name: "handbook", embeddingModel: "retrieval-embed", chunkMaxTokens: 48, chunkOverlapTokens: 8 } })).createCollection, "createCollection");
    collectionId = createCollection.id;
  });
  after(() => stack?.stop());

  it("creates a collection bound to its embedding model, and refuses bad collections", async () => {
    const createCollection = present((await member.request(CreateCollection, { input: { name: "notes", embeddingModel: "retrieval-embed" } })).createCollection, "createCollection");
    assert.equal(createCollection.dimensions, 256);
    assert.equal(createCollection.chunkMaxTokens, 256);
    assert.deepEqual(createCollection.embeddingModel, { id: "retrieval-embed", displayName: "Embeddings" });
    assert.deepEqual(await codeOf(member.request(CreateCollection, { input: { name: "notes", embeddingModel: "retrieval-embed" } })), { code: "COLLECTION_ALREADY_EXISTS", field: "input.name" });
    assert.deepEqual(await codeOf(member.request(CreateCollection, { input: { name: "x", embeddingModel: "grounding-chat" } })), { code: "CAPABILITY_NOT_SUPPORTED", field: "input.embeddingModel" });
    assert.deepEqual(await codeOf(member.request(CreateCollection, { input: { name: "x", embeddingModel: "nope" } })), { code: "MODEL_NOT_FOUND", field: "input.embeddingModel" });
    assert.deepEqual(await codeOf(member.request(CreateCollection, { input: { name: "x", embeddingModel: "retrieval-embed", chunkMaxTokens: 4 } })), { code: "BAD_USER_INPUT", field: "input.chunkMaxTokens" });
    assert.deepEqual(await codeOf(member.request(CreateCollection, { input: { name: "bad name!", embeddingModel: "retrieval-embed" } })), { code: "BAD_USER_INPUT", field: "input.name" });
    // Another tenant may use the same name: names are unique per tenant.
    await otherTenant.request(CreateCollection, { input: { name: "notes", embeddingModel: "retrieval-embed" } });
    assert.equal(await member.request(DeleteCollection, { id: createCollection.id }).then((data) => data.deleteCollection), true);
  });

  it("ingests a Markdown document into chunks with heading paths, and finds it by vector, keyword and both", async () => {
    const ingestDocument = present((await member.request(IngestDocument, {
      input: { collectionId, source: "docs/install.md", title: "Install", content: guide, metadata: [{ key: "product", value: "zebrafish" }, { key: "lang", value: "en" }] },
    })).ingestDocument, "ingestDocument");
    assert.equal(ingestDocument.status, "READY");
    assert.equal(ingestDocument.mediaType, "TEXT_MARKDOWN");
    assert.ok(ingestDocument.chunkCount >= 3, `one chunk per section at least, got ${ingestDocument.chunkCount}`);
    assert.equal(ingestDocument.characterCount, guide.length);
    assert.match(ingestDocument.contentHash ?? "", /^[0-9a-f]{64}$/);
    assert.equal(ingestDocument.ingestion, null);
    assert.deepEqual(ingestDocument.collection, { id: collectionId, name: "handbook" });

    const keyword = await member.request(Search, { input: { collectionId, query: "aquamarine", mode: "KEYWORD", topK: 3 } });
    const top = keyword.search?.hits[0];
    assert.ok(top, "a keyword hit");
    assert.match(top.chunk.text, /aquamarine/);
    assert.deepEqual(top.chunk.headingPath, ["Installation guide", "Configuration"]);
    assert.equal(top.keywordRank, 1);
    assert.equal(top.chunk.document.source, "docs/install.md");

    // The generated model's vectors carry no meaning, but a text embeds to itself: the chunk's own
    // text must come back first with cosine similarity 1.
    const vector = await member.request(Search, { input: { collectionId, query: top.chunk.text, mode: "VECTOR", topK: 2 } });
    assert.equal(vector.search?.hits[0]?.chunk.id, top.chunk.id);
    assert.ok(Math.abs((vector.search?.hits[0]?.score ?? 0) - 1) < 1e-3, `score ${vector.search?.hits[0]?.score}`);

    const hybrid = await member.request(Search, { input: { collectionId, query: top.chunk.text } });
    assert.equal(hybrid.search?.mode, "HYBRID");
    assert.equal(hybrid.search?.hits[0]?.chunk.id, top.chunk.id, "first in both lists, first fused");
    assert.equal(hybrid.search?.hits[0]?.vectorRank, 1);

    const filtered = await member.request(Search, { input: { collectionId, query: "installer", mode: "KEYWORD", filters: [{ key: "product", values: ["otter"] }] } });
    assert.deepEqual(filtered.search?.hits, []);
    const matching = await member.request(Search, { input: { collectionId, query: "installer", mode: "KEYWORD", filters: [{ key: "product", values: ["otter", "zebrafish"] }] } });
    assert.ok((matching.search?.hits.length ?? 0) > 0);
    const high = await member.request(Search, { input: { collectionId, query: top.chunk.text, mode: "VECTOR", minScore: 0.999 } });
    assert.deepEqual(high.search?.hits.map((hit) => hit.chunk.id), [top.chunk.id]);
  });

  it("refuses bad searches with the field at fault", async () => {
    assert.deepEqual(await codeOf(member.request(Search, { input: { collectionId, query: "x", filters: [{ key: "colour", values: ["red"] }] } })), { code: "BAD_USER_INPUT", field: "input.filters[0].key" });
    assert.deepEqual(await codeOf(member.request(Search, { input: { collectionId, query: "x", topK: 0 } })), { code: "BAD_USER_INPUT", field: "input.topK" });
    assert.deepEqual(await codeOf(member.request(Search, { input: { collectionId, query: "x", topK: 101 } })), { code: "BAD_USER_INPUT", field: "input.topK" });
    assert.deepEqual(await codeOf(member.request(Search, { input: { collectionId, query: "  " } })), { code: "BAD_USER_INPUT", field: "input.query" });
    assert.deepEqual(await codeOf(member.request(Search, { input: { collectionId: "col_missing", query: "x" } })), { code: "COLLECTION_NOT_FOUND", field: "input.collectionId" });
  });

  it("hides a tenant's collections, documents and chunks from every other tenant", async () => {
    const ingestDocument = present((await member.request(IngestDocument, { input: { collectionId, source: "private.txt", content: "The vault code is kingfisher.", mediaType: "TEXT_PLAIN" } })).ingestDocument, "ingestDocument");
    assert.equal((await otherTenant.request(CollectionDocuments, { id: collectionId })).collection, null);
    assert.equal((await otherTenant.request(DocumentById, { id: ingestDocument.id })).document, null);
    assert.deepEqual(await codeOf(otherTenant.request(Search, { input: { collectionId, query: "kingfisher" } })), { code: "COLLECTION_NOT_FOUND", field: "input.collectionId" });
    assert.deepEqual(await codeOf(otherTenant.request(IngestDocument, { input: { collectionId, source: "x", content: "intruder" } })), { code: "COLLECTION_NOT_FOUND", field: "input.collectionId" });
    assert.equal((await otherTenant.request(DeleteDocument, { id: ingestDocument.id })).deleteDocument, false);
    assert.equal((await otherTenant.request(DeleteCollection, { id: collectionId })).deleteCollection, false);
    assert.deepEqual(await codeOf(otherTenant.request(GroundedCompletion, { input: { model: "grounding-chat", prompt: "code?", maxTokens: 2, grounding: { collectionId } } })), {
      code: "COLLECTION_NOT_FOUND",
      field: "input.grounding.collectionId",
    });
    assert.equal((await member.request(DeleteDocument, { id: ingestDocument.id })).deleteDocument, true);
    const after = await member.request(Search, { input: { collectionId, query: "kingfisher", mode: "KEYWORD" } });
    assert.deepEqual(after.search?.hits, [], "a deleted document's chunks are gone");
  });

  it("refuses empty, binary and oversized documents and leaves nothing behind", async () => {
    const before = await member.request(CollectionDocuments, { id: collectionId });
    assert.deepEqual(await codeOf(member.request(IngestDocument, { input: { collectionId, source: "empty.md", content: " \n\n " } })), { code: "BAD_USER_INPUT", field: "input.content" });
    assert.deepEqual(await codeOf(member.request(IngestDocument, { input: { collectionId, source: "image.png", content: "\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR" } })), { code: "BAD_USER_INPUT", field: "input.content" });
    assert.deepEqual(await codeOf(member.request(IngestDocument, { input: { collectionId, source: "big.txt", content: "word ".repeat(50_000) } })), { code: "DOCUMENT_TOO_LARGE", field: "input.content" });
    assert.deepEqual(await codeOf(member.request(IngestDocument, { input: { collectionId, source: "bad-meta.txt", content: "text", metadata: [{ key: "a b", value: "c" }] } })), { code: "BAD_USER_INPUT", field: "input.metadata[0].key" });
    const createCollection = present((await member.request(CreateCollection, { input: { name: "mismatched", embeddingModel: "misdescribed-embed" } })).createCollection, "createCollection");
    const mismatch = await codeOf(member.request(IngestDocument, { input: { collectionId: createCollection.id, source: "doc.md", content: guide } }));
    assert.equal(mismatch.code, "EMBEDDING_DIMENSION_MISMATCH");
    assert.deepEqual((await member.request(CollectionDocuments, { id: createCollection.id })).collection?.documents?.nodes, [], "a failed first ingestion leaves no document");
    assert.deepEqual((await member.request(CollectionDocuments, { id: collectionId })).collection?.documents, before.collection?.documents);
  });

  it("replaces a re-ingested source atomically: searches see one version or the other, never both", async () => {
    const versionOne = Array.from({ length: 30 }, (_, index) => `Paragraph ${index} of version one mentions the heron.`).join("\n\n");
    const versionTwo = Array.from({ length: 30 }, (_, index) => `Paragraph ${index} of version two mentions the heron.`).join("\n\n");
    const first = present((await member.request(IngestDocument, { input: { collectionId, source: "birds.txt", content: versionOne, mediaType: "TEXT_PLAIN", metadata: [{ key: "topic", value: "birds" }] } })).ingestDocument, "ingestDocument");
    const oldChunkIds = new Set(present((await member.request(Search, { input: { collectionId, query: "heron", mode: "KEYWORD", topK: 100, filters: [{ key: "topic", values: ["birds"] }] } })).search, "search").hits.map((hit) => hit.chunk.id));
    assert.equal(oldChunkIds.size, first.chunkCount);

    const replacing = member.request(IngestDocument, { input: { collectionId, source: "birds.txt", content: versionTwo, mediaType: "TEXT_PLAIN", metadata: [{ key: "topic", value: "birds" }] } });
    let done = false;
    void replacing.finally(() => (done = true));
    let searches = 0;
    while (!done) {
      const search = present((await member.request(Search, { input: { collectionId, query: "heron", mode: "KEYWORD", topK: 100, filters: [{ key: "topic", values: ["birds"] }] } })).search, "search");
      const versions = new Set(search.hits.map((hit) => (/version one/.test(hit.chunk.text) ? 1 : 2)));
      assert.ok(versions.size === 1, `a search saw both versions: ${[...versions].join(", ")}`);
      assert.equal(search.hits.length, versions.has(1) ? first.chunkCount : search.hits.length);
      searches += 1;
    }
    const second = present((await replacing).ingestDocument, "ingestDocument");
    assert.ok(searches > 0);
    assert.equal(second.id, first.id, "the same document, replaced");
    const search = present((await member.request(Search, { input: { collectionId, query: "heron", mode: "KEYWORD", topK: 100, filters: [{ key: "topic", values: ["birds"] }] } })).search, "search");
    assert.ok(search.hits.every((hit) => /version two/.test(hit.chunk.text) && !oldChunkIds.has(hit.chunk.id)));
    assert.equal(search.hits.length, second.chunkCount);
  });

  it("reports progress of an ingestion that runs in the background", async () => {
    const content = Array.from({ length: 200 }, (_, index) => `Section ${index}: the kestrel hovers over field ${index} before it dives.`).join("\n\n");
    const ingestDocument = present((await member.request(IngestDocument, { input: { collectionId, source: "kestrel.txt", content, mediaType: "TEXT_PLAIN", waitForCompletion: false } })).ingestDocument, "ingestDocument");
    assert.equal(ingestDocument.status, "INGESTING");
    assert.ok(ingestDocument.ingestion !== null);
    let status: string = ingestDocument.status;
    const deadline = Date.now() + 60_000;
    while (status === "INGESTING" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await member.request(DocumentById, { id: ingestDocument.id })).document?.status ?? "FAILED";
    }
    assert.equal(status, "READY");
    const { document } = await member.request(DocumentById, { id: ingestDocument.id });
    assert.ok((document?.chunkCount ?? 0) > 10);
  });

  it("grounds a completion in the collection and cites the chunks, streamed or not", async () => {
    const createCompletion = present((await member.request(GroundedCompletion, {
      input: { model: "grounding-chat", messages: [{ role: "USER", content: "Which option sets the colour theme?" }], maxTokens: 4, seed: 1, grounding: { collectionId, query: "aquamarine colour theme", topK: 3, mode: "KEYWORD" } },
    })).createCompletion, "createCompletion");
    assert.ok(createCompletion.citations.length >= 1 && createCompletion.citations.length <= 3);
    assert.match(createCompletion.citations[0]?.text ?? "", /aquamarine/);
    assert.equal(createCompletion.citations[0]?.document.source, "docs/install.md");
    const ungrounded = present((await member.request(GroundedCompletion, { input: { model: "grounding-chat", messages: [{ role: "USER", content: "Which option sets the colour theme?" }], maxTokens: 4, seed: 1 } })).createCompletion, "createCompletion");
    assert.deepEqual(ungrounded.citations, []);
    assert.ok(createCompletion.usage.promptTokens > ungrounded.usage.promptTokens + 10, "the sources are in the prompt");

    const client = createClient({ url: stack.gateway.graphqlUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${stack.memberKey.key}` }, retryAttempts: 0 });
    try {
      let citations: ({ id: string; text: string } | null)[] = [];
      const input = { model: "grounding-chat", prompt: "Colour theme:", maxTokens: 3, grounding: { collectionId, query: "aquamarine", topK: 2, mode: "KEYWORD" } };
      for await (const result of client.iterate({ query: print(GroundedStream), variables: { input } }) as AsyncIterable<ExecutionResult<GroundedStreamSubscription>>) {
        assert.equal(result.errors, undefined);
        const event = result.data?.completionStream;
        if (event?.__typename === "TextEndEvent") citations = event.completion.citations;
      }
      assert.ok(citations.length >= 1);
      assert.match(citations[0]?.text ?? "", /aquamarine/);
    } finally {
      await client.dispose();
    }
    // A grounding query for a collection that does not exist fails before any generation.
    assert.deepEqual(await codeOf(member.request(GroundedCompletion, { input: { model: "grounding-chat", prompt: "x", maxTokens: 2, grounding: { collectionId: "col_missing" } } })), {
      code: "COLLECTION_NOT_FOUND",
      field: "input.grounding.collectionId",
    });
    assert.deepEqual(await codeOf(member.request(GroundedCompletion, { input: { model: "grounding-chat", prompt: "x", maxTokens: 2, grounding: { collectionId, topK: 50 } } })), {
      code: "BAD_USER_INPUT",
      field: "input.grounding.topK",
    });
  });

  it("deletes a collection with everything in it", async () => {
    const createCollection = present((await member.request(CreateCollection, { input: { name: "short-lived", embeddingModel: "retrieval-embed" } })).createCollection, "createCollection");
    await member.request(IngestDocument, { input: { collectionId: createCollection.id, source: "a.txt", content: "The osprey fishes." } });
    assert.equal((await member.request(DeleteCollection, { id: createCollection.id })).deleteCollection, true);
    assert.equal((await member.request(CollectionDocuments, { id: createCollection.id })).collection, null);
    assert.deepEqual(await codeOf(member.request(Search, { input: { collectionId: createCollection.id, query: "osprey" } })), { code: "COLLECTION_NOT_FOUND", field: "input.collectionId" });
    assert.equal((await member.request(DeleteCollection, { id: createCollection.id })).deleteCollection, false);
  });
});
