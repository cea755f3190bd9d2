import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Redis } from "ioredis";
import { EmbeddedModelStore, legacyCatalogueFileName } from "../../../subgraphs/model-registry/store/embedded-model-store.ts";
import { ModelStoreConflictError } from "../../../subgraphs/model-registry/store/model-store.ts";
import { RedisModelStore } from "../../../subgraphs/model-registry/store/redis-model-store.ts";
import { provisionRedis, requireServer } from "../../harness/redis-suite.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { modelRecord } from "./model-fixtures.ts";
import { modelStoreContract } from "./model-store-contract.ts";

const redis = await provisionRedis();

describe("EmbeddedModelStore", () => {
  let counter = 0;
  modelStoreContract(async () => new EmbeddedModelStore(await temporaryDirectory(`model-store-${(counter += 1)}`)));

  it("imports the model-registry.json of earlier versions on first start, once, keeping the file as a backup", async () => {
    const directory = await temporaryDirectory("model-store-legacy");
    const legacy = { models: [modelRecord({ id: "b-model", aliases: ["bee"] }), modelRecord({ id: "a-model", aliases: [] })] };
    await writeFile(join(directory, legacyCatalogueFileName), JSON.stringify(legacy));
    const store = new EmbeddedModelStore(directory);
    assert.deepEqual((await store.list()).map((model) => model.id), ["a-model", "b-model"]);
    assert.equal((await store.resolve("bee"))?.id, "b-model");
    await assert.rejects(store.create(modelRecord({ id: "c-model", aliases: ["bee"] })), (error: unknown) => error instanceof ModelStoreConflictError && error.conflict.reason === "name-taken");
    assert.equal(existsSync(join(directory, legacyCatalogueFileName)), false);
    assert.equal(existsSync(join(directory, `${legacyCatalogueFileName}.migrated`)), true);
    await store.delete("a-model", undefined);
    await store.close();
    // Restored by hand afterwards, the file is not imported again: the deleted model stays deleted.
    await writeFile(join(directory, legacyCatalogueFileName), JSON.stringify(legacy));
    const reopened = new EmbeddedModelStore(directory);
    assert.deepEqual((await reopened.list()).map((model) => model.id), ["b-model"]);
    await reopened.close();
  });

  it("refuses to start on a catalogue file that is not a valid catalogue, leaving it in place", async () => {
    const directory = await temporaryDirectory("model-store-legacy-bad");
    await writeFile(join(directory, legacyCatalogueFileName), JSON.stringify({ models: [{ id: "no-engine" }] }));
    assert.throws(() => new EmbeddedModelStore(directory), /model-registry\.json does not hold a valid catalogue/);
    assert.equal(existsSync(join(directory, legacyCatalogueFileName)), true);
  });

  it("shows one instance's writes to another open on the same directory (inference reads what the registry writes)", async () => {
    const directory = await temporaryDirectory("model-store-reader");
    const writer = new EmbeddedModelStore(directory);
    const reader = new EmbeddedModelStore(directory);
    assert.equal(await reader.getById("tiny-chat"), undefined);
    await writer.create(modelRecord());
    assert.equal((await reader.getById("tiny-chat"))?.displayName, "Tiny chat");
    await writer.replace(modelRecord({ displayName: "Renamed", version: 2 }), 1);
    assert.equal((await reader.resolve("tiny-chat"))?.displayName, "Renamed");
    await writer.close();
    await reader.close();
  });
});

describe("RedisModelStore", { skip: redis.skip }, () => {
  const connections: Redis[] = [];
  after(() => connections.forEach((connection) => connection.disconnect()));
  modelStoreContract(async () => {
    const server = requireServer(redis);
    const connection = new Redis(server.url);
    connections.push(connection);
    return new RedisModelStore(connection, server.uniquePrefix());
  });
});
