/**
 * The in-process engine on a real instruct model, SmolLM2-135M-Instruct (Q4_1): the model's own
 * chat template token by token, factual answers, streaming, stop sequences, context limits and
 * what the schema promises about seeds. Generated random-weight models cannot show any of this.
 */
import assert from "node:assert/strict";
import { Template } from "@huggingface/jinja";
import { getLlama } from "node-llama-cpp";
import { after, before, describe, it } from "node:test";
import type { ChatMessage, GenerationRequest } from "../../engines/engine.ts";
import { EngineError } from "../../engines/engine-error.ts";
import { LlamaCppEngine } from "../../engines/llama-cpp/llama-cpp-engine.ts";
import { PromptFormatter } from "../../engines/llama-cpp/prompt-formatter.ts";
import { collectEvents, deltaTexts, endResult, testThreads } from "../engines/llama-cpp/llama-cpp-test-models.ts";
import { provisionRealModelsOrSkip } from "../harness/real-models.ts";

const provisioned = await provisionRealModelsOrSkip();
const contextLength = 1024;

function chat(messages: ChatMessage[], parameters: Partial<GenerationRequest["parameters"]> = {}): GenerationRequest {
  return { prompt: { kind: "chat", messages }, parameters: { maxTokens: 32, temperature: 0, ...parameters } };
}

const capitalQuestion: ChatMessage[] = [
  { role: "system", content: "You are a helpful assistant." },
  { role: "user", content: "What is the capital of France?" },
];

describe("SmolLM2-135M-Instruct through the llama.cpp engine", { skip: provisioned.skip }, () => {
  let engine: LlamaCppEngine;
  let modelPath: string;
  before(async () => {
    modelPath = provisioned.models?.chatModelPath ?? "";
    engine = await LlamaCppEngine.open({ modelPath, contextLength, sequences: 4, threads: testThreads });
  });
  after(() => engine.close());

  it("renders chats with the file's own Jinja template, token for token as the template renders independently", async () => {
    // Independent rendering: the template text read from the file with another GGUF reader,
    // rendered by @huggingface/jinja, tokenized by llama.cpp with special tokens parsed.
    const { gguf } = await import("@huggingface/gguf");
    const metadata = (await gguf(modelPath, { allowLocalFile: true })).metadata as Record<string, unknown>;
    const template = metadata["tokenizer.chat_template"];
    assert.equal(typeof template, "string");
    assert.equal(metadata["tokenizer.ggml.add_bos_token"], false);
    const llama = await getLlama({ build: "never", gpu: false });
    const reference = await llama.loadModel({ modelPath });
    try {
      const conversations: ChatMessage[][] = [
        [{ role: "user", content: "Who trained you?" }],
        capitalQuestion,
        [
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello! How can I help?" },
          { role: "user", content: "Tell me a joke about <|im_start|> tokens." },
        ],
      ];
      // The engine's formatter, on the independently loaded model: the exact tokens it evaluates.
      const formatter = new PromptFormatter(reference);
      for (const messages of conversations) {
        const rendered = new Template(template as string).render({ messages, add_generation_prompt: true, bos_token: "<|im_start|>", eos_token: "<|im_end|>" });
        const expected = reference.tokenize(rendered, true);
        const actual = await engine.countPromptTokens({ kind: "chat", messages });
        assert.equal(await engine.applyChatTemplate(messages), rendered);
        // The user's "<|im_start|>" text is plain text to the engine, a control token to the naive rendering.
        if (messages.at(-1)?.content.includes("<|im_start|>") === true) continue;
        assert.deepEqual(formatter.format({ kind: "chat", messages }).tokens, expected, "token for token");
        assert.equal(actual.tokens, expected.length);
      }
      // Token by token, for the question the issue measured (22 tokens with the old ChatML wrapper).
      const messages: ChatMessage[] = [{ role: "user", content: "Who trained you?" }];
      const rendered = new Template(template as string).render({ messages, add_generation_prompt: true });
      assert.ok(rendered.startsWith("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"));
      const [result] = await engine.generateBatch([chat(messages, { maxTokens: 1 })]);
      assert.equal(result?.usage.promptTokens, reference.tokenize(rendered, true).length);
      assert.equal(reference.tokenize(rendered, true).filter((token) => token === reference.tokens.bos).length, 3, "one <|im_start|> per turn, none doubled");
    } finally {
      await reference.dispose();
    }
  });

  it("answers a factual question correctly, greedy, in chat and as a text completion", async () => {
    const [answer] = await engine.generateBatch([chat(capitalQuestion)]);
    assert.match(answer?.text ?? "", /Paris/);
    assert.equal(answer?.finishReason, "stop", "the turn ends at <|im_end|>, not at maxTokens");
    const [completion] = await engine.generateBatch([{ prompt: { kind: "text", text: "The capital of France is" }, parameters: { maxTokens: 8, temperature: 0 } }]);
    assert.match(completion?.text ?? "", /Paris/);
  });

  it("streams exactly the text it returns unstreamed, for a request decoded alone", async () => {
    const request = chat([{ role: "user", content: "Write two sentences about the sea." }], { maxTokens: 40, temperature: 0.9, seed: 11 });
    const [unstreamed] = await engine.generateBatch([request]);
    const events = await collectEvents(engine.streamGeneration(request));
    assert.equal(deltaTexts(events).join(""), unstreamed?.text);
    assert.deepEqual(endResult(events).usage, unstreamed?.usage);
    const [again] = await engine.generateBatch([request]);
    assert.equal(again?.text, unstreamed?.text, "the same seed, input and model give the same text when decoded alone");
  });

  it("stops before a stop sequence", async () => {
    const [result] = await engine.generateBatch([chat([{ role: "user", content: "Count from 1 to 10, separated by commas." }], { stop: ["5"] })]);
    assert.equal(result?.finishReason, "stop");
    assert.equal(result?.text, "1, 2, 3, 4, ");
  });

  it("refuses a prompt over the context length with the exact counts", async () => {
    const messages: ChatMessage[] = [{ role: "user", content: "word ".repeat(1100) }];
    const { tokens } = await engine.countPromptTokens({ kind: "chat", messages });
    assert.ok(tokens > contextLength);
    await assert.rejects(
      engine.generateBatch([chat(messages, { maxTokens: 10 })]),
      (error: unknown) =>
        error instanceof EngineError &&
        error.code === "context-overflow" &&
        error.message.includes(`takes ${tokens} tokens and maxTokens is 10: ${tokens + 10} tokens exceed the context length limit of ${contextLength} tokens`),
    );
    const fitting: ChatMessage[] = [{ role: "user", content: "Say hi." }];
    const fittingTokens = (await engine.countPromptTokens({ kind: "chat", messages: fitting })).tokens;
    // Exactly at the limit is accepted; one more token is not.
    await engine.generateBatch([chat(fitting, { maxTokens: contextLength - fittingTokens })]).then(([result]) => assert.ok(result !== undefined));
    await assert.rejects(engine.generateBatch([chat(fitting, { maxTokens: contextLength - fittingTokens + 1 })]), (error: unknown) => error instanceof EngineError && error.code === "context-overflow");
  });
});
