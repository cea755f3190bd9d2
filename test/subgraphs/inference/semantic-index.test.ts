import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Redis } from "ioredis";
import { InMemorySemanticIndex } from "../../../subgraphs/inference/cache/in-memory-semantic-index.ts";
import { RedisSemanticIndex } from "../../../subgraphs/inference/cache/redis-semantic-index.ts";
import { cosineSimilarity, semanticScope, semanticText, type SemanticIndex } from "../../../subgraphs/inference/cache/semantic-index.ts";
import { provisionRedis, requireServer } from "../../harness/redis-suite.ts";

const redis = await provisionRedis();

/** The behaviour every SemanticIndex must have; `create` gives an empty index on a clock the test moves. */
function semanticIndexContract(create: (options: { maximumEntriesPerScope: number; now: () => number }) => SemanticIndex): void {
  let now = 1_000_000;
  const index = () => create({ maximumEntriesPerScope: 3, now: () => now });

  it("finds the most similar entry of the scope at or above the threshold, and nothing below it", async () => {
    const semantic = index();
    await semantic.add("scope-a", "key-1", Float32Array.from([1, 0, 0]), 60);
    await semantic.add("scope-a", "key-2", Float32Array.from([0.8, 0.6, 0]), 60);
    const match = await semantic.nearest("scope-a", Float32Array.from([0.9, 0.43589, 0]), 0.9);
    assert.equal(match?.key, "key-2");
    assert.ok(Math.abs((match?.similarity ?? 0) - cosineSimilarity(Float32Array.from([0.9, 0.43589, 0]), Float32Array.from([0.8, 0.6, 0]))) < 1e-6);
    assert.equal(await semantic.nearest("scope-a", Float32Array.from([0, 0, 1]), 0.5), undefined);
  });

  it("never answers from another scope, even for the identical vector", async () => {
    const semantic = index();
    await semantic.add("tenant-a-scope", "key-a", Float32Array.from([1, 2, 3]), 60);
    assert.equal(await semantic.nearest("tenant-b-scope", Float32Array.from([1, 2, 3]), 0.5), undefined);
    assert.equal((await semantic.nearest("tenant-a-scope", Float32Array.from([1, 2, 3]), 0.99))?.key, "key-a");
  });

  it("forgets entries past their TTL, and keeps at most the configured entries per scope", async () => {
    const semantic = index();
    await semantic.add("scope", "short", Float32Array.from([1, 0]), 1);
    now += 1_001;
    assert.equal(await semantic.nearest("scope", Float32Array.from([1, 0]), 0.5), undefined);
    for (const [key, x] of [["k1", 1], ["k2", 2], ["k3", 3], ["k4", 4]] as const) await semantic.add("scope", key, Float32Array.from([x, 1]), 60 + x);
    assert.equal((await semantic.nearest("scope", Float32Array.from([1, 1]), 0.9999))?.key, undefined, "k1 went first");
    assert.equal((await semantic.nearest("scope", Float32Array.from([4, 1]), 0.9999))?.key, "k4");
  });
}

describe("InMemorySemanticIndex", () => semanticIndexContract((options) => new InMemorySemanticIndex(options)));

describe("RedisSemanticIndex", { skip: redis.skip }, () => {
  const connections: Redis[] = [];
  after(() => connections.forEach((connection) => connection.disconnect()));
  semanticIndexContract((options) => {
    const connection = new Redis(requireServer(redis).url);
    connections.push(connection);
    return new RedisSemanticIndex(connection, requireServer(redis).uniquePrefix(), options);
  });
});

describe("semantic scope and text", () => {
  const model = { id: "chat", version: 1, createdAt: "2026-12-03T00:00:00.000Z" };
  const chat = (system: string, user: string) => ({ prompt: { kind: "chat" as const, messages: [{ role: "system" as const, content: system }, { role: "user" as const, content: user }] }, parameters: { maxTokens: 8, temperature: 0 } });

  it("partitions by tenant, model version, system prompt and parameters, and embeds only the conversation", () => {
    const base = semanticScope("acme", model, chat("Be brief.", "What is Redis?"));
    assert.equal(semanticScope("acme", model, chat("Be brief.", "Explain Redis")), base, "the question is not part of the scope");
    assert.notEqual(semanticScope("globex", model, chat("Be brief.", "What is Redis?")), base);
    assert.notEqual(semanticScope("acme", { ...model, version: 2 }, chat("Be brief.", "What is Redis?")), base);
    assert.notEqual(semanticScope("acme", model, chat("Be verbose.", "What is Redis?")), base);
    assert.notEqual(semanticScope("acme", model, { ...chat("Be brief.", "What is Redis?"), parameters: { maxTokens: 9, temperature: 0 } }), base);
    assert.equal(semanticText(chat("Be brief.", "What is Redis?").prompt), "user: What is Redis?");
    assert.equal(semanticText({ kind: "text", text: "Once upon" }), "Once upon");
  });
});
