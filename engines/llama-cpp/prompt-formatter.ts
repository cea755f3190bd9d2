/**
 * Turns prompts into the exact tokens the model evaluates. Chats are rendered with the model's own
 * Jinja chat template (`tokenizer.chat_template` in the GGUF file, or the registry's override),
 * as the model was trained; only a file without a template gets a named wrapper that
 * node-llama-cpp resolves from the model's name and architecture. Token counts, the rendered
 * template and generation all come from the same rendering.
 *
 * Measured on SmolLM2-135M-Instruct: node-llama-cpp's auto-resolved ChatML wrapper started every
 * prompt with `<|im_start|>` twice (it adds BOS although the file says `add_bos_token=false`, and
 * this model's BOS is `<|im_start|>`) and dropped the template's default system prompt, so the
 * model answered "Who trained you?" as someone else; its own template gives 37 tokens for
 * "What is the capital of France?" where the wrapper gave 17.
 */
import {
  JinjaTemplateChatWrapper,
  LlamaText,
  resolveChatWrapper,
  type ChatWrapper,
  SpecialToken,
  SpecialTokensText,
  type BuiltInChatWrapperType,
  type ChatHistoryItem,
  type LlamaModel,
  type Token,
} from "node-llama-cpp";
import type { ChatMessage, GenerationPrompt } from "../engine.ts";
import { EngineError } from "../engine-error.ts";

export interface FormattedPrompt {
  readonly tokens: Token[];
  /** Stop strings the chat template needs besides the caller's (e.g. ChatML's "<|im_end|>" typed as text). */
  readonly stopSequences: readonly string[];
  /** Special tokens that end a turn but that llama.cpp does not treat as end of generation. */
  readonly stopTokens: ReadonlySet<Token>;
}

/** Where the chat template comes from: the registry's override, the GGUF file, or a built-in wrapper for files without one. */
export type ChatTemplateSource = "registry" | "model-file" | "built-in";

export interface PromptFormatterOptions {
  /** A Jinja chat template that replaces the file's (the registry's per-model override). Default: the file's. */
  chatTemplate?: string;
}

const chatRoles: ReadonlySet<string> = new Set(["system", "user", "assistant"]);
const probeHistory: ChatHistoryItem[] = [
  { type: "system", text: "probe" },
  { type: "user", text: "probe" },
  { type: "model", response: [] },
];

export class PromptFormatter {
  readonly #model: LlamaModel;
  readonly #chatWrapper: ChatWrapper | BuiltInChatWrapperType;
  readonly #chatTemplateSource: ChatTemplateSource;
  /** Why the file's template was not used, when it was not. */
  readonly #fallbackReason: string | undefined;

  constructor(model: LlamaModel, options: PromptFormatterOptions = {}) {
    this.#model = model;
    if (options.chatTemplate !== undefined) {
      // An override that does not render is a configuration error, never silently replaced.
      try {
        this.#chatWrapper = jinjaWrapper(options.chatTemplate, model);
      } catch (error) {
        throw new EngineError("engine-unavailable", `The registry's chat template for this model does not render: ${(error as Error).message}`, { cause: error });
      }
      this.#chatTemplateSource = "registry";
      return;
    }
    const fileTemplate = model.fileInfo.metadata.tokenizer?.chat_template;
    if (typeof fileTemplate === "string" && fileTemplate.trim() !== "") {
      try {
        this.#chatWrapper = jinjaWrapper(fileTemplate, model);
        this.#chatTemplateSource = "model-file";
        return;
      } catch (error) {
        this.#fallbackReason = `the file's chat template does not render: ${(error as Error).message}`;
      }
    } else {
      this.#fallbackReason = "the file has no chat template";
    }
    this.#chatWrapper = resolveChatWrapper(model);
    this.#chatTemplateSource = "built-in";
  }

  /** "jinja" for the model's own template (file or registry), else node-llama-cpp's wrapper name, e.g. "ChatML". */
  get chatTemplateName(): string {
    return this.#chatTemplateSource === "built-in" ? this.#chatWrapper.wrapperName : "jinja";
  }

  /** Where the template in use comes from. */
  get chatTemplateSource(): ChatTemplateSource {
    return this.#chatTemplateSource;
  }

  /** One line for the logs: which template chats are rendered with, and why. */
  describeChatTemplate(): string {
    if (this.#chatTemplateSource === "registry") return "the registry's Jinja chat template";
    if (this.#chatTemplateSource === "model-file") return "the model file's Jinja chat template";
    return `node-llama-cpp's ${this.#chatWrapper.wrapperName} wrapper (${this.#fallbackReason ?? "no template"})`;
  }

  format(prompt: GenerationPrompt): FormattedPrompt {
    if (prompt.kind === "text") return this.#formatText(prompt.text);
    if (prompt.kind === "chat") return this.#formatChat(prompt.messages);
    throw new EngineError("invalid-request", `Unknown prompt kind ${String((prompt as { kind: unknown }).kind)}`);
  }

  /** The chat as the model sees it, special tokens written as text (BOS included when the file's rule adds it). */
  applyChatTemplate(messages: readonly ChatMessage[]): string {
    const { contextText } = this.#chatState(messages);
    const rendered = this.#render(contextText);
    const tokens = contextText.tokenize(this.#model.tokenizer);
    const bosText = this.#model.tokens.bos === null ? "" : this.#model.detokenize([this.#model.tokens.bos], true);
    const difference = this.#withBosRule(tokens).length - tokens.length;
    if (difference > 0) return `${bosText}${rendered}`;
    if (difference < 0) return rendered.slice(bosText.length);
    return rendered;
  }

  #formatText(text: string): FormattedPrompt {
    if (typeof text !== "string") throw new EngineError("invalid-request", "A text prompt needs a string `text`");
    // The caller's text is plain text: "<|im_start|>" typed by a user must not become a control token.
    const tokens = this.#model.tokenize(text, false);
    const bos = this.#model.tokens.bos;
    if (this.#model.tokens.shouldPrependBosToken && bos !== null) tokens.unshift(bos);
    if (tokens.length === 0) throw new EngineError("invalid-request", "The prompt is empty");
    return { tokens, stopSequences: [], stopTokens: new Set() };
  }

  #formatChat(messages: readonly ChatMessage[]): FormattedPrompt {
    const state = this.#chatState(messages);
    const stopSequences: string[] = [];
    const stopTokens = new Set<Token>();
    for (const trigger of state.stopGenerationTriggers) {
      if (trigger.values.every((value) => typeof value === "string")) {
        stopSequences.push(trigger.values.join(""));
        continue;
      }
      // A trigger such as "<|im_end|>\n" from a Jinja template: its leading control token ends the
      // turn (what follows it is the template's formatting, never generated text).
      const [token] = trigger.tokenize(this.#model.tokenizer);
      // End-of-generation tokens already end `sequence.evaluate`.
      if (token !== undefined && this.#model.isSpecialToken(token) && !this.#model.isEogToken(token)) stopTokens.add(token);
    }
    return { tokens: this.#withBosRule(state.contextText.tokenize(this.#model.tokenizer)), stopSequences, stopTokens };
  }

  /**
   * The file's BOS rule, as llama.cpp's server applies it to a rendered template: BOS goes first
   * when the file says `add_bos_token` and the template did not already put it there; never
   * otherwise (a built-in wrapper that adds BOS to a model whose file says not to is corrected).
   */
  #withBosRule(tokens: Token[]): Token[] {
    const bos = this.#model.tokens.bos;
    if (bos === null) return tokens;
    if (this.#model.tokens.shouldPrependBosToken) return tokens[0] === bos ? tokens : [bos, ...tokens];
    return this.#chatTemplateSource === "built-in" && tokens[0] === bos && tokens[1] === bos ? tokens.slice(1) : tokens;
  }

  #chatState(messages: readonly ChatMessage[]): { contextText: LlamaText; stopGenerationTriggers: LlamaText[] } {
    const history = chatHistory(messages);
    let state;
    try {
      state = this.#chatWrapper.generateContextState({ chatHistory: history });
    } catch (error) {
      // Templates may refuse a conversation (e.g. roles that do not alternate): the caller's error.
      throw new EngineError("invalid-request", `The model's chat template refused these messages: ${(error as Error).message}`, { cause: error });
    }
    return { contextText: state.contextText, stopGenerationTriggers: state.stopGenerationTriggers };
  }

  /** Special tokens written as the model's own token text (e.g. BOS as "<s>"), as the model sees them. */
  #render(text: LlamaText): string {
    return text.values
      .map((value) => {
        if (typeof value === "string") return value;
        if (value instanceof SpecialTokensText) return value.value;
        if (value instanceof SpecialToken) return this.#model.detokenize(value.tokenize(this.#model.tokenizer), true);
        return "";
      })
      .join("");
  }
}

/** A Jinja wrapper for `template`, rendered once to fail at load time rather than on the first chat. */
function jinjaWrapper(template: string, model: LlamaModel): JinjaTemplateChatWrapper {
  const wrapper = new JinjaTemplateChatWrapper({ template, tokenizer: model.tokenizer });
  wrapper.generateContextState({ chatHistory: probeHistory });
  return wrapper;
}

/**
 * Messages as node-llama-cpp's chat history. A conversation that does not end with an assistant
 * message gets an empty assistant turn, which the template renders as the generation prompt; one
 * that ends with an assistant message has that message continued.
 */
function chatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new EngineError("invalid-request", "A chat prompt needs at least one message");
  }
  const history: ChatHistoryItem[] = messages.map((message, index) => {
    if (!chatRoles.has(message.role) || typeof message.content !== "string") {
      throw new EngineError("invalid-request", `Message ${index} needs a role of system, user or assistant and a string content`);
    }
    if (message.role === "system") return { type: "system", text: LlamaText(message.content).toJSON() };
    if (message.role === "user") return { type: "user", text: message.content };
    return { type: "model", response: [message.content] };
  });
  if (messages.at(-1)?.role !== "assistant") history.push({ type: "model", response: [] });
  return history;
}
