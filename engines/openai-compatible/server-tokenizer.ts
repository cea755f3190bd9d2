/**
 * Exact token counts from the server's own tokenizer, where it has one.
 *
 * vLLM and llama.cpp server expose `POST /tokenize` on the server root (not under `/v1`), with different
 * bodies: vLLM reads `prompt` or `messages` (applying the chat template itself) and answers
 * `{count, tokens}`; llama.cpp reads only `content` and answers `{tokens}` — an empty list for a body
 * without `content` — and renders chats with its separate `POST /apply-template`. The first call uses
 * vLLM's body; an answer without `count` and with no tokens means llama.cpp, which is then remembered.
 * llama-cpp-python's server has no `/tokenize` but `POST /extras/tokenize` (`{input}` → `{tokens}`,
 * text only: it cannot render chats). Servers without any (OpenAI, Ollama, SGLang, TGI's differently
 * shaped one) are remembered as such, so they are asked once; transient failures (5xx, refused,
 * timeout) are asked again next time.
 */
import { APIError } from "openai";
import type OpenAI from "openai";
import { EngineError } from "../engine-error.ts";
import type { ChatMessage, GenerationPrompt } from "../engine.ts";
import { applyTemplateSchema, parseWire, tokenizeSchema } from "./wire-schemas.ts";

export interface ServerTokenizerSettings {
  readonly client: OpenAI;
  /** The server root, e.g. `http://127.0.0.1:8000` for a base URL `http://127.0.0.1:8000/v1`. */
  readonly serverRootUrl: string;
  readonly model: string;
  /** Milliseconds a tokenize call may take before the caller falls back to an estimate. */
  readonly timeoutMillis: number;
  /** Aborted when the engine closes. */
  readonly engineSignal: AbortSignal;
}

/** Which tokenize endpoint and body the server understands. */
type TokenizeDialect = "unknown" | "prompt-field" | "content-field" | "extras-input" | "unavailable";

/** Statuses that mean "this server has no such endpoint, or not one that understands us": asking again cannot help. */
const unsupportedStatuses: ReadonlySet<number> = new Set([400, 404, 405, 422, 501]);

function isUnsupported(error: unknown): boolean {
  if (error instanceof APIError && error.status !== undefined) return unsupportedStatuses.has(error.status);
  // A reply in a shape we do not know (TGI's `/tokenize` answers a bare array) will not change either.
  return error instanceof EngineError && error.code === "invalid-response";
}

/** The server root: the base URL without a trailing `/v1`. */
export function serverRootUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
}

export class ServerTokenizer {
  readonly #settings: ServerTokenizerSettings;
  #dialect: TokenizeDialect = "unknown";
  #applyTemplateAvailable = true;
  /** Whether llama-cpp-python's `/extras/tokenize` adds tokens (BOS) to any text; asked once. */
  #extrasAddsTokens: boolean | undefined;

  constructor(settings: ServerTokenizerSettings) {
    this.#settings = settings;
  }

  /** Tokens of `prompt` as the server counts them (chat template applied), or undefined when the server cannot tell us. */
  async count(prompt: GenerationPrompt): Promise<number | undefined> {
    if (this.#dialect === "unavailable") return undefined;
    if (this.#dialect === "extras-input") return prompt.kind === "text" ? this.#countWithExtras(prompt.text) : undefined;
    try {
      if (this.#dialect !== "content-field") {
        const body =
          prompt.kind === "text"
            ? { model: this.#settings.model, prompt: prompt.text }
            : { model: this.#settings.model, messages: prompt.messages, add_generation_prompt: true };
        const reply = parseWire(tokenizeSchema, await this.#post("/tokenize", body), "POST /tokenize");
        if (reply.count !== undefined || reply.tokens.length > 0) {
          this.#dialect = "prompt-field";
          return reply.count ?? reply.tokens.length;
        }
        this.#dialect = "content-field";
      }
    } catch (error) {
      if (!isUnsupported(error)) return undefined;
      // No /tokenize: llama-cpp-python's /extras/tokenize, or nothing at all.
      this.#dialect = "extras-input";
      // A chat cannot be counted there (no template endpoint), but the probe settles the dialect.
      const counted = await this.#countWithExtras(prompt.kind === "text" ? prompt.text : "probe");
      return prompt.kind === "text" ? counted : undefined;
    }
    return this.#countWithContentField(prompt);
  }

  /**
   * Tokens of generated text, without the special tokens a prompt gets (BOS), or undefined when the
   * server cannot count them exactly. llama-cpp-python's `/extras/tokenize` always adds the model's
   * BOS rule, so its counts are used only for models that add no BOS (it answers for `""` with none).
   */
  async countCompletion(text: string): Promise<number | undefined> {
    if (this.#dialect === "unknown") await this.count({ kind: "text", text });
    try {
      if (this.#dialect === "prompt-field") {
        const reply = parseWire(tokenizeSchema, await this.#post("/tokenize", { model: this.#settings.model, prompt: text, add_special_tokens: false }), "POST /tokenize");
        return reply.count ?? reply.tokens.length;
      }
      if (this.#dialect === "content-field") {
        return parseWire(tokenizeSchema, await this.#post("/tokenize", { content: text, add_special: false }), "POST /tokenize").tokens.length;
      }
      if (this.#dialect === "extras-input") {
        if (this.#extrasAddsTokens === undefined) this.#extrasAddsTokens = ((await this.#countWithExtras("")) ?? 1) > 0;
        return this.#extrasAddsTokens ? undefined : this.#countWithExtras(text);
      }
    } catch {
      return undefined;
    }
    return undefined;
  }


  async #countWithExtras(text: string): Promise<number | undefined> {
    try {
      const reply = parseWire(tokenizeSchema, await this.#post("/extras/tokenize", { model: this.#settings.model, input: text }), "POST /extras/tokenize");
      return reply.tokens.length;
    } catch (error) {
      if (isUnsupported(error)) this.#dialect = "unavailable";
      return undefined;
    }
  }

  async #countWithContentField(prompt: GenerationPrompt): Promise<number | undefined> {
    const content = prompt.kind === "text" ? prompt.text : await this.#renderWithServerTemplate(prompt.messages);
    if (content === undefined) return undefined;
    try {
      // add_special: the server adds BOS when it tokenizes a prompt for generation, so count it too.
      const reply = parseWire(tokenizeSchema, await this.#post("/tokenize", { content, add_special: true }), "POST /tokenize");
      return reply.tokens.length;
    } catch (error) {
      if (isUnsupported(error)) this.#dialect = "unavailable";
      return undefined;
    }
  }

  async #renderWithServerTemplate(messages: readonly ChatMessage[]): Promise<string | undefined> {
    if (!this.#applyTemplateAvailable) return undefined;
    try {
      const reply = parseWire(applyTemplateSchema, await this.#post("/apply-template", { messages }), "POST /apply-template");
      return reply.prompt;
    } catch (error) {
      // Older llama.cpp builds lack the endpoint; text prompts can still be counted exactly.
      if (isUnsupported(error)) this.#applyTemplateAvailable = false;
      return undefined;
    }
  }

  #post(path: string, body: object): Promise<unknown> {
    const { client, serverRootUrl: root, timeoutMillis, engineSignal } = this.#settings;
    // An absolute URL makes the SDK bypass its `/v1` base URL while keeping auth headers and error types.
    return client.post<unknown>(`${root}${path}`, { body, timeout: timeoutMillis, maxRetries: 0, signal: engineSignal });
  }
}
