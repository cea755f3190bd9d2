import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fuseByReciprocalRank } from "../../../subgraphs/retrieval/reciprocal-rank-fusion.ts";

const byName = (item: string) => item;

describe("reciprocal rank fusion", () => {
  it("ranks an item found by both lists above items found by one", () => {
    const fused = fuseByReciprocalRank([
      { items: ["a", "b", "c"], key: byName },
      { items: ["c", "d"], key: byName },
    ]);
    assert.equal(fused[0]?.item, "c");
    assert.deepEqual(fused[0]?.ranks, [3, 1]);
    assert.ok(Math.abs((fused[0]?.score ?? 0) - (1 / 63 + 1 / 61)) < 1e-12);
  });

  it("keeps ranks null where an item is missing and breaks ties by first appearance", () => {
    const fused = fuseByReciprocalRank([
      { items: ["a"], key: byName },
      { items: ["b"], key: byName },
    ]);
    assert.deepEqual(fused.map((entry) => [entry.item, entry.ranks]), [["a", [1, null]], ["b", [null, 1]]]);
  });

  it("returns nothing for empty lists and honours k", () => {
    assert.deepEqual(fuseByReciprocalRank([{ items: [], key: byName }]), []);
    assert.equal(fuseByReciprocalRank([{ items: ["a"], key: byName }], 0)[0]?.score, 1);
  });
});
