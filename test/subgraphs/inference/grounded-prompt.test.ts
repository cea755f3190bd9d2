import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GenerationPrompt } from "../../../engines/engine.ts";
import { defaultGroundingQuery, fitSources, groundPrompt } from "../../../subgraphs/inference/grounding/grounded-prompt.ts";
import type { GroundingSource } from "../../../subgraphs/inference/grounding/grounding-source.ts";

const source = (number: number, words: number): GroundingSource => ({
  chunkId: `doc:g:${number}`,
  text: Array.from({ length: words }, () => "word").join(" "),
  label: `source-${number}`,
  headingPath: number === 1 ? ["Guide", "Setup"] : [],
  score: 1 / number,
});

/** Test fake: one token per whitespace-separated word. */
function countWords(prompt: GenerationPrompt): Promise<number> {
  const text = prompt.kind === "text" ? prompt.text : prompt.messages.map((message) => message.content).join(" ");
  return Promise.resolve(text.split(/\s+/).filter(Boolean).length);
}

describe("grounded prompts", () => {
  it("numbers the sources and labels them with their headings", () => {
    const grounded = groundPrompt({ kind: "text", text: "Question?" }, [source(1, 2), source(2, 1)]);
    assert.equal(grounded.kind, "text");
    if (grounded.kind !== "text") return;
    assert.match(grounded.text, /\[1\] source-1 — Guide > Setup\nword word/);
    assert.match(grounded.text, /\[2\] source-2\nword/);
    assert.ok(grounded.text.endsWith("\n\nQuestion?"));
  });

  it("puts sources in a system message, merged into an existing one", () => {
    const chat = groundPrompt({ kind: "chat", messages: [{ role: "user", content: "Hi" }] }, [source(1, 1)]);
    assert.deepEqual(chat.kind === "chat" ? chat.messages.map((message) => message.role) : [], ["system", "user"]);
    const merged = groundPrompt({ kind: "chat", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }] }, [source(1, 1)]);
    assert.equal(merged.kind === "chat" ? merged.messages.length : 0, 2);
    assert.match(merged.kind === "chat" ? (merged.messages[0]?.content ?? "") : "", /^Be brief\.\n\n/);
  });

  it("keeps the best sources that fit the budget, in order", async () => {
    const prompt: GenerationPrompt = { kind: "text", text: "q" };
    const sources = [source(1, 10), source(2, 10), source(3, 10)];
    const all = await fitSources(prompt, sources, 1_000, countWords);
    assert.deepEqual(all.sources.map((kept) => kept.chunkId), ["doc:g:1", "doc:g:2", "doc:g:3"]);
    const budget = (await countWords(groundPrompt(prompt, sources.slice(0, 2)))) + 5;
    const two = await fitSources(prompt, sources, budget, countWords);
    assert.deepEqual(two.sources.map((kept) => kept.chunkId), ["doc:g:1", "doc:g:2"]);
    assert.ok(two.promptTokens <= budget);
    const none = await fitSources(prompt, sources, 3, countWords);
    assert.deepEqual(none.sources, []);
    assert.deepEqual(none.prompt, prompt);
  });

  it("searches for the prompt or the last user message by default", () => {
    assert.equal(defaultGroundingQuery({ kind: "text", text: "abc" }), "abc");
    assert.equal(
      defaultGroundingQuery({ kind: "chat", messages: [{ role: "user", content: "first" }, { role: "assistant", content: "reply" }, { role: "user", content: "second" }, { role: "assistant", content: "x" }] }),
      "second",
    );
  });
});
