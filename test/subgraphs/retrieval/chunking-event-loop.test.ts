import assert from "node:assert/strict";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { describe, it, type TestContext } from "node:test";
import { chunkDocument, type ChunkingOptions, type CountTokens, type TextChunk } from "../../../subgraphs/retrieval/chunking/chunk-document.ts";

/**
 * Fake tokenizer: one token per started four characters of each word. It answers without I/O, the
 * worst case for the event loop: only the chunker's own pauses let other work run.
 */
const countFourCharacterPieces: CountTokens = async (texts) =>
  texts.map((text) => {
    let tokens = 0;
    for (const word of text.split(/\s+/u)) if (word !== "") tokens += Math.ceil(word.length / 4);
    return tokens;
  });

/**
 * Longest the event loop may stay blocked, in milliseconds. The target is ~50 ms (the chunker works
 * in slices of ~10 ms); measured here on 2 cores, under load from other test processes: 20 to
 * 60 ms. The bound is generous so a loaded CI box does not fail it, yet far below what these inputs
 * did before (a 1,000,000-character word: over 12 minutes in one block; 20,000-character headings:
 * 0.75 s each).
 */
const maximumBlockMillis = 200;

interface LoopMeasure {
  /** Longest blocked stretch seen by the probe: wall time between ticks, capped by the process's CPU time in it. */
  blockMillis: number;
  /** `monitorEventLoopDelay`'s largest delay (wall time, so it includes time the OS ran other processes). */
  histogramMaxMillis: number;
}

/**
 * Chunks `text` while a 5 ms interval probes the event loop. A stretch between two ticks counts as
 * blocked for the lesser of its wall time and the CPU time the process used in it: on a loaded
 * machine the OS may not run this process for a while, which delays timers without anything here
 * blocking them.
 */
async function chunkWhileProbing(text: string, options: ChunkingOptions): Promise<{ chunks: TextChunk[]; loop: LoopMeasure }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  let blockMillis = 0;
  let lastTick = performance.now();
  let lastCpu = process.cpuUsage();
  const probe = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    blockMillis = Math.max(blockMillis, Math.min(now - lastTick, (cpu.user + cpu.system) / 1_000));
    lastTick = now;
    lastCpu = process.cpuUsage();
  }, 5);
  histogram.enable();
  const chunks: TextChunk[] = [];
  try {
    for await (const chunk of chunkDocument(text, options, countFourCharacterPieces)) chunks.push(chunk);
  } finally {
    clearInterval(probe);
    histogram.disable();
  }
  // The stretch after the last tick, up to the end.
  const cpu = process.cpuUsage(lastCpu);
  blockMillis = Math.max(blockMillis, Math.min(performance.now() - lastTick, (cpu.user + cpu.system) / 1_000));
  return { chunks, loop: { blockMillis, histogramMaxMillis: histogram.max / 1e6 } };
}

function assertResponsive(t: TestContext, label: string, loop: LoopMeasure): void {
  t.diagnostic(`${label}: longest block ${loop.blockMillis.toFixed(1)} ms, event-loop delay max ${loop.histogramMaxMillis.toFixed(1)} ms`);
  assert.ok(loop.blockMillis < maximumBlockMillis, `${label} blocked the event loop for ${loop.blockMillis.toFixed(0)} ms (bound ${maximumBlockMillis} ms)`);
}

const options: ChunkingOptions = { maxTokens: 256, overlapTokens: 32, mediaType: "text/markdown" };

describe("chunking pathological documents keeps the event loop responsive", () => {
  it("warms up (first use of the segmenters loads their rules)", async () => {
    await chunkWhileProbing("# Warm\n\nA first sentence. A second one.\n\nword ".repeat(50), options);
  });

  it("a single 1,000,000-character word", async (t) => {
    const word = "x".repeat(1_000_000);
    const { chunks, loop } = await chunkWhileProbing(word, options);
    assertResponsive(t, "1,000,000-character word", loop);
    assert.equal(chunks.map((chunk) => chunk.text).join(""), word, "every character is kept, in order");
    assert.ok(chunks.every((chunk) => chunk.tokenCount <= options.maxTokens));
  });

  it("a 300,000-character word of CJK ideographs and one of emoji (grapheme clusters of several code points)", async (t) => {
    for (const [label, word] of [
      ["CJK word", "日本語".repeat(100_000)],
      ["emoji word", "👩‍👩‍👧".repeat(40_000)],
    ] as const) {
      const { chunks, loop } = await chunkWhileProbing(word, options);
      assertResponsive(t, label, loop);
      assert.equal(chunks.map((chunk) => chunk.text).join(""), word);
    }
  });

  it("50 headings of 20,000 characters", async (t) => {
    const text = Array.from({ length: 50 }, (_, index) => `## ${"h".repeat(20_000)}${index}\n\nBody ${index}.`).join("\n\n");
    const { chunks, loop } = await chunkWhileProbing(text, options);
    assertResponsive(t, "20,000-character headings", loop);
    assert.ok(chunks.every((chunk) => chunk.headingPath.length <= 256), "heading paths are capped");
    assert.ok(chunks.at(-1)?.text.endsWith("Body 49."));
  });

  it("5,000 one-line sections", async (t) => {
    const text = Array.from({ length: 5_000 }, (_, index) => `# Section ${index}\nline ${index} of text.`).join("\n");
    const { chunks, loop } = await chunkWhileProbing(text, options);
    assertResponsive(t, "5,000 one-line sections", loop);
    assert.equal(chunks.length, 5_000, "one chunk per section");
  });

  it("one paragraph of 20,000 sentences, and 100,000 CRLF lines", async (t) => {
    for (const [label, text] of [
      ["20,000 sentences", Array.from({ length: 20_000 }, (_, index) => `Sentence ${index} is here.`).join(" ")],
      ["100,000 CRLF lines", Array.from({ length: 100_000 }, (_, index) => `Line ${index} of text.\r\n`).join("")],
    ] as const) {
      const { chunks, loop } = await chunkWhileProbing(text, options);
      assertResponsive(t, label, loop);
      assert.ok(chunks.length > 100);
      assert.ok(chunks.every((chunk) => !chunk.text.includes("\r")));
    }
  });

  it("stops at its next step once its signal aborts", async () => {
    const controller = new AbortController();
    const chunks = chunkDocument("x".repeat(1_000_000), { ...options, signal: controller.signal }, countFourCharacterPieces);
    const first = await chunks.next();
    assert.equal(first.done, false);
    const reason = new Error("the document was deleted");
    controller.abort(reason);
    await assert.rejects(chunks.next(), (error: unknown) => error === reason);
  });
});
