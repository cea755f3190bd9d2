import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import { decideGrounding } from "../../../subgraphs/inference/grounding/grounding-decision.ts";
import type { GroundingRetrieval } from "../../../subgraphs/inference/grounding/grounding-source.ts";

const source = { chunkId: "c1", text: "text", label: "doc", headingPath: [], score: 0.9 };
const found = (bestSimilarity: number | null, collectionMinSimilarity: number | null = null): GroundingRetrieval => ({
  sources: bestSimilarity === null ? [] : [source],
  bestSimilarity,
  collectionMinSimilarity,
});

describe("answer or abstain", () => {
  it("grounds without any threshold, whatever the evidence", () => {
    assert.deepEqual(decideGrounding({ collectionId: "c" }, found(0.01)), { status: "GROUNDED", bestSimilarity: 0.01, minSimilarity: null, fallback: null });
    assert.equal(decideGrounding({ collectionId: "c" }, found(null)).status, "GROUNDED");
  });

  it("abstains below the collection's threshold, with NO_ANSWER unless the request chose otherwise", () => {
    assert.deepEqual(decideGrounding({ collectionId: "c" }, found(0.2, 0.3)), { status: "ABSTAINED", bestSimilarity: 0.2, minSimilarity: 0.3, fallback: "NO_ANSWER" });
    assert.equal(decideGrounding({ collectionId: "c", onAbstain: "ANSWER_UNGROUNDED" }, found(0.2, 0.3)).fallback, "ANSWER_UNGROUNDED");
    assert.equal(decideGrounding({ collectionId: "c" }, found(0.3, 0.3)).status, "GROUNDED", "at the threshold is enough");
    assert.equal(decideGrounding({ collectionId: "c" }, found(null, 0.3)).status, "ABSTAINED", "nothing found is no evidence");
  });

  it("lets the request's threshold override the collection's in both directions", () => {
    assert.equal(decideGrounding({ collectionId: "c", minSimilarity: -1 }, found(0.1, 0.3)).status, "GROUNDED");
    assert.deepEqual(decideGrounding({ collectionId: "c", minSimilarity: 0.9 }, found(0.6, 0.3)), { status: "ABSTAINED", bestSimilarity: 0.6, minSimilarity: 0.9, fallback: "NO_ANSWER" });
  });

  it("refuses a request threshold outside -1 to 1", () => {
    for (const minSimilarity of [1.5, -2, Number.NaN]) {
      assert.throws(() => decideGrounding({ collectionId: "c", minSimilarity }, found(0.5)), (error: unknown) => error instanceof ServiceError && error.code === "BAD_USER_INPUT" && error.extensions.field === "input.grounding.minSimilarity");
    }
  });
});
