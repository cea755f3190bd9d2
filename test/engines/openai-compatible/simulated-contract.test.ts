/**
 * The engine contract against the simulated llama-cpp-python (a test double with the real model's
 * tokenizer); test/real-models/llama-cpp-python-contract.test.ts runs the same cases against the real server.
 */
import { provisionRealModelsOrSkip } from "../../harness/real-models.ts";
import { describeOpenAICompatibleContract } from "./openai-compatible-contract.ts";
import { startSimulatedLlamaCppPython, type SimulatedServer } from "./simulated-llama-cpp-python.ts";

const provisioned = await provisionRealModelsOrSkip();
const contextLength = 1024;

describeOpenAICompatibleContract(
  "simulated llama-cpp-python",
  async () => {
    const tokenizerPath = provisioned.models?.chatModelPath ?? "";
    let chat: SimulatedServer | undefined = await startSimulatedLlamaCppPython({ tokenizerPath, contextLength, embeddingDimensions: 384 });
    const embedding = await startSimulatedLlamaCppPython({ tokenizerPath, contextLength: 512, embeddingDimensions: 384 });
    const chatUrl = chat.baseUrl;
    return {
      baseUrl: chatUrl,
      model: "smollm2",
      contextLength,
      tokenizerPath,
      embeddingBaseUrl: embedding.baseUrl,
      embeddingModel: "minilm",
      embeddingDimensions: 384,
      countTokens: async (generated: string) => {
        const response = await fetch(`${chatUrl.replace(/\/v1$/, "")}/extras/tokenize`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ input: generated }) });
        return ((await response.json()) as { tokens: unknown[] }).tokens.length;
      },
      kill: async () => {
        const closing = chat;
        chat = undefined;
        await closing?.close();
      },
      close: async () => {
        await chat?.close();
        await embedding.close();
      },
    };
  },
  { skip: provisioned.skip },
);
