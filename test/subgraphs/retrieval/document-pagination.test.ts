/**
 * `Collection.documents(filters, first, after)`: cursor pages over the collection's documents
 * (ordered by source), run through the retrieval subgraph's schema and resolvers on a real catalog;
 * and `IngestionError.code`, the schema's ErrorCode enum.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap.js";
import { graphql as execute, type ExecutionResult } from "graphql";
import type { RequestContext } from "../../../platform/context/request-context.ts";
import { loadSubgraphTypeDefs } from "../../../platform/schema-file.ts";
import { documentPage, documentPageRequest } from "../../../subgraphs/retrieval/catalog/document-page.ts";
import { EmbeddedRetrievalCatalog } from "../../../subgraphs/retrieval/catalog/embedded-retrieval-catalog.ts";
import type { DocumentRecord } from "../../../subgraphs/retrieval/catalog/retrieval-catalog.ts";
import type { RetrievalContext } from "../../../subgraphs/retrieval/context.ts";
import { ingestionErrorCode, resolvers } from "../../../subgraphs/retrieval/resolvers.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";

const caller: RequestContext = { requestId: "r", tenantId: "tenant-a", apiKeyId: "k", roles: ["member"] };
const schema = buildSubgraphSchema({ typeDefs: loadSubgraphTypeDefs("retrieval"), resolvers: resolvers as GraphQLResolverMap<unknown> });

interface Page {
  totalCount: number;
  nodes: { source: string }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

describe("Collection.documents pagination", () => {
  let catalog: EmbeddedRetrievalCatalog;
  let context: RetrievalContext;

  async function addDocument(source: string, metadata: Record<string, string> = {}): Promise<DocumentRecord> {
    const generation = `g-${source}`;
    const now = new Date().toISOString();
    const record = await catalog.beginIngestion({ tenantId: caller.tenantId, collectionId: "c1", newDocumentId: `doc-${source}`, source, title: null, mediaType: "text/plain", metadata, generation, now });
    await catalog.completeIngestion(caller.tenantId, record.id, generation, { chunkCount: 1, tokenCount: 1, characterCount: 1, contentHash: "h", now });
    return record;
  }

  async function page(variables: Record<string, unknown>): Promise<ExecutionResult<{ collection: { documents: Page | null; documentCount: number } | null }>> {
    const source = `query($first: Int, $after: String, $filters: [MetadataFilterInput!]) {
      collection(id: "c1") { documentCount documents(first: $first, after: $after, filters: $filters) { totalCount nodes { source } pageInfo { hasNextPage endCursor } } }
    }`;
    return (await execute({ schema, source, variableValues: variables, contextValue: context })) as ExecutionResult<{ collection: { documents: Page | null; documentCount: number } | null }>;
  }

  before(async () => {
    catalog = new EmbeddedRetrievalCatalog(await temporaryDirectory("document-pagination"));
    await catalog.createCollection({ id: "c1", tenantId: caller.tenantId, name: "docs", description: null, embeddingModelId: "m", dimensions: 4, chunkMaxTokens: 64, chunkOverlapTokens: 0, createdAt: new Date().toISOString() });
    for (let index = 0; index < 45; index += 1) await addDocument(`doc-${String(index).padStart(2, "0")}.md`, { lang: index % 3 === 0 ? "de" : "en" });
    // TEST DOUBLE: the slice of RetrievalService these resolvers use, over the real catalog.
    const retrieval = {
      catalog,
      collections: { find: (tenantId: string, id: string) => catalog.getCollection(tenantId, id) },
      ingestion: { listDocuments: (tenantId: string, collectionId: string, filters?: never) => catalog.listDocuments(tenantId, collectionId, filters) },
    };
    context = { request: caller, signal: new AbortController().signal, retrieval, loaders: {} } as unknown as RetrievalContext;
  });

  it("returns 20 documents by default, ordered by source, with the total and a cursor", async () => {
    const result = await page({});
    assert.equal(result.errors, undefined);
    const documents = result.data?.collection?.documents;
    assert.equal(documents?.totalCount, 45);
    assert.equal(result.data?.collection?.documentCount, 45);
    assert.deepEqual(documents?.nodes.map((node) => node.source), Array.from({ length: 20 }, (_, index) => `doc-${String(index).padStart(2, "0")}.md`));
    assert.equal(documents?.pageInfo.hasNextPage, true);
    assert.equal(typeof documents?.pageInfo.endCursor, "string");
  });

  it("walks every document exactly once with first/after, also when documents are added between pages", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages += 1) {
      const result = await page({ first: 16, after });
      const documents = result.data?.collection?.documents;
      assert.ok(documents, JSON.stringify(result.errors));
      seen.push(...documents.nodes.map((node) => node.source));
      if (pages === 0) await addDocument("doc-00a.md"); // sorts before the cursor: not seen, counted
      if (!documents.pageInfo.hasNextPage) break;
      after = documents.pageInfo.endCursor;
    }
    assert.equal(seen.length, 45);
    assert.equal(new Set(seen).size, 45);
    assert.deepEqual(seen, [...seen].sort());
    assert.equal((await page({ first: 1 })).data?.collection?.documents?.totalCount, 46);
  });

  it("pages the documents matching the filters, totalCount counting only those", async () => {
    const result = await page({ first: 5, filters: [{ key: "lang", values: ["de"] }] });
    assert.equal(result.data?.collection?.documents?.totalCount, 15);
    assert.deepEqual(result.data?.collection?.documents?.nodes.map((node) => node.source), ["doc-00.md", "doc-03.md", "doc-06.md", "doc-09.md", "doc-12.md"]);
  });

  it("refuses first outside 1..100 and a cursor it did not issue, with BAD_USER_INPUT naming the argument", async () => {
    for (const [variables, field] of [
      [{ first: 0 }, "first"],
      [{ first: 101 }, "first"],
      [{ first: -5 }, "first"],
      [{ after: "not a cursor!" }, "after"],
      [{ after: Buffer.from("v2:x").toString("base64url") }, "after"],
    ] as const) {
      const result = await page(variables);
      assert.equal(result.data?.collection?.documents, null, "documents is null, the collection still answers");
      assert.equal(result.data?.collection?.documentCount, 46);
      assert.equal(result.errors?.[0]?.extensions?.code, "BAD_USER_INPUT", JSON.stringify(variables));
      assert.equal(result.errors?.[0]?.extensions?.field, field);
      assert.deepEqual(result.errors?.[0]?.path, ["collection", "documents"]);
    }
    assert.equal((await page({ first: 100 })).data?.collection?.documents?.nodes.length, 46);
  });

  it("an empty page past the end has no cursor and no next page", () => {
    const request = documentPageRequest(10, undefined);
    assert.deepEqual(documentPage([], request), { nodes: [], hasNextPage: false, endCursor: null, totalCount: 0 });
  });
});

describe("IngestionError.code", () => {
  it("is the schema's ErrorCode; a code no longer known reads INTERNAL_SERVER_ERROR", () => {
    assert.equal(ingestionErrorCode("EMBEDDING_DIMENSION_MISMATCH"), "EMBEDDING_DIMENSION_MISMATCH");
    assert.equal(ingestionErrorCode("INGESTION_TIMED_OUT"), "INGESTION_TIMED_OUT");
    assert.equal(ingestionErrorCode("SOME_RETIRED_CODE"), "INTERNAL_SERVER_ERROR");
  });
});
