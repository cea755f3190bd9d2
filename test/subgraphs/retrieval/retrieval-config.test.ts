import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigurationError } from "../../../platform/config/parse-environment.ts";
import { loadInferenceConfig } from "../../../subgraphs/inference/config.ts";
import { loadRetrievalConfig } from "../../../subgraphs/retrieval/config.ts";

function variablesAtFault(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigurationError);
    return error.problems.map((problem) => problem.variable);
  }
  assert.fail("expected a ConfigurationError");
}

describe("retrieval configuration", () => {
  it("defaults to LanceDB under the data directory and finds inference beside it", () => {
    const config = loadRetrievalConfig({ DATA_DIR: "/data" });
    assert.deepEqual(config.vectorStore, { kind: "lancedb", directory: "/data/lancedb", indexMinRows: 10_000 });
    assert.equal(config.inferenceUrl, "http://127.0.0.1:4002/graphql");
    assert.equal(loadRetrievalConfig({ INFERENCE_PORT: "5002" }).inferenceUrl, "http://127.0.0.1:5002/graphql");
    assert.equal(loadRetrievalConfig({ INFERENCE_URL: "http://inference:4002/graphql" }).inferenceUrl, "http://inference:4002/graphql");
    assert.equal(loadInferenceConfig({ RETRIEVAL_PORT: "5003" }).retrievalUrl, "http://127.0.0.1:5003/graphql");
  });

  it("reads Milvus settings and requires an address for it", () => {
    const config = loadRetrievalConfig({ VECTOR_STORE: "milvus", MILVUS_ADDRESS: "milvus:19530", MILVUS_DATABASE: "aigraph" });
    assert.deepEqual(config.vectorStore, { kind: "milvus", address: "milvus:19530", token: undefined, database: "aigraph", collectionPrefix: "aig_" });
    assert.deepEqual(variablesAtFault(() => loadRetrievalConfig({ VECTOR_STORE: "milvus" })), ["MILVUS_ADDRESS"]);
    assert.deepEqual(variablesAtFault(() => loadRetrievalConfig({ VECTOR_STORE: "qdrant" })), ["VECTOR_STORE"]);
  });

  it("gives ingestions an hour by default and refuses deadlines below a second", () => {
    assert.equal(loadRetrievalConfig({}).ingestionTimeoutMillis, 3_600_000);
    assert.equal(loadRetrievalConfig({ INGESTION_TIMEOUT_MILLIS: "60000" }).ingestionTimeoutMillis, 60_000);
    assert.deepEqual(variablesAtFault(() => loadRetrievalConfig({ INGESTION_TIMEOUT_MILLIS: "10" })), ["INGESTION_TIMEOUT_MILLIS"]);
  });

  it("keeps documents below the request body limit that carries them", () => {
    assert.deepEqual(variablesAtFault(() => loadRetrievalConfig({ MAX_DOCUMENT_BYTES: "2000000", MAX_REQUEST_BODY_BYTES: "1048576" })), ["MAX_DOCUMENT_BYTES"]);
    assert.equal(loadRetrievalConfig({ MAX_DOCUMENT_BYTES: "1000000", MAX_REQUEST_BODY_BYTES: "1048576" }).maximumDocumentBytes, 1_000_000);
  });
});
