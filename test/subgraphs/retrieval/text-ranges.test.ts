import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EventLoopPacer } from "../../../subgraphs/retrieval/chunking/event-loop-pacer.ts";
import { segmentInWindows, sentenceWindows } from "../../../subgraphs/retrieval/chunking/segment-in-windows.ts";
import { characterCount, characterPieces, sentenceRanges, type TextRange } from "../../../subgraphs/retrieval/chunking/text-ranges.ts";

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });
const sentences = new Intl.Segmenter("en", { granularity: "sentence" });

/** One pass of the segmenter over the whole text, as ranges: the reference the windows must match. */
function onePass(segmenter: Intl.Segmenter, text: string): TextRange[] {
  return [...segmenter.segment(text)].map((segment) => ({ start: segment.index, end: segment.index + segment.segment.length }));
}

/** A deterministic mix of what grapheme rules treat differently: ASCII, Latin-1, combining marks, CJK, kana with sound marks, Hangul syllables and jamo, emoji sequences, flags, CR LF. */
function mixedText(length: number, seed: number): string {
  const pieces = ["a", "Z", " ", "\n", "\r\n", "é", "e\u0301", "\u0301", "日", "本", "か\u3099", "\u302a", "한", "\u1100\u1161", "👩‍👩‍👧", "👍🏽", "🇫🇷", "#\ufe0f\u20e3", "\u0600a", ".", "。", "©\ufe0f", "\u200d"];
  let state = seed;
  let text = "";
  while (text.length < length) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    text += pieces[state % pieces.length];
  }
  return text;
}

describe("text ranges in linear time", () => {
  it("counts and cuts grapheme clusters exactly as one segmenter pass does", async () => {
    const pacer = new EventLoopPacer();
    for (const seed of [1, 2, 3, 4, 5]) {
      const text = mixedText(3_000, seed);
      const reference = onePass(graphemes, text);
      const range = { start: 0, end: text.length };
      assert.equal(await characterCount(text, range, pacer), reference.length);
      const pieces: TextRange[] = [];
      for await (const piece of characterPieces(text, range, 1, pacer)) pieces.push(piece);
      assert.deepEqual(pieces, reference, `seed ${seed}: one piece per cluster`);
      const sevens: TextRange[] = [];
      for await (const piece of characterPieces(text, range, 7, pacer)) sevens.push(piece);
      assert.deepEqual(
        sevens.map((piece) => piece.start),
        reference.filter((_cluster, index) => index % 7 === 0).map((cluster) => cluster.start),
      );
    }
  });

  it("finds the sentences of one pass across window edges", () => {
    const text = Array.from({ length: 3_000 }, (_, index) => (index % 5 === 0 ? `Mr. Smith said ${index}.\n` : `Sentence ${index} ends here! Then "a quote." (p. 4) etc. and more?`)).join(" ");
    assert.ok(text.length > 10 * sentenceWindows.windowChars);
    assert.deepEqual([...segmentInWindows(sentences, text, { start: 0, end: text.length }, sentenceWindows)], onePass(sentences, text));
  });

  it("cuts a sentence longer than the largest window before whitespace, losing nothing", () => {
    const text = Array.from({ length: 40_000 }, (_, index) => `w${index}`).join(" "); // ~240,000 characters, no sentence end
    const ranges = [...sentenceRanges(text, { start: 0, end: text.length })];
    assert.ok(ranges.length > 1);
    assert.ok(ranges.every((range) => range.end - range.start <= sentenceWindows.maximumWindowChars));
    assert.equal(ranges.map((range) => text.slice(range.start, range.end)).join(" "), text, "cut only at spaces");
  });
});
