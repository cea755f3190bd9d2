import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EngineError } from "../../../engines/engine-error.ts";
import { engineFor } from "./engine-under-test.ts";
import { ReplayOpenAIServer } from "./replay-openai-server.ts";
import { bodyOf, jsonReply, model } from "./wire-format.ts";

const path = "/v1/rerank";

describe("OpenAICompatibleEngine.rank (POST /v1/rerank, Jina / Cohere shape)", () => {
  let server: ReplayOpenAIServer;
  before(async () => {
    server = await ReplayOpenAIServer.start();
  });
  after(async () => {
    await server.close();
  });

  it("sends the query and documents and returns the scores in the documents' order", async () => {
    // vLLM answers sorted by relevance, with probabilities.
    server.reply(path, jsonReply(200, { id: "rerank-1", results: [{ index: 1, relevance_score: 0.9 }, { index: 2, relevance_score: 0.4 }, { index: 0, relevance_score: 0.01 }] }));
    const before = server.requestsTo(path).length;
    const scores = await engineFor(server).rank("capital of France", ["bread", "Paris is the capital", "France"]);
    assert.deepEqual(scores, [0.01, 0.9, 0.4]);
    const sent = server.requestsTo(path).slice(before);
    assert.equal(sent.length, 1);
    assert.deepEqual(bodyOf(sent[0]), { model, query: "capital of France", documents: ["bread", "Paris is the capital", "France"], top_n: 3 });
  });

  it("reads a reply with scores outside [0, 1] as logits (llama.cpp server) and returns probabilities", async () => {
    server.reply(path, jsonReply(200, { results: [{ index: 0, relevance_score: 2 }, { index: 1, relevance_score: -3 }] }));
    const scores = await engineFor(server).rank("q", ["a", "b"]);
    assert.deepEqual(scores.map((score) => Number(score.toFixed(4))), [0.8808, 0.0474]);
  });

  it("refuses a reply that misses, repeats or invents a document", async () => {
    for (const results of [[{ index: 0, relevance_score: 0.5 }], [{ index: 0, relevance_score: 0.5 }, { index: 0, relevance_score: 0.4 }], [{ index: 0, relevance_score: 0.5 }, { index: 5, relevance_score: 0.4 }]]) {
      server.reply(path, jsonReply(200, { results }));
      await assert.rejects(engineFor(server, { maxRetries: 0 }).rank("q", ["a", "b"]), (error: unknown) => error instanceof EngineError && error.code === "invalid-response");
    }
  });

  it("a server without the endpoint (404) is invalid-request, not retried", async () => {
    server.reply(path, jsonReply(404, { error: { message: "Not Found" } }));
    const before = server.requestsTo(path).length;
    await assert.rejects(engineFor(server).rank("q", ["a"]), (error: unknown) => error instanceof EngineError && error.code === "invalid-request");
    assert.equal(server.requestsTo(path).length - before, 1);
  });
});
