import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CostInputs } from "../../gateway/cost/cost-inputs.ts";
import { CostInputsCache } from "../../gateway/cost/cost-inputs-cache.ts";

const inputs = (tokensToday: number): CostInputs => ({
  models: new Map(),
  collections: new Map(),
  budget: { tokensPerMinute: null, tokensPerDay: 100, costMicrosPerMonth: null, tokensThisMinute: 0, tokensToday, costMicrosThisMonth: 0 },
});

describe("CostInputsCache", () => {
  it("reads for every operation when off (the default, 0)", async () => {
    let reads = 0;
    const cache = new CostInputsCache({ maxAgeMillis: 0 });
    for (let index = 0; index < 3; index += 1) await cache.get("k", async () => inputs((reads += 1)));
    assert.equal(reads, 3);
  });

  it("serves one read per key for its maximum age, shares it between concurrent callers, and keeps no failure", async () => {
    let now = 0;
    let reads = 0;
    const cache = new CostInputsCache({ maxAgeMillis: 1_000, now: () => now });
    const read = async () => inputs((reads += 1));
    const [first, concurrent] = await Promise.all([cache.get("tenant-a", read), cache.get("tenant-a", read)]);
    assert.equal(first, concurrent);
    assert.equal(reads, 1);
    assert.equal((await cache.get("tenant-b", read)).budget?.tokensToday, 2, "another key reads its own");
    now = 999;
    assert.equal((await cache.get("tenant-a", read)).budget?.tokensToday, 1);
    now = 1_000;
    assert.equal((await cache.get("tenant-a", read)).budget?.tokensToday, 3, "read again once the maximum age is reached");
    await assert.rejects(cache.get("failing", async () => Promise.reject(new Error("down"))));
    assert.equal((await cache.get("failing", read)).budget?.tokensToday, 4, "a failed read is not kept");
  });
});
