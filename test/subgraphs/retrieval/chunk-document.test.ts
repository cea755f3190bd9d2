import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chunkDocument, type ChunkingOptions, type CountTokens, type TextChunk } from "../../../subgraphs/retrieval/chunking/chunk-document.ts";

// Test fakes for the embedding model's tokenizer. Deterministic, and simple enough that expected
// chunks can be worked out by hand.

function wordsOf(text: string): string[] {
  return text.split(/\s+/u).filter((word) => word !== "");
}

/** Fake: every whitespace-separated word is one token. */
const countWhitespaceWords: CountTokens = async (texts) => texts.map((text) => wordsOf(text).length);

/** Fake: every word costs one token per started four code points, so long words must be cut. */
const countFourCodePointPieces: CountTokens = async (texts) =>
  texts.map((text) => wordsOf(text).reduce((sum, word) => sum + Math.ceil([...word].length / 4), 0));

/** Fake: words, plus one token per blank line (as real tokenizers charge for "\n\n"). */
const countWordsAndBlankLines: CountTokens = async (texts) => texts.map((text) => wordsOf(text).length + (text.match(/\n[ \t]*\n/g) ?? []).length);

/** Fake: words, plus a surcharge of one token per full five words, so a text costs more than its parts. */
const countWordsWithSurcharge: CountTokens = async (texts) =>
  texts.map((text) => {
    const words = wordsOf(text).length;
    return words + Math.floor(words / 5);
  });

/** Wraps a counter to record how often it is called and how many texts it counted. */
function spyOn(counter: CountTokens): { counter: CountTokens; calls: number; texts: number; counted: string[] } {
  const spy = {
    calls: 0,
    texts: 0,
    counted: [] as string[],
    counter: async (texts: readonly string[]) => {
      spy.calls += 1;
      spy.texts += texts.length;
      spy.counted.push(...texts);
      return counter(texts);
    },
  };
  return spy;
}

async function chunksOf(text: string, options: Partial<ChunkingOptions> = {}, counter: CountTokens = countWhitespaceWords): Promise<TextChunk[]> {
  const chunks: TextChunk[] = [];
  for await (const chunk of chunkDocument(text, { maxTokens: 10, overlapTokens: 0, mediaType: "text/markdown", ...options }, counter)) chunks.push(chunk);
  return chunks;
}

/** Sentence `label` of `words` words, for example `A1 a a a.` */
function sentence(label: string, words: number): string {
  return [label, ...Array.from({ length: words - 1 }, () => label.toLowerCase().slice(0, 1))].join(" ") + ".";
}

/** `count` words numbered from `from`: `w3 w4 w5`. */
function numbered(from: number, count: number): string {
  return Array.from({ length: count }, (_, index) => `w${from + index}`).join(" ");
}

/** The `w<n>` numbers in a text, in order. */
function numbersIn(text: string): number[] {
  return [...text.matchAll(/\bw(\d+)\b/g)].map((match) => Number(match[1]));
}

/**
 * Asserts that the chunks cover the numbered words `w0`..`w<total-1>` in order: each chunk holds a
 * run of consecutive numbers and starts no later than one past the last word covered so far
 * (overlap may repeat words, but none is skipped), and no chunk is just the end of the one before.
 */
function assertCoverage(chunks: readonly TextChunk[], total: number): void {
  let covered = -1;
  for (const chunk of chunks) {
    const numbers = numbersIn(chunk.text);
    if (numbers.length === 0) {
      // Only a tiny limit cuts Markdown markers (`#`, a fence line) off into chunks of their own.
      assert.match(chunk.text, /^[#`~.!\s]+$/, `chunk ${chunk.index} holds numbered words or markup`);
      continue;
    }
    const previous = chunks[chunk.index - 1];
    assert.ok(previous === undefined || !previous.text.endsWith(chunk.text), `chunk ${chunk.index} adds text to the one before: ${JSON.stringify(previous?.text)} then ${JSON.stringify(chunk.text)}`);
    numbers.forEach((number, position) => {
      if (position > 0) assert.equal(number, (numbers[position - 1] ?? 0) + 1, `chunk ${chunk.index} is a run of consecutive words`);
    });
    assert.ok((numbers[0] ?? 0) <= covered + 1, `chunk ${chunk.index} starts at w${numbers[0]} but w${covered + 1} was never covered`);
    covered = Math.max(covered, numbers.at(-1) ?? covered);
  }
  assert.equal(covered, total - 1, "every word is covered");
}

async function assertWithinLimit(chunks: readonly TextChunk[], maxTokens: number, counter: CountTokens): Promise<void> {
  const counts = await counter(chunks.map((chunk) => chunk.text));
  chunks.forEach((chunk, position) => {
    assert.equal(chunk.index, position);
    assert.equal(chunk.tokenCount, counts[position], `chunk ${position}'s tokenCount is its text's count`);
    assert.ok(chunk.tokenCount <= maxTokens, `chunk ${position} has ${chunk.tokenCount} tokens, over ${maxTokens}: ${JSON.stringify(chunk.text)}`);
  });
}

describe("chunkDocument", () => {
  it("yields nothing for empty or whitespace-only text, without counting", async () => {
    const spy = spyOn(countWhitespaceWords);
    for (const text of ["", "   ", "\n\n\t\r\n  \n", "\u00a0\u2003"]) assert.deepEqual(await chunksOf(text, {}, spy.counter), []);
    assert.equal(spy.calls, 0);
  });

  it("packs consecutive paragraphs greedily, keeping their original separators", async () => {
    const text = `${numbered(0, 3)}\n\n${numbered(3, 4)}\n\n\n${numbered(7, 5)}\n  \n${numbered(12, 2)}`;
    const chunks = await chunksOf(text, { maxTokens: 8, mediaType: "text/plain" });
    assert.deepEqual(
      chunks.map((chunk) => chunk.text),
      [`${numbered(0, 3)}\n\n${numbered(3, 4)}`, `${numbered(7, 5)}\n  \n${numbered(12, 2)}`],
    );
    assert.deepEqual(
      chunks.map((chunk) => chunk.tokenCount),
      [7, 7],
    );
  });

  it("keeps a paragraph that fits whole rather than splitting it across chunks", async () => {
    const chunks = await chunksOf(`${numbered(0, 6)}.\n\n${numbered(6, 6)}.`, { maxTokens: 10 });
    assert.deepEqual(
      chunks.map((chunk) => chunk.text),
      [`${numbered(0, 6)}.`, `${numbered(6, 6)}.`],
    );
  });

  it("follows Markdown headings into heading paths, outermost first", async () => {
    const text = [
      "Preface text.",
      "# Guide",
      "Guide text.",
      "## Install ##",
      "Install text.",
      "### On Linux",
      "Linux text.",
      "## Use",
      "Use text.",
      "#hashtag is not a heading, nor is ####### seven.",
      "# Appendix",
      "Appendix text.",
    ].join("\n\n");
    const chunks = await chunksOf(text, { maxTokens: 50 });
    assert.deepEqual(
      chunks.map((chunk) => [chunk.headingPath, chunk.text]),
      [
        ["", "Preface text."],
        ["Guide", "# Guide\n\nGuide text."],
        ["Guide > Install", "## Install ##\n\nInstall text."],
        ["Guide > Install > On Linux", "### On Linux\n\nLinux text."],
        ["Guide > Use", "## Use\n\nUse text.\n\n#hashtag is not a heading, nor is ####### seven."],
        ["Appendix", "# Appendix\n\nAppendix text."],
      ],
    );
  });

  it("starts a section at a heading with no blank line around it, and never joins two sections", async () => {
    const chunks = await chunksOf("intro line\n# One\nfirst\n## Two\nsecond", { maxTokens: 100 });
    assert.deepEqual(
      chunks.map((chunk) => [chunk.headingPath, chunk.text]),
      [
        ["", "intro line"],
        ["One", "# One\nfirst"],
        ["One > Two", "## Two\nsecond"],
      ],
    );
  });

  it("treats Markdown as plain text when the media type is text/plain", async () => {
    const chunks = await chunksOf("# Not a heading\n\nbody\n\n```\n\n# still text\n```", { maxTokens: 100, mediaType: "text/plain" });
    assert.equal(chunks.length, 1);
    assert.equal(chunks[0]?.headingPath, "");
    assert.equal(chunks[0]?.text, "# Not a heading\n\nbody\n\n```\n\n# still text\n```");
  });

  it("keeps a fenced code block whole, ignoring `#` lines and blank lines inside it", async () => {
    const code = "```python\n# a comment, not a heading\n\n\ndef main():\n    return 1\n```";
    const text = `# Code\n\nBefore the code.\n\n${code}\n\nAfter the code.`;
    const chunks = await chunksOf(text, { maxTokens: 12 });
    assert.deepEqual(
      chunks.map((chunk) => chunk.text),
      ["# Code\n\nBefore the code.", code, "After the code."],
    );
    assert.ok(chunks.every((chunk) => chunk.headingPath === "Code"));
  });

  it("closes a fence only with the same marker at least as long, and runs an unclosed fence to the end", async () => {
    const tildes = "~~~~\n# inside\n```\n# still inside\n~~~~";
    const unclosed = "````\n# never closed\n\n## nor this";
    const chunks = await chunksOf(`# A\n\n${tildes}\n\n# B\n\n${unclosed}`, { maxTokens: 100 });
    assert.deepEqual(
      chunks.map((chunk) => [chunk.headingPath, chunk.text]),
      [
        ["A", `# A\n\n${tildes}`],
        ["B", `# B\n\n${unclosed}`],
      ],
    );
  });

  it("splits a code block too big for a chunk at lines, keeping indentation", async () => {
    const code = "```\nalpha beta gamma\n    indented delta epsilon\n\nzeta eta theta\n```";
    const chunks = await chunksOf(code, { maxTokens: 5 });
    assert.deepEqual(
      chunks.map((chunk) => chunk.text),
      ["```\nalpha beta gamma", "    indented delta epsilon", "zeta eta theta\n```"],
    );
  });

  it("starts each chunk with the previous chunk's trailing sentences that fit in the overlap", async () => {
    // Sentences of 3 tokens; max 10 packs three (9); overlap 4 repeats one sentence (3), not two (6).
    const sentences = ["A1", "B1", "C1", "D1", "E1", "F1", "G1"].map((label) => sentence(label, 3));
    const chunks = await chunksOf(sentences.join(" "), { maxTokens: 10, overlapTokens: 4 });
    assert.deepEqual(
      chunks.map((chunk) => chunk.text),
      [sentences.slice(0, 3), sentences.slice(2, 5), sentences.slice(4, 7)].map((group) => group.join(" ")),
    );
    const wider = await chunksOf(sentences.join(" "), { maxTokens: 10, overlapTokens: 6 });
    assert.deepEqual(
      wider.map((chunk) => chunk.text),
      [sentences.slice(0, 3), sentences.slice(1, 4), sentences.slice(2, 5), sentences.slice(3, 6), sentences.slice(4, 7)].map((group) => group.join(" ")),
      "an overlap of 6 repeats two sentences",
    );
  });

  it("overlaps with whole paragraphs when they fit, and with the last sentences of one that does not", async () => {
    const small = "Tiny one.";
    const big = `${sentence("A1", 3)} ${sentence("B1", 3)} ${sentence("C1", 2)}`;
    const next = sentence("D1", 6);
    const fitting = await chunksOf(`${big}\n\n${small}\n\n${next}`, { maxTokens: 12, overlapTokens: 3 });
    assert.deepEqual(
      fitting.map((chunk) => chunk.text),
      [`${big}\n\n${small}`, `${small}\n\n${next}`],
      "the whole last paragraph (2 tokens) is the overlap",
    );
    const partial = await chunksOf(`${big}\n\n${next}`, { maxTokens: 12, overlapTokens: 5 });
    assert.deepEqual(
      partial.map((chunk) => chunk.text),
      [big, `${sentence("B1", 3)} ${sentence("C1", 2)}\n\n${next}`],
      "the paragraph (8) is over the overlap (5): its last two sentences (3 + 2) are taken",
    );
  });

  it("does not overlap across sections, or at all with an overlap of 0", async () => {
    const chunks = await chunksOf(`# A\n\n${numbered(0, 8)}\n\n# B\n\n${numbered(8, 3)}`, { maxTokens: 10, overlapTokens: 4 });
    assert.deepEqual(
      chunks.map((chunk) => chunk.text),
      [`# A\n\n${numbered(0, 8)}`, `# B\n\n${numbered(8, 3)}`],
    );
    const none = await chunksOf(numbered(0, 30), { maxTokens: 10, overlapTokens: 0 });
    assert.deepEqual(
      none.map((chunk) => numbersIn(chunk.text).length),
      [10, 10, 10],
    );
    assertCoverage(none, 30);
  });

  it("splits a paragraph over the limit at sentence boundaries", async () => {
    const sentences = ["A1", "B1", "C1", "D1", "E1"].map((label) => sentence(label, 4));
    const chunks = await chunksOf(sentences.join(" "), { maxTokens: 9 });
    assert.deepEqual(
      chunks.map((chunk) => chunk.text),
      [sentences.slice(0, 2).join(" "), sentences.slice(2, 4).join(" "), sentences[4]],
    );
  });

  it("splits a sentence over the limit at whitespace", async () => {
    const text = `${numbered(0, 25)}.`;
    const chunks = await chunksOf(text, { maxTokens: 10 });
    assert.deepEqual(
      chunks.map((chunk) => chunk.text),
      [numbered(0, 10), numbered(10, 10), `${numbered(20, 5)}.`],
    );
  });

  it("counts an over-long sentence in runs of words, not word by word", async () => {
    const spy = spyOn(countWhitespaceWords);
    const chunks = await chunksOf(`${numbered(0, 2_000)}.`, { maxTokens: 64, overlapTokens: 8 }, spy.counter);
    await assertWithinLimit(chunks, 64, countWhitespaceWords);
    assertCoverage(chunks, 2_000);
    assert.ok(spy.texts < 400, `${spy.texts} texts counted for 2,000 words`);
  });

  it("splits a single word over the limit by characters", async () => {
    const word = "x".repeat(100); // 25 tokens of four characters
    const chunks = await chunksOf(`short ${word} end`, { maxTokens: 6 }, countFourCodePointPieces);
    await assertWithinLimit(chunks, 6, countFourCodePointPieces);
    assert.equal(chunks.map((chunk) => chunk.text.replace(/\s/g, "")).join(""), `short${word}end`, "no character is lost");
    assert.ok(chunks.length >= 5);
    assert.ok(chunks.every((chunk) => /^x*$/.test(chunk.text.replace(/^short\s*/, "").replace(/\s*end$/, ""))), "pieces of the word are cut nowhere else");
  });

  it("never cuts a user-perceived character when splitting a word", async () => {
    const family = "👩‍👩‍👧"; // five code points: two tokens of the fake counter
    const chunks = await chunksOf(family.repeat(20), { maxTokens: 4 }, countFourCodePointPieces);
    await assertWithinLimit(chunks, 4, countFourCodePointPieces);
    assert.equal(chunks.map((chunk) => chunk.text).join(""), family.repeat(20));
    for (const chunk of chunks) assert.match(chunk.text, /^(?:👩‍👩‍👧)+$/u);
  });

  it("splits again a chunk whose whole text counts more than its parts", async () => {
    const spy = spyOn(countWordsWithSurcharge);
    const text = Array.from({ length: 12 }, (_, index) => numbered(index * 3, 3)).join("\n\n");
    const chunks = await chunksOf(text, { maxTokens: 10, overlapTokens: 3 }, spy.counter);
    await assertWithinLimit(chunks, 10, countWordsWithSurcharge);
    assertCoverage(chunks, 36);
  });

  it("accounts for what the counter charges for blank lines, so chunks need no second split", async () => {
    const spy = spyOn(countWordsAndBlankLines);
    const text = Array.from({ length: 10 }, (_, index) => numbered(index * 5, 5)).join("\n\n");
    const chunks = await chunksOf(text, { maxTokens: 10 }, spy.counter);
    await assertWithinLimit(chunks, 10, countWordsAndBlankLines);
    assert.deepEqual(
      chunks.map((chunk) => chunk.text),
      Array.from({ length: 10 }, (_, index) => numbered(index * 5, 5)),
      "two paragraphs of 5 cost 11 with the blank line between them",
    );
    assert.ok(
      spy.counted.every((counted) => countWordsAndBlankLinesSync(counted) <= 10),
      "no text over the limit was ever counted: packing saw the blank line's cost coming",
    );
  });

  it("keeps every chunk within the limit and every word in order, across shapes and sizes", async () => {
    const document = generatedMarkdown(250);
    for (const [maxTokens, overlapTokens] of [
      [1, 0],
      [5, 2],
      [16, 4],
      [64, 16],
      [256, 32],
    ] as const) {
      for (const counter of [countWhitespaceWords, countWordsWithSurcharge, countWordsAndBlankLines]) {
        const chunks = await chunksOf(document.text, { maxTokens, overlapTokens }, counter);
        await assertWithinLimit(chunks, maxTokens, counter);
        assertCoverage(chunks, document.words);
      }
    }
  });

  it("gives CRLF text the same chunks as LF text", async () => {
    const lf = "# Title\n\nFirst paragraph here.\nSame paragraph.\n\n## Sub\n\n```\ncode\n\nmore\n```\n\nLast one.";
    const crlf = lf.replace(/\n/g, "\r\n");
    const expected = await chunksOf(lf, { maxTokens: 6, overlapTokens: 2 });
    const actual = await chunksOf(crlf, { maxTokens: 6, overlapTokens: 2 });
    assert.deepEqual(actual, expected);
    assert.ok(actual.every((chunk) => !chunk.text.includes("\r")));
    assert.deepEqual(
      actual.map((chunk) => chunk.headingPath),
      expected.map((chunk) => chunk.headingPath),
    );
  });

  it("handles Unicode text: accents, CJK sentences without spaces, emoji", async () => {
    const german = "Über die Brücke gehen wir. Schöne Grüße aus Köln!";
    const japanese = "日本語の文章です。これは二番目の文です。三番目の文もあります。";
    const text = `# Überblick 🌍\n\n${german}\n\n${japanese}\n\nEmoji 😀 mitten 🎉 im Satz.`;
    const chunks = await chunksOf(text, { maxTokens: 4, overlapTokens: 0 }, countFourCodePointPieces);
    await assertWithinLimit(chunks, 4, countFourCodePointPieces);
    assert.ok(chunks.every((chunk) => chunk.headingPath === "Überblick 🌍"));
    for (const chunk of chunks) assert.doesNotMatch(chunk.text, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/, "no surrogate is split");
    const japaneseChunks = chunks.filter((chunk) => /[\u3040-\u30ff\u4e00-\u9fff]/u.test(chunk.text));
    assert.deepEqual(
      japaneseChunks.map((chunk) => chunk.text),
      ["日本語の文章です。", "これは二番目の文です。", "三番目の文もあります。"],
      "CJK text is split at its sentence ends",
    );
    assert.equal(
      chunks.map((chunk) => chunk.text.replace(/\s/gu, "")).join(""),
      text.replace(/\s/gu, ""),
      "every character is kept, in order (no overlap here)",
    );
    const latinWords = wordsOf(text).filter((word) => /^[\p{Script=Latin}.!]+$/u.test(word));
    assert.ok(latinWords.every((word) => chunks.some((chunk) => wordsOf(chunk.text).includes(word))), "no Latin word is cut");
  });

  it("yields the first chunk before counting the whole of a large document", async () => {
    const spy = spyOn(countWhitespaceWords);
    const paragraphs = 20_000;
    const text = Array.from({ length: paragraphs }, (_, index) => numbered(index * 5, 5)).join("\n\n");
    const chunks = chunkDocument(text, { maxTokens: 50, overlapTokens: 5, mediaType: "text/plain" }, spy.counter);
    const first = await chunks.next();
    assert.equal(first.done, false);
    assert.equal(first.value?.index, 0);
    assert.ok(spy.calls <= 4, `${spy.calls} counter calls before the first chunk`);
    assert.ok(spy.texts < paragraphs / 10, `${spy.texts} texts counted before the first chunk, of ${paragraphs} paragraphs`);
    await chunks.return(undefined);
  });

  it("rejects options out of range", async () => {
    await assert.rejects(chunksOf("text", { maxTokens: 0 }), RangeError);
    await assert.rejects(chunksOf("text", { maxTokens: 10, overlapTokens: 10 }), RangeError);
    await assert.rejects(chunksOf("text", { maxTokens: 10, overlapTokens: -1 }), RangeError);
    await assert.rejects(chunksOf("text", { maxTokens: 2.5 }), RangeError);
  });

  it("rejects a counter that answers with the wrong number of counts", async () => {
    await assert.rejects(
      chunksOf("some text", {}, async (texts) => texts.slice(1).map(() => 1)),
      /token counter/,
    );
  });
});

function countWordsAndBlankLinesSync(text: string): number {
  return wordsOf(text).length + (text.match(/\n[ \t]*\n/g) ?? []).length;
}

/**
 * A deterministic Markdown document of `sections` sections with numbered words: headings, short and
 * long paragraphs, long sentences, fenced code with `#` lines, varied blank lines.
 */
function generatedMarkdown(sections: number): { text: string; words: number } {
  let next = 0;
  let seed = 7;
  const random = (below: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % below;
  };
  const words = (count: number): string => {
    const text = numbered(next, count);
    next += count;
    return text;
  };
  const parts: string[] = [];
  for (let section = 0; section < sections; section += 1) {
    if (random(3) > 0) parts.push(`${"#".repeat(1 + random(4))} ${words(1 + random(3))}`);
    for (let block = random(4); block >= 0; block -= 1) {
      const shape = random(6);
      if (shape === 0) parts.push(`\`\`\`\n# ${words(2)}\n\n${words(1 + random(40))}\n\`\`\``);
      else if (shape === 1) parts.push(`${words(1 + random(300))}.`);
      else {
        const sentences = Array.from({ length: 1 + random(6) }, () => `${words(1 + random(12))}${random(2) === 0 ? "." : "!"}`);
        parts.push(sentences.join(random(4) === 0 ? "\n" : " "));
      }
    }
  }
  return { text: parts.join(random(2) === 0 ? "\n\n" : "\n\n\n"), words: next };
}
