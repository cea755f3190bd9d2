/**
 * The Markdown reader's blocks (setext headings, lists, tables, block quotes) and the chunker's
 * handling of them: kept whole where they fit, split at items or rows where they do not, and work
 * linear in the input on pathological documents (asserted on counts and sizes, never on time).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chunkDocument, type CountTokens, type TextChunk } from "../../../subgraphs/retrieval/chunking/chunk-document.ts";
import { maximumHeadingTitleLength, readBlocks, type TextBlock } from "../../../subgraphs/retrieval/chunking/markdown-blocks.ts";

/** Fake tokenizer: one token per whitespace-separated word. */
const countWords: CountTokens = async (texts) => texts.map((text) => text.split(/\s+/u).filter(Boolean).length);

function blocksOf(text: string): { kind: string; text: string; path: string }[] {
  return [...readBlocks(text, true)].map((block) => ({ kind: block.kind, text: text.slice(block.start, block.end), path: block.section.headingPath }));
}

async function chunksOf(text: string, maxTokens: number, counter: CountTokens = countWords): Promise<TextChunk[]> {
  const chunks: TextChunk[] = [];
  for await (const chunk of chunkDocument(text, { maxTokens, overlapTokens: 0, mediaType: "text/markdown" }, counter)) chunks.push(chunk);
  return chunks;
}

/** Counts what the chunker sends to the tokenizer: the work that matters, as a size. */
function measuringCounter(): { counter: CountTokens; characters: number; texts: number } {
  const measure = {
    characters: 0,
    texts: 0,
    counter: async (texts: readonly string[]) => {
      measure.texts += texts.length;
      for (const text of texts) measure.characters += text.length;
      return countWords(texts);
    },
  };
  return measure;
}

/** Blocks in order, none overlapping another: reading them touched each character of the text a bounded number of times. */
function assertDisjointInOrder(blocks: readonly TextBlock[], length: number): void {
  let previousEnd = 0;
  for (const block of blocks) {
    assert.ok(block.start >= previousEnd && block.end >= block.start && block.end <= length, `block ${block.start}-${block.end} after ${previousEnd}`);
    previousEnd = block.end;
  }
}

describe("Markdown blocks", () => {
  it("reads setext headings (= level 1, - level 2) into heading paths, titles of several lines joined", () => {
    const blocks = blocksOf("Guide\n=====\n\nIntro text.\n\nFirst\npart\n---\nBody.\n\n# Other\n\nMore.");
    assert.deepEqual(blocks, [
      { kind: "heading", text: "Guide\n=====", path: "Guide" },
      { kind: "paragraph", text: "Intro text.", path: "Guide" },
      { kind: "heading", text: "First\npart\n---", path: "Guide > First part" },
      { kind: "paragraph", text: "Body.", path: "Guide > First part" },
      { kind: "heading", text: "# Other", path: "Other" },
      { kind: "paragraph", text: "More.", path: "Other" },
    ]);
  });

  it("does not take a dash line after a blank line, or in a list, for a setext underline", () => {
    assert.deepEqual(blocksOf("Text.\n\n---\n\n- item\n---").map((block) => [block.kind, block.path]), [["paragraph", ""], ["paragraph", ""], ["list", ""]]);
  });

  it("keeps a list one block: items, indented continuations and blank lines between items", () => {
    const list = "- first item\n  continued\n\n- second item\n\n  1. nested\n  2. nested";
    assert.deepEqual(blocksOf(`Intro.\n\n${list}\n\nAfter.`), [
      { kind: "paragraph", text: "Intro.", path: "" },
      { kind: "list", text: list, path: "" },
      { kind: "paragraph", text: "After.", path: "" },
    ]);
  });

  it("lets a bullet or an item numbered 1 interrupt a paragraph, not a wrapped line that starts with another number", () => {
    assert.deepEqual(blocksOf("We shipped in\n2024. Then:\n- a\n- b").map((block) => [block.kind, block.text]), [
      ["paragraph", "We shipped in\n2024. Then:"],
      ["list", "- a\n- b"],
    ]);
    assert.deepEqual(blocksOf("Steps:\n1. one\n2. two").map((block) => block.kind), ["paragraph", "list"]);
  });

  it("reads a table from its header row and delimiter row to the next blank line, splitting it off a paragraph above", () => {
    const table = "| name | size |\n|:-----|-----:|\n| a    | 1    |\n| b    | 2    |";
    assert.deepEqual(blocksOf(`Sizes below.\n${table}\n\nAfter.`), [
      { kind: "paragraph", text: "Sizes below.", path: "" },
      { kind: "table", text: table, path: "" },
      { kind: "paragraph", text: "After.", path: "" },
    ]);
    assert.deepEqual(blocksOf("a | b\n--|--\n1 | 2").map((block) => block.kind), ["table"], "pipes at the edges are optional");
    assert.deepEqual(blocksOf("not | a table\n-- x --").map((block) => block.kind), ["paragraph"]);
  });

  it("keeps a block quote one block, with lazy continuation lines, ended by a blank line", () => {
    assert.deepEqual(blocksOf("> Quoted line\n> another\nlazy line\n\nAfter."), [
      { kind: "quote", text: "> Quoted line\n> another\nlazy line", path: "" },
      { kind: "paragraph", text: "After.", path: "" },
    ]);
  });

  it("leaves fenced code alone: list, table, quote and setext lines inside a fence are code", () => {
    assert.deepEqual(blocksOf("```\n- a\n> b\n| c |\n|---|\nd\n===\n```").map((block) => block.kind), ["code"]);
  });
});

describe("chunking lists, tables and quotes", () => {
  it("keeps a list, a table and a quote that fit whole in one chunk each", async () => {
    const list = "- alpha beta\n- gamma delta\n\n- epsilon zeta";
    const table = "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |";
    const quote = "> one two three\n> four five six";
    const chunks = await chunksOf(`${"word ".repeat(8).trim()}\n\n${list}\n\n${table}\n\n${quote}`, 22);
    for (const block of [list, table, quote]) assert.ok(chunks.some((chunk) => chunk.text.includes(block)), `${JSON.stringify(block)} is whole in a chunk`);
  });

  it("splits a table too big for a chunk between rows, and a list between items, never inside one", async () => {
    const rows = Array.from({ length: 30 }, (_, index) => `| row ${index} | value ${index} |`);
    const table = `| key | value |\n|---|---|\n${rows.join("\n")}`;
    const tableChunks = await chunksOf(table, 20);
    assert.ok(tableChunks.length > 1);
    for (const chunk of tableChunks) for (const line of chunk.text.split("\n")) assert.ok(table.split("\n").includes(line), `whole row: ${line}`);
    const items = Array.from({ length: 30 }, (_, index) => `- item number ${index}`);
    const listChunks = await chunksOf(items.join("\n"), 12);
    assert.ok(listChunks.length > 1);
    for (const chunk of listChunks) for (const line of chunk.text.split("\n")) assert.ok(items.includes(line), `whole item: ${line}`);
  });

  it("caps a setext heading's title however long its paragraph", async () => {
    const title = "word ".repeat(100_000);
    const blocks = [...readBlocks(`${title}\n===\n\nbody`, true)];
    assert.ok((blocks.at(-1)?.section.headingPath.length ?? Infinity) <= maximumHeadingTitleLength);
  });
});

describe("chunking pathological Markdown in linear work", () => {
  /** Documents built of `lines` repeated lines of each shape, worst cases of the new block kinds. */
  const shapes: Record<string, (lines: number) => string> = {
    "loose list": (lines) => "- x\n\n".repeat(lines),
    "nested quotes": (lines) => "> > > >\n".repeat(lines),
    "table rows": (lines) => `| a | b |\n|---|---|\n${"| 1 | 2 |\n".repeat(lines)}`,
    "header and delimiter rows, again and again": (lines) => "| a\n|-|\n\n".repeat(lines),
    "setext underlines after one-word paragraphs": (lines) => "w\n=\n".repeat(lines),
    "dash lines": (lines) => "w\n---\n---\n".repeat(lines),
    "one huge setext title": (lines) => `${"word ".repeat(lines * 4)}\n---\nbody`,
    "one huge delimiter-like row": (lines) => `| a |\n|${"-".repeat(lines * 8)}${" ".repeat(lines * 8)}x`,
    "list markers without text": (lines) => "-\n1.\n*\n".repeat(lines),
  };

  for (const [shape, build] of Object.entries(shapes)) {
    it(`${shape}: doubling the document at most doubles the blocks and the characters counted`, async () => {
      const work = async (lines: number) => {
        const text = build(lines);
        const blocks = [...readBlocks(text, true)];
        assertDisjointInOrder(blocks, text.length);
        const measure = measuringCounter();
        let chunks = 0;
        for await (const _chunk of chunkDocument(text, { maxTokens: 64, overlapTokens: 8, mediaType: "text/markdown" }, measure.counter)) chunks += 1;
        return { length: text.length, blocks: blocks.length, characters: measure.characters, texts: measure.texts, chunks };
      };
      const small = await work(5_000);
      const large = await work(10_000);
      // Linear: the counted characters stay a bounded multiple of the text, and scale with it.
      assert.ok(large.characters <= 4 * large.length, `${large.characters} characters counted for a text of ${large.length}`);
      assert.ok(large.characters <= 2.2 * small.characters + 1_000, `${small.characters} then ${large.characters}`);
      assert.ok(large.blocks <= 2 * small.blocks + 2, `${small.blocks} then ${large.blocks} blocks`);
      assert.ok(large.texts <= 2.2 * small.texts + 10, `${small.texts} then ${large.texts} texts counted`);
    });
  }
});
