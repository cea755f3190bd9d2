/**
 * Issue 15, item 4: persisted documents. The resolver's modes (off / allow / only) over both manifest
 * stores (the file and Redis: the same contract), Apollo's APQ shared through Redis, the manifest
 * check of the `persisted-documents` command, and a stack in `allow` and in `only` mode.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { Redis } from "ioredis";
import { documentIdOf } from "../../../gateway/persisted-documents/document-id.ts";
import { FilePersistedDocumentStore } from "../../../gateway/persisted-documents/file-persisted-document-store.ts";
import type { PersistedDocumentStore } from "../../../gateway/persisted-documents/persisted-document-store.ts";
import { readManifest } from "../../../gateway/persisted-documents/read-manifest.ts";
import { RedisApqCache } from "../../../gateway/persisted-documents/redis-apq-cache.ts";
import { RedisPersistedDocumentStore } from "../../../gateway/persisted-documents/redis-persisted-document-store.ts";
import { createPersistedDocumentResolver } from "../../../gateway/persisted-documents/resolve-persisted-document.ts";
import { ErrorCode } from "../../../platform/errors/error-code.ts";
import type { ServiceError } from "../../../platform/errors/service-error.ts";
import { createRedisConnection } from "../../../platform/storage/redis-connection.ts";
import { provisionRedis, requireServer } from "../../harness/redis-suite.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../../harness/test-stack.ts";

const trusted = "query Models { models(first: 5) { totalCount } }";
const trustedId = documentIdOf(trusted);
const untrusted = "query Other { models(first: 1) { totalCount } }";
const codeOf = (error: ServiceError) => error.extensions.code;

function storeContract(name: string, open: () => Promise<PersistedDocumentStore>): void {
  describe(`${name}: the manifest store and the resolver's modes`, () => {
    let store: PersistedDocumentStore;
    before(async () => {
      store = await open();
      assert.equal(await store.add({ [trustedId]: trusted }), 1);
    });

    it("finds documents by id, and nothing else (not even built-in object properties)", async () => {
      assert.equal(await store.find(trustedId), trusted);
      assert.equal(await store.find(documentIdOf(untrusted)), undefined);
      assert.equal(await store.find("__proto__"), undefined);
      assert.equal(await store.count(), 1);
    });

    it("allow: a documentId (with or without `sha256:`) becomes its document; full documents pass; unknown ids are refused", async () => {
      const resolve = createPersistedDocumentResolver(store, "allow");
      assert.deepEqual((await resolve({ body: { documentId: `sha256:${trustedId}`, variables: { a: 1 } }, search: "" })).body, { query: trusted, variables: { a: 1 } });
      assert.deepEqual((await resolve({ body: { query: untrusted }, search: "" })).body, { query: untrusted });
      await assert.rejects(resolve({ body: { documentId: documentIdOf(untrusted) }, search: "" }), (error: ServiceError) => codeOf(error) === ErrorCode.PersistedDocumentNotFound);
      await assert.rejects(resolve({ body: { documentId: "not-a-hash" }, search: "" }), (error: ServiceError) => codeOf(error) === ErrorCode.BadRequest);
      // GET: `?documentId=` becomes `?query=`, other parameters kept.
      const get = await resolve({ body: undefined, search: `?documentId=${trustedId}&operationName=Models` });
      assert.deepEqual(Object.fromEntries(new URLSearchParams(get.search)), { operationName: "Models", query: trusted });
      // The APQ shape with a manifest hash: the manifest answers, without a round trip.
      const apq = await resolve({ body: { extensions: { persistedQuery: { version: 1, sha256Hash: trustedId } } }, search: "" });
      assert.equal((apq.body as { query: string }).query, trusted);
    });

    it("only: trusted documents by id or in full; anything else refused, batches operation by operation", async () => {
      const resolve = createPersistedDocumentResolver(store, "only");
      assert.equal(((await resolve({ body: { documentId: trustedId }, search: "" })).body as { query: string }).query, trusted);
      assert.equal(((await resolve({ body: { query: trusted }, search: "" })).body as { query: string }).query, trusted);
      await assert.rejects(resolve({ body: { query: untrusted }, search: "" }), (error: ServiceError) => codeOf(error) === ErrorCode.PersistedDocumentRequired);
      await assert.rejects(resolve({ body: undefined, search: `?query=${encodeURIComponent(untrusted)}` }), (error: ServiceError) => codeOf(error) === ErrorCode.PersistedDocumentRequired);
      await assert.rejects(resolve({ body: [{ documentId: trustedId }, { query: untrusted }], search: "" }), (error: ServiceError) => codeOf(error) === ErrorCode.PersistedDocumentRequired);
      // APQ cannot register a new document in `only` mode.
      const hash = documentIdOf(untrusted);
      await assert.rejects(resolve({ body: { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, search: "" }), (error: ServiceError) => codeOf(error) === ErrorCode.PersistedDocumentNotFound);
      await assert.rejects(resolve({ body: { query: untrusted, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, search: "" }), (error: ServiceError) => codeOf(error) === ErrorCode.PersistedDocumentRequired);
    });

    it("off: documentIds refused with a message saying so; everything else left to Apollo", async () => {
      const resolve = createPersistedDocumentResolver(store, "off");
      await assert.rejects(resolve({ body: { documentId: trustedId }, search: "" }), (error: ServiceError) => codeOf(error) === ErrorCode.PersistedDocumentNotFound && /PERSISTED_DOCUMENTS_MODE=off/.test(error.message));
      const apq = { extensions: { persistedQuery: { version: 1, sha256Hash: trustedId } } };
      assert.deepEqual((await resolve({ body: apq, search: "" })).body, apq);
    });
  });
}

const redis = await provisionRedis();
const connections: Redis[] = [];
after(() => connections.forEach((connection) => connection.disconnect()));
const redisConnection = () => {
  const server = requireServer(redis);
  const connection = createRedisConnection(server.url);
  connections.push(connection);
  return { connection, prefix: server.uniquePrefix() };
};

storeContract("FilePersistedDocumentStore", async () => new FilePersistedDocumentStore(join(await temporaryDirectory("persisted"), "persisted-documents.json")));
storeContract("RedisPersistedDocumentStore", async () => {
  const { connection, prefix } = redisConnection();
  return new RedisPersistedDocumentStore(connection, prefix);
});

describe("RedisApqCache", () => {
  it("shares registrations between replicas (two connections), with a TTL", async () => {
    const { connection, prefix } = redisConnection();
    const other = createRedisConnection(requireServer(redis).url);
    connections.push(other);
    await new RedisApqCache(connection, prefix).set("apq:abc", "query { a }");
    assert.equal(await new RedisApqCache(other, prefix).get("apq:abc"), "query { a }");
    assert.ok((await other.ttl(`${prefix}gateway:apq:apq:abc`)) > 0);
    assert.equal(await new RedisApqCache(other, prefix).delete("apq:abc"), true);
    assert.equal(await new RedisApqCache(connection, prefix).get("apq:abc"), undefined);
  });
});

describe("readManifest", () => {
  it("accepts client-preset's manifest and refuses forged or broken entries", () => {
    assert.deepEqual(readManifest({ [trustedId]: trusted }), { [trustedId]: trusted });
    assert.throws(() => readManifest({ [trustedId]: untrusted }), /not the SHA-256 of its document/);
    assert.throws(() => readManifest({ [documentIdOf("query {")]: "query {" }), /does not parse/);
    assert.throws(() => readManifest({ abc: trusted }), /not a SHA-256 document id/);
    assert.throws(() => readManifest([trusted]), /JSON object/);
  });
});

describe("persisted documents through the gateway", () => {
  let only: TestStack;
  const post = (stack: TestStack, body: unknown) =>
    fetch(stack.gateway.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${stack.memberKey.key}` }, body: JSON.stringify(body) });

  before(async () => {
    // The manifest is pushed with the command, as an operator would.
    const dataDirectory = await temporaryDirectory("persisted-stack");
    const manifest = join(dataDirectory, "app-manifest.json");
    await writeFile(manifest, JSON.stringify({ [trustedId]: trusted }));
    const pushed = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/persisted-documents.ts", "push", manifest], { env: { ...process.env, DATA_DIR: dataDirectory, LOG_LEVEL: "error" } });
    assert.match(pushed.stdout, /Pushed 1 documents; the store holds 1\. Mode: allow\./);
    only = await startTestStack({ DATA_DIR: dataDirectory, PERSISTED_DOCUMENTS_MODE: "only" });
  });
  after(() => only?.stop());

  it("only: runs the manifest's operation by documentId, refuses others with 400 and a stable code", async () => {
    const byId = await post(only, { documentId: trustedId });
    assert.equal(byId.status, 200);
    assert.equal(((await byId.json()) as { data: { models: { totalCount: number } } }).data.models.totalCount, 0);
    const other = await post(only, { query: untrusted });
    assert.equal(other.status, 400);
    const body = (await other.json()) as { errors: { extensions: { code: string } }[] };
    assert.equal(body.errors[0]?.extensions.code, ErrorCode.PersistedDocumentRequired);
    const get = await fetch(`${only.gateway.graphqlUrl}?documentId=${trustedId}`, { headers: { authorization: `Bearer ${only.memberKey.key}`, "apollo-require-preflight": "true" } });
    assert.equal(get.status, 200, await get.clone().text());
  });
});
