import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultVectorWeight, fuseByWeightedScores } from "../../../subgraphs/retrieval/score-fusion.ts";

type Hit = { id: string; score: number };
const list = (items: Hit[], weight: number) => ({ items, key: (hit: Hit) => hit.id, score: (hit: Hit) => hit.score, weight });

describe("weighted score fusion", () => {
  it("normalises each list to [0, 1] and combines them with the weights", () => {
    const fused = fuseByWeightedScores([
      list([{ id: "a", score: 0.8 }, { id: "b", score: 0.6 }, { id: "c", score: 0.4 }], 0.75),
      list([{ id: "c", score: 12 }, { id: "a", score: 2 }], 0.25),
    ]);
    const byId = new Map(fused.map((entry) => [entry.item.id, entry]));
    assert.ok(Math.abs((byId.get("a")?.score ?? 0) - 0.75) < 1e-12, "best vector, worst keyword");
    assert.ok(Math.abs((byId.get("b")?.score ?? 0) - 0.375) < 1e-12, "middle vector, no keyword");
    assert.ok(Math.abs((byId.get("c")?.score ?? 0) - 0.25) < 1e-12, "worst vector, best keyword");
    assert.deepEqual(fused.map((entry) => entry.item.id), ["a", "b", "c"]);
    assert.deepEqual(byId.get("c")?.ranks, [3, 1]);
    assert.deepEqual(byId.get("b")?.scores, [0.6, null]);
  });

  it("does not let a keyword hit on a common word outrank a clear vector match (the failure of rank fusion)", () => {
    // Vector: the right answer far ahead; keyword: a weak match on a frequent word first, the right answer 10th.
    const vector = [{ id: "right", score: 0.62 }, ...Array.from({ length: 19 }, (_, index) => ({ id: `v${index}`, score: 0.3 - index * 0.01 }))];
    const keyword = [{ id: "noise", score: 4.9 }, ...Array.from({ length: 8 }, (_, index) => ({ id: `k${index}`, score: 4.5 - index * 0.2 })), { id: "right", score: 2.6 }];
    const fused = fuseByWeightedScores([list(vector, defaultVectorWeight), list(keyword, 1 - defaultVectorWeight)]);
    assert.equal(fused[0]?.item.id, "right");
  });

  it("gives every item of a list with equal scores the full weight, and returns nothing for empty lists", () => {
    const fused = fuseByWeightedScores([list([{ id: "a", score: 3 }, { id: "b", score: 3 }], 0.4), list([], 0.6)]);
    assert.deepEqual(fused.map((entry) => entry.score), [0.4, 0.4]);
    assert.deepEqual(fuseByWeightedScores([list([], 1)]), []);
  });

  it("counts an item listed twice in one list once, at its first (best) place", () => {
    const fused = fuseByWeightedScores([list([{ id: "a", score: 1 }, { id: "b", score: 0 }, { id: "a", score: 0 }], 1)]);
    assert.deepEqual(fused.map((entry) => [entry.item.id, entry.score, entry.ranks[0]]), [["a", 1, 1], ["b", 0, 2]]);
  });
});
