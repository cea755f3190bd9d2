/**
 * Answer or abstain, through the gateway with real models (all-MiniLM-L6-v2 for the labelled set's
 * collection, SmolLM2-135M-Instruct for answers): off-topic questions abstain on the collection's
 * default threshold, answerable ones are grounded, the request's threshold and fallback are honoured.
 * Also the bounded, paged search results as a client sees them.
 */
import assert from "node:assert/strict";
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createGraphClient, GraphClientError, type GraphClient } from "../../packages/client/src/index.ts";
import { graphql } from "../../client/generated/index.ts";
import { present } from "../harness/present.ts";
import { provisionRealModelsOrSkip, realEmbeddingModelPath } from "../harness/real-models.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";
import { labelledDocuments, labelledSetMinSimilarity, offTopicQueries } from "./retrieval-quality-set.ts";

const RegisterGroundingModel = graphql(`
  mutation RegisterGroundingModel($input: RegisterModelInput!) {
    registerModel(input: $input) { id }
  }
`);

const CreateGroundingCollection = graphql(`
  mutation CreateGroundingCollection($input: CreateCollectionInput!) {
    createCollection(input: $input) { id groundingMinSimilarity }
  }
`);

const IngestGroundingDocument = graphql(`
  mutation IngestGroundingDocument($input: IngestDocumentInput!) {
    ingestDocument(input: $input) { id status }
  }
`);

const GroundedOrAbstained = graphql(`
  mutation GroundedOrAbstained($input: CompletionInput!) {
    createCompletion(input: $input) {
      text
      finishReason
      usage { promptTokens completionTokens }
      citations { document { source } }
      grounding { status bestSimilarity minSimilarity fallback }
    }
  }
`);

const AbstainingStream = graphql(`
  subscription AbstainingStream($input: CompletionInput!) {
    completionStream(input: $input) {
      __typename
      ... on TextEndEvent { completion { text finishReason grounding { status fallback } } }
    }
  }
`);

const PagedSearch = graphql(`
  query PagedSearch($input: SearchInput!) {
    search(input: $input) {
      totalCount
      bestSimilarity
      pageInfo { hasNextPage endCursor }
      hits { text textTruncated similarity chunk { id text headingPath } }
    }
  }
`);

const provisioned = await provisionRealModelsOrSkip();

describe("answer or abstain with real models, through the gateway", { skip: provisioned.skip }, () => {
  let stack: TestStack;
  let member: GraphClient;
  let collectionId: string;
  const ask = (question: string, grounding: Record<string, unknown> = {}, maxTokens = 24) =>
    member.request(GroundedOrAbstained, {
      input: { model: "smollm2", messages: [{ role: "USER", content: question }], maxTokens, temperature: 0, grounding: { collectionId, topK: 3, ...grounding } },
    });

  before(async () => {
    const models = provisioned.models;
    if (models === undefined) throw new Error("real models were not provisioned");
    const modelsDirectory = await temporaryDirectory("grounding-models");
    await copyFile(await realEmbeddingModelPath(models), join(modelsDirectory, "all-MiniLM-L6-v2.gguf"));
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("grounding-stack"), MODELS_DIR: modelsDirectory });
    const admin = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.adminKey.key });
    member = createGraphClient({ url: stack.gateway.graphqlUrl, apiKey: stack.memberKey.key });
    const pricing = { inputPerMillionTokens: 0, outputPerMillionTokens: 0 };
    await admin.request(RegisterGroundingModel, {
      input: { id: "smollm2", displayName: "SmolLM2 135M Instruct", family: "llama", capabilities: ["CHAT", "COMPLETION"], contextLength: 2048, engine: { kind: "LLAMA_CPP", modelPath: models.chatModelPath }, pricing },
    });
    await admin.request(RegisterGroundingModel, {
      input: { id: "minilm", displayName: "all-MiniLM-L6-v2", family: "bert", capabilities: ["EMBEDDING"], contextLength: 512, embeddingDimensions: 384, engine: { kind: "LLAMA_CPP", modelPath: "all-MiniLM-L6-v2.gguf" }, pricing },
    });
    const created = present(
      (await member.request(CreateGroundingCollection, { input: { name: "labelled", embeddingModel: "minilm", chunkMaxTokens: 256, chunkOverlapTokens: 0, groundingMinSimilarity: labelledSetMinSimilarity } })).createCollection,
      "createCollection",
    );
    assert.equal(created.groundingMinSimilarity, labelledSetMinSimilarity);
    collectionId = created.id;
    for (const document of labelledDocuments) {
      const ingested = present((await member.request(IngestGroundingDocument, { input: { collectionId, source: document.source, content: document.content } })).ingestDocument, "ingestDocument");
      assert.equal(ingested.status, "READY");
    }
  });
  after(() => stack?.stop());

  it("abstains on off-topic questions with the collection's threshold: nothing generated, no citations, the evidence reported", async () => {
    const abstained: string[] = [];
    for (const question of offTopicQueries) {
      const completion = present((await ask(question)).createCompletion, "createCompletion");
      const grounding = completion.grounding;
      assert.ok(grounding !== null && grounding !== undefined);
      assert.equal(grounding.minSimilarity, labelledSetMinSimilarity);
      assert.ok(typeof grounding.bestSimilarity === "number");
      if (grounding.status === "ABSTAINED") {
        abstained.push(question);
        assert.ok(grounding.bestSimilarity < labelledSetMinSimilarity);
        assert.equal(grounding.fallback, "NO_ANSWER");
        assert.equal(completion.finishReason, "ABSTAINED");
        assert.equal(completion.text, "");
        assert.deepEqual(completion.citations, []);
        assert.deepEqual(completion.usage, { promptTokens: 0, completionTokens: 0 });
      } else {
        assert.ok(grounding.bestSimilarity >= labelledSetMinSimilarity);
      }
    }
    console.log(`abstained on ${abstained.length} of ${offTopicQueries.length} off-topic questions`);
    assert.ok(abstained.length >= offTopicQueries.length - 2, `abstained on ${abstained.length}: ${abstained.join("; ")}`);
  });

  it("grounds an answerable question and cites the right document", async () => {
    const completion = present((await ask("How long is a marathon race?")).createCompletion, "createCompletion");
    assert.equal(completion.grounding?.status, "GROUNDED");
    assert.equal(completion.grounding?.fallback, null);
    assert.ok((completion.grounding?.bestSimilarity ?? 0) >= labelledSetMinSimilarity);
    assert.equal(completion.citations[0]?.document.source, "marathon.md");
    assert.notEqual(completion.finishReason, "ABSTAINED");
  });

  it("answers ungrounded when the request chooses it: the model speaks, without sources", async () => {
    const completion = present((await ask("How do I knit a cable stitch scarf?", { onAbstain: "ANSWER_UNGROUNDED" }, 12)).createCompletion, "createCompletion");
    assert.equal(completion.grounding?.status, "ABSTAINED");
    assert.equal(completion.grounding?.fallback, "ANSWER_UNGROUNDED");
    assert.deepEqual(completion.citations, []);
    assert.ok(completion.usage.completionTokens > 0 && completion.text.length > 0);
  });

  it("lets the request's threshold override the collection's, both ways, and judges KEYWORD searches by similarity too", async () => {
    const permissive = present((await ask("How do I knit a cable stitch scarf?", { minSimilarity: -1 }, 4)).createCompletion, "createCompletion");
    assert.equal(permissive.grounding?.status, "GROUNDED");
    assert.equal(permissive.grounding?.minSimilarity, -1);
    assert.equal(permissive.citations.length, 3);
    const strict = present((await ask("How long is a marathon race?", { minSimilarity: 0.99 })).createCompletion, "createCompletion");
    assert.equal(strict.grounding?.status, "ABSTAINED");
    assert.equal(strict.finishReason, "ABSTAINED");
    const keyword = present((await ask("How do I configure a VLAN on a Cisco switch?", { mode: "KEYWORD" })).createCompletion, "createCompletion");
    assert.equal(keyword.grounding?.status, "ABSTAINED");
    assert.ok(typeof keyword.grounding?.bestSimilarity === "number");
  });

  it("streams an abstention as a start event and an end event, with nothing generated", async () => {
    const events: string[] = [];
    let end: { text: string; finishReason: string; grounding?: { status: string; fallback?: string | null } | null } | undefined;
    const input = { model: "smollm2", messages: [{ role: "USER" as const, content: "Who won the Eurovision song contest in 1974?" }], maxTokens: 16, grounding: { collectionId } };
    for await (const data of member.subscribe(AbstainingStream, { input }, { transport: "sse" })) {
      const event = data.completionStream;
      if (event === null || event === undefined) continue;
      events.push(event.__typename);
      if (event.__typename === "TextEndEvent") end = event.completion;
    }
    assert.deepEqual(events, ["TextStartEvent", "TextEndEvent"]);
    assert.equal(end?.finishReason, "ABSTAINED");
    assert.equal(end?.text, "");
    assert.deepEqual(end?.grounding, { status: "ABSTAINED", fallback: "NO_ANSWER" });
  });

  it("refuses a threshold outside -1 to 1 with BAD_USER_INPUT on its field", async () => {
    await assert.rejects(ask("Anything?", { minSimilarity: 2 }), (error: unknown) => {
      assert.ok(error instanceof GraphClientError);
      assert.equal(error.code, "BAD_USER_INPUT");
      assert.equal(error.extensions.field, "input.grounding.minSimilarity");
      return true;
    });
  });

  it("refuses a collection default outside -1 to 1 with BAD_USER_INPUT on its field", async () => {
    await assert.rejects(member.request(CreateGroundingCollection, { input: { name: "too-strict", embeddingModel: "minilm", groundingMinSimilarity: 1.5 } }), (error: unknown) => {
      assert.ok(error instanceof GraphClientError);
      assert.equal(error.code, "BAD_USER_INPUT");
      assert.equal(error.extensions.field, "input.groundingMinSimilarity");
      return true;
    });
  });

  it("pages search hits with bounded texts", async () => {
    const input = { collectionId, query: "What do bees make?", topK: 5, first: 2, maxTextBytes: 64 };
    const first = present((await member.request(PagedSearch, { input })).search, "search");
    assert.equal(first.totalCount, 5);
    assert.equal(first.hits.length, 2);
    assert.ok(first.pageInfo.hasNextPage && first.pageInfo.endCursor !== null);
    for (const hit of first.hits) {
      assert.ok(Buffer.byteLength(hit.text) <= 64 && hit.textTruncated && hit.chunk.text.startsWith(hit.text));
      assert.ok(typeof hit.similarity === "number" && hit.similarity <= (first.bestSimilarity ?? -2));
    }
    const second = present((await member.request(PagedSearch, { input: { ...input, after: first.pageInfo.endCursor } })).search, "search");
    assert.equal(second.hits.length, 2);
    assert.ok(second.hits.every((hit) => !first.hits.some((earlier) => earlier.chunk.id === hit.chunk.id)));
  });
});
