/**
 * GGUF metadata of a `bert`-architecture model, key for key what llama.cpp's converter
 * (convert_hf_to_gguf.py BertModel + gguf.SpecialVocab) writes for a sentence-transformers model.
 */
import { DEFAULT_ALIGNMENT, metadata, type GgufMetadataEntry } from "../gguf-types.ts";
import type { BertHyperparameters } from "./bert-config.ts";
import type { BertOutputType } from "./bert-tensors.ts";
import { poolingTypeCodes, type PoolingKind } from "./sentence-transformer-modules.ts";
import type { WordPieceVocabulary } from "./wordpiece-vocabulary.ts";

/** llama.cpp's `llama_ftype`: ALL_F32 = 0, MOSTLY_F16 = 1. */
const fileTypeCodes: Readonly<Record<BertOutputType, number>> = { f32: 0, f16: 1 };
/** ggml's GGML_QNT_VERSION. */
const QUANTIZATION_VERSION = 2;
/** llama.cpp's LLAMA_POOLING_TYPE_RANK: [CLS] through the `cls`/`cls.output` head, one score per sequence. */
const RANK_POOLING = 4;
/**
 * llama.cpp ignores `tokenizer.ggml.pre` for WPM vocabularies (llama-vocab.cpp sets
 * LLAMA_VOCAB_PRE_TYPE_DEFAULT for them). Its converter records a name found by hashing the
 * tokenizer's output on a test string ("jina-v2-en" for MiniLM's uncased BERT vocabulary, hash
 * 0876d13b…, measured with tokenizers 0.23.3); that needs the real tokenizer, so we write "default".
 */
const PRE_TOKENIZER = "default";

export interface BertMetadataInput {
  readonly name: string;
  readonly hyper: BertHyperparameters;
  readonly vocabulary: WordPieceVocabulary;
  /** A sentence embedder's pooling, or "rank" for a cross-encoder (a classification head over [CLS]). */
  readonly pooling: PoolingKind | "rank";
  readonly outputType: BertOutputType;
}

export function bertMetadata({ name, hyper, vocabulary, pooling, outputType }: BertMetadataInput): GgufMetadataEntry[] {
  const { special } = vocabulary;
  const { ids } = special;
  const entries: GgufMetadataEntry[] = [
    { key: "general.architecture", value: metadata.string("bert") },
    { key: "general.type", value: metadata.string("model") },
    { key: "general.name", value: metadata.string(name) },
    { key: "general.alignment", value: metadata.uint32(DEFAULT_ALIGNMENT) },
    { key: "general.file_type", value: metadata.uint32(fileTypeCodes[outputType]) },
    { key: "general.quantization_version", value: metadata.uint32(QUANTIZATION_VERSION) },
    { key: "bert.block_count", value: metadata.uint32(hyper.layerCount) },
    // llama.cpp sizes position_embd as [n_embd, context_length]: it must be the table's row count.
    { key: "bert.context_length", value: metadata.uint32(hyper.maximumPositions) },
    { key: "bert.embedding_length", value: metadata.uint32(hyper.hiddenSize) },
    { key: "bert.feed_forward_length", value: metadata.uint32(hyper.intermediateSize) },
    { key: "bert.attention.head_count", value: metadata.uint32(hyper.headCount) },
    { key: "bert.attention.layer_norm_epsilon", value: metadata.float32(hyper.layerNormEpsilon) },
    { key: "bert.attention.causal", value: metadata.bool(false) },
    { key: "bert.pooling_type", value: metadata.uint32(pooling === "rank" ? RANK_POOLING : poolingTypeCodes[pooling]) },
    { key: "tokenizer.ggml.token_type_count", value: metadata.uint32(hyper.tokenTypeCount) },
    { key: "tokenizer.ggml.model", value: metadata.string("bert") },
    { key: "tokenizer.ggml.pre", value: metadata.string(PRE_TOKENIZER) },
    { key: "tokenizer.ggml.tokens", value: metadata.stringArray(vocabulary.tokens) },
    { key: "tokenizer.ggml.token_type", value: metadata.int32Array(vocabulary.tokenTypes) },
    // llama.cpp has no separate cls id any more (tokenizer.ggml.cls_token_id is deprecated): bos is [CLS].
    { key: "tokenizer.ggml.bos_token_id", value: metadata.uint32(ids.beginning) },
    { key: "tokenizer.ggml.eos_token_id", value: metadata.uint32(ids.end) },
    { key: "tokenizer.ggml.unknown_token_id", value: metadata.uint32(ids.unknown) },
    // The key's spelling is llama.cpp's own.
    { key: "tokenizer.ggml.seperator_token_id", value: metadata.uint32(ids.separator) },
  ];
  if (ids.padding !== undefined) {
    entries.push({ key: "tokenizer.ggml.padding_token_id", value: metadata.uint32(ids.padding) });
  }
  if (ids.mask !== undefined) {
    entries.push({ key: "tokenizer.ggml.mask_token_id", value: metadata.uint32(ids.mask) });
  }
  const optionalFlags: [string, boolean | undefined][] = [
    ["tokenizer.ggml.add_bos_token", special.addBeginning],
    ["tokenizer.ggml.add_eos_token", special.addEnd],
    ["tokenizer.ggml.add_sep_token", special.addSeparator],
    ["tokenizer.ggml.normalizer.lowercase", special.normalizerLowercase],
    ["tokenizer.ggml.normalizer.strip_accents", special.normalizerStripAccents],
  ];
  for (const [key, value] of optionalFlags) {
    if (value !== undefined) entries.push({ key, value: metadata.bool(value) });
  }
  return entries;
}
