/**
 * Exact token counts without asking the server: the served model's own GGUF file, loaded for its
 * vocabulary only (no weights: about 2 MB of memory for SmolLM2's 49k tokens, a few ms to load),
 * renders chats with the file's Jinja chat template — what llama.cpp-based servers and vLLM apply
 * to the same model — and tokenizes them. Named per model in the registry (`tokenizerPath`), for
 * servers whose streams carry no usage and that have no tokenizer endpoint for chats
 * (llama-cpp-python).
 */
import type { LlamaModel } from "node-llama-cpp";
import { EngineError } from "../engine-error.ts";
import type { GenerationPrompt } from "../engine.ts";
import { llamaRuntime } from "../llama-cpp/llama-instances.ts";
import { PromptFormatter } from "../llama-cpp/prompt-formatter.ts";

export class LocalTokenizer {
  readonly #model: LlamaModel;
  readonly #formatter: PromptFormatter;

  private constructor(model: LlamaModel, formatter: PromptFormatter) {
    this.#model = model;
    this.#formatter = formatter;
  }

  /** Loads the vocabulary (and chat template) of the GGUF file at `path`; `chatTemplate` overrides the file's. */
  static async open(path: string, chatTemplate?: string): Promise<LocalTokenizer> {
    let model: LlamaModel;
    try {
      model = await (await llamaRuntime("cpu")).loadModel({ modelPath: path, vocabOnly: true });
    } catch (error) {
      throw new EngineError("engine-unavailable", `Could not load the tokenizer file ${path}: ${(error as Error).message}`, { cause: error });
    }
    try {
      return new LocalTokenizer(model, new PromptFormatter(model, chatTemplate === undefined ? {} : { chatTemplate }));
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  /** Tokens the model evaluates for `prompt`: the chat template and the file's BOS rule applied. */
  countPrompt(prompt: GenerationPrompt): number {
    return this.#formatter.format(prompt).tokens.length;
  }

  /** Tokens of generated text: no BOS, special-token text taken as plain text. */
  countCompletion(text: string): number {
    return this.#model.tokenize(text, false).length;
  }

  close(): Promise<void> {
    return this.#model.dispose();
  }
}
