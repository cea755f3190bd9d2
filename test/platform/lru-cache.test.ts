import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LruCache } from "../../platform/cache/lru-cache.ts";

describe("LruCache", () => {
  it("keeps the most recently used entries", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    assert.equal(cache.get("a"), 1);
    cache.set("c", 3);
    assert.equal(cache.get("b"), undefined);
    assert.equal(cache.get("a"), 1);
    assert.equal(cache.size, 2);
    cache.clear();
    assert.equal(cache.size, 0);
  });

  it("refuses a capacity below 1", () => {
    assert.throws(() => new LruCache(0), RangeError);
  });
});
