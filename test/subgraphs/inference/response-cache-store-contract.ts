import assert from "node:assert/strict";
import { it } from "node:test";
import type { ResponseCacheStore } from "../../../subgraphs/inference/cache/response-cache-store.ts";

/** What every `ResponseCacheStore` must do; `create` makes an empty store. */
export function responseCacheStoreContract(create: () => Promise<ResponseCacheStore>): void {
  it("finds nothing under a key never stored", async () => {
    const store = await create();
    assert.equal(await store.get("a".repeat(64)), undefined);
  });

  it("returns what was stored, byte for byte, under its own key only", async () => {
    const store = await create();
    const value = JSON.stringify({ text: "naïve café — 東京 🚀", finishReason: "STOP" });
    await store.set("key-one", value, 60);
    assert.equal(await store.get("key-one"), value);
    assert.equal(await store.get("key-two"), undefined);
    assert.equal(await store.get("key-on"), undefined);
  });

  it("replaces an earlier value under the same key", async () => {
    const store = await create();
    await store.set("replaced", "first", 60);
    await store.set("replaced", "second", 60);
    assert.equal(await store.get("replaced"), "second");
  });

  it("forgets a value once its TTL has passed", async () => {
    const store = await create();
    await store.set("short", "gone soon", 1);
    await store.set("long", "still here", 60);
    assert.equal(await store.get("short"), "gone soon");
    // Redis expires keys by its own clock: wait past the second rather than fake the time.
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    assert.equal(await store.get("short"), undefined);
    assert.equal(await store.get("long"), "still here");
  });

  it("reports itself healthy", async () => {
    const store = await create();
    await store.checkHealth();
  });
}
