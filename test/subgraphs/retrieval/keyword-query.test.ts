import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { meaningfulKeywords } from "../../../subgraphs/retrieval/keyword-query.ts";

describe("keyword query words", () => {
  it("drops function words and question words, keeps the words that carry meaning", () => {
    assert.equal(meaningfulKeywords("How do I reset MY password?"), "reset password");
    assert.equal(meaningfulKeywords("Which insects produce a sweet golden food?"), "insects produce sweet golden food");
  });

  it("treats punctuation and operators as separators, keeps digits and other scripts", () => {
    assert.equal(meaningfulKeywords('"error" AND (E404) OR -timeout'), "error e404 timeout");
    assert.equal(meaningfulKeywords("Grüße aus Köln, 2026"), "grüße aus köln 2026");
  });

  it("returns nothing when only stop words are left", () => {
    assert.equal(meaningfulKeywords("what is it and how?"), "");
    assert.equal(meaningfulKeywords("?!"), "");
  });
});
