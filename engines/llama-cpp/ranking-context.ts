/**
 * Reranking with node-llama-cpp's ranking context: one (query, document) pair per evaluation,
 * scored by the model's rank-pooling head and returned as a probability (sigmoid of the logit).
 *
 * Input layout: node-llama-cpp builds `[BOS] query [EOS] [SEP] document [EOS]` (the XLM-RoBERTa
 * layout `<s> q </s></s> d </s>`, right for such rerankers). For a BERT (WordPiece) reranker both
 * [EOS] and [SEP] are [SEP], which doubles the separator; BERT cross-encoders are trained on
 * `[CLS] query [SEP] document [SEP]`, so for them a template with one separator is passed, unless
 * the GGUF brings its own rerank template.
 *
 * Token types: llama.cpp gives every token type 0. A GGUF converted with segment-B tokens
 * (engines/gguf/bert/segment-b-tokens.ts) has a second copy of the vocabulary that carries type 1;
 * the document's token ids are then shifted into it and the closing separator is the segment-B
 * one, so the model reads BERT's real token types. Measured on ms-marco-MiniLM-L-12-v2
 * (test/real-models/reranker.test.ts): within 0.009 logit of a float64 reference forward pass and
 * 0.30 of onnxruntime on the INT8 original; every token type 0 instead: up to 8.3 logits off.
 */
import { LlamaVocabularyType, type LlamaModel, type LlamaRankingContext, type Token } from "node-llama-cpp";
import { EngineError } from "../engine-error.ts";
import { SEGMENT_B_TOKEN_OFFSET_KEY } from "../gguf/bert/segment-b-tokens.ts";

type RankingTemplate = `${string}{{query}}${string}{{document}}${string}`;

export interface RankingContextOptions {
  /** Tokens of one (query, document) pair, specials included. */
  contextLength: number;
  threads: number;
}

export class RankingContext {
  readonly #context: LlamaRankingContext;
  readonly #model: LlamaModel;
  readonly #segmentBOffset: number | undefined;

  private constructor(context: LlamaRankingContext, model: LlamaModel, segmentBOffset: number | undefined) {
    this.#context = context;
    this.#model = model;
    this.#segmentBOffset = segmentBOffset;
  }

  static async create(model: LlamaModel, options: RankingContextOptions): Promise<RankingContext> {
    const template = rankingTemplate(model);
    const context = await model.createRankingContext({
      contextSize: options.contextLength,
      threads: options.threads,
      ...(template === undefined ? {} : { template }),
    });
    return new RankingContext(context, model, template === undefined ? undefined : segmentBTokenOffset(model));
  }

  /**
   * One probability in [0, 1] per document, in order. Documents are scored one after the other
   * (node-llama-cpp evaluates one pair at a time); `signal` is checked before each.
   */
  async rank(query: string, documents: readonly string[], signal: AbortSignal): Promise<number[]> {
    const inputs = documents.map((document) => this.#documentInput(document));
    inputs.forEach((document, index) => {
      const length = this.#context.calculateInputLength(query, document);
      if (length >= this.#context.contextSize) {
        throw new EngineError("context-overflow", `Document ${index} with the query takes ${length} tokens; the reranker reads at most ${this.#context.contextSize - 1}`);
      }
    });
    const scores: number[] = [];
    for (const document of inputs) {
      if (signal.aborted) throw new EngineError("cancelled", "Reranking was cancelled", { cause: signal.reason });
      scores.push(await this.#context.rank(query, document));
    }
    return scores;
  }

  /** The document as text, or as segment-B token ids when the model has them. */
  #documentInput(document: string): string | Token[] {
    const offset = this.#segmentBOffset;
    if (offset === undefined) return document;
    return this.#model.tokenize(document, false, "trimLeadingSpace").map((token) => (token + offset) as Token);
  }

  dispose(): Promise<void> {
    return this.#context.dispose();
  }
}

/**
 * `{{query}}[SEP]{{document}}[SEP]` for a WordPiece model without its own rerank template (with
 * the segment-B [SEP] last when the model has segment-B tokens); else node-llama-cpp's default.
 */
export function rankingTemplate(model: LlamaModel): RankingTemplate | undefined {
  if (model.vocabularyType !== LlamaVocabularyType.wpm) return undefined;
  if (model.fileInfo.metadata.tokenizer?.["chat_template.rerank"] !== undefined) return undefined;
  const separator = model.tokens.sep;
  const closing = model.tokens.sepString;
  if (separator === null || closing === null) return undefined;
  // With segment-B tokens the file's separator is the segment-B [SEP]; the one between query and document is type 0.
  const offset = segmentBTokenOffset(model);
  const middle = offset === undefined ? closing : model.detokenize([(separator - offset) as Token], true);
  // node-llama-cpp puts [CLS] (bos) first itself; a template ending in the separator stops it adding one.
  return `{{query}}${middle}{{document}}${closing}`;
}

/** The GGUF's segment-B token offset, when it has one. */
export function segmentBTokenOffset(model: LlamaModel): number | undefined {
  let value: unknown = model.fileInfo.metadata;
  for (const part of SEGMENT_B_TOKEN_OFFSET_KEY.split(".")) {
    value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  }
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}
