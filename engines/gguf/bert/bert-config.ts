/**
 * config.json of a Hugging Face BERT checkpoint, reduced to the hyperparameters llama.cpp's `bert`
 * architecture needs, with every assumption of that architecture checked up front.
 */
import { join } from "node:path";
import { z } from "zod";
import { readJsonFileWithSchema } from "./json-file.ts";
import { ModelConversionError } from "./model-conversion-error.ts";

/**
 * The `architectures` llama.cpp's converter maps to its BERT class, minus
 * BertForSequenceClassification (a classifier head, not a sentence embedder). A masked-LM head
 * is dropped on conversion, as llama.cpp does.
 */
const supportedArchitectures: readonly string[] = ["BertModel", "BertForMaskedLM"];
/** BertConfig's default, used when config.json leaves layer_norm_eps out. */
const DEFAULT_LAYER_NORM_EPSILON = 1e-12;

export interface BertHyperparameters {
  readonly architecture: string;
  readonly vocabularySize: number;
  /** n_embd: the width of every hidden state and of the sentence vector. */
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly layerCount: number;
  readonly headCount: number;
  /** Rows of the position table: the longest input, in tokens. */
  readonly maximumPositions: number;
  /** Rows of the token-type table (2 for BERT: sentence A and B). */
  readonly tokenTypeCount: number;
  readonly layerNormEpsilon: number;
  /** config.json's pad_token_id, a fallback for the padding token. */
  readonly paddingTokenId: number | undefined;
}

const positiveInteger = z.number().int().positive();

const bertConfigSchema = z.looseObject({
  architectures: z.array(z.string()).min(1, "must name the model class"),
  model_type: z.string().optional(),
  vocab_size: positiveInteger,
  hidden_size: positiveInteger,
  intermediate_size: positiveInteger,
  num_hidden_layers: positiveInteger,
  num_attention_heads: positiveInteger,
  max_position_embeddings: positiveInteger,
  type_vocab_size: positiveInteger.optional(),
  layer_norm_eps: z.number().positive().optional(),
  hidden_act: z.string().optional(),
  position_embedding_type: z.string().optional(),
  is_decoder: z.boolean().optional(),
  pad_token_id: z.number().int().nonnegative().nullable().optional(),
});

export async function readBertConfig(sourceDirectory: string): Promise<BertHyperparameters> {
  const path = join(sourceDirectory, "config.json");
  const config = await readJsonFileWithSchema(bertConfigSchema, path);
  const architecture = config.architectures.find((name) => supportedArchitectures.includes(name));
  if (architecture === undefined || config.architectures.length !== 1) {
    throw new ModelConversionError(path, "architectures", `${JSON.stringify(config.architectures)} is not one BERT model (supported: ${supportedArchitectures.join(", ")})`);
  }
  if (config.model_type !== undefined && config.model_type !== "bert") {
    throw new ModelConversionError(path, "model_type", `"${config.model_type}" is not "bert"`);
  }
  // llama.cpp's bert graph runs GELU (its tanh form; HF's "gelu" is the erf form: the difference
  // stays below the cosine 0.9999 the conversion test asserts) and absolute position embeddings.
  if (config.hidden_act !== undefined && config.hidden_act !== "gelu") {
    throw new ModelConversionError(path, "hidden_act", `"${config.hidden_act}" is not "gelu", the only activation llama.cpp's bert graph runs`);
  }
  if (config.position_embedding_type !== undefined && config.position_embedding_type !== "absolute") {
    throw new ModelConversionError(path, "position_embedding_type", `"${config.position_embedding_type}" is not "absolute"`);
  }
  if (config.is_decoder === true) {
    throw new ModelConversionError(path, "is_decoder", "a decoder (causal) BERT cannot be a sentence embedder");
  }
  if (config.hidden_size % config.num_attention_heads !== 0) {
    throw new ModelConversionError(path, "num_attention_heads", `${config.num_attention_heads} does not divide hidden_size ${config.hidden_size}`);
  }
  return {
    architecture,
    vocabularySize: config.vocab_size,
    hiddenSize: config.hidden_size,
    intermediateSize: config.intermediate_size,
    layerCount: config.num_hidden_layers,
    headCount: config.num_attention_heads,
    maximumPositions: config.max_position_embeddings,
    tokenTypeCount: config.type_vocab_size ?? 1,
    layerNormEpsilon: config.layer_norm_eps ?? DEFAULT_LAYER_NORM_EPSILON,
    paddingTokenId: config.pad_token_id ?? undefined,
  };
}
