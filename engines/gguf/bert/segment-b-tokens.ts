/**
 * Token types for llama.cpp's BERT. A cross-encoder reads `[CLS] query [SEP] document [SEP]` with
 * token type 0 on the query half and 1 on the document half, but llama.cpp adds row 0 of the
 * token-type table to every token. Measured on ms-marco-MiniLM-L-12-v2: that alone moves logits by
 * up to 8.3 (correlation with onnxruntime's scores 0.955; 0.99985 with segment-B tokens).
 *
 * The fix needs no change to llama.cpp: the vocabulary is doubled. Token `offset + i` ("segment
 * B") embeds as `word[i] + type[1] - type[0]`, so after llama.cpp adds `type[0]` it carries
 * exactly `word[i] + type[1]`. A caller that passes the document's token ids shifted by `offset`
 * (and the segment-B separator after it) gets BERT's real input. The added tokens can never come
 * out of tokenizing text: their names start with "[", which BERT's pre-tokenizer always splits off
 * a word; all but the segment-B separator are UNUSED, and that one is CONTROL so a ranking
 * template can name it. The file's separator token (`tokenizer.ggml.seperator_token_id`) is the
 * segment-B [SEP], the one that closes a pair: node-llama-cpp's ranking context appends the
 * separator when a template does not end with it (and, in 3.21.1, prepends it instead), so the
 * template must end with exactly that token. [CLS] and the middle [SEP] (eos) stay type 0.
 * A file without the key behaves as before.
 */
import { TokenType, type WordPieceVocabulary } from "./wordpiece-vocabulary.ts";

/** GGUF metadata key (uint32): id offset of the segment-B copy of the vocabulary. */
export const SEGMENT_B_TOKEN_OFFSET_KEY = "federated_ai_graph.rank.segment_b_token_offset";

/** Name prefix of the segment-B tokens. */
const SEGMENT_B_PREFIX = "[B]";

/** The vocabulary followed by its segment-B copy (ids `tokens.length` and up). */
export function withSegmentBTokens(vocabulary: WordPieceVocabulary): WordPieceVocabulary {
  const separator = vocabulary.special.ids.separator;
  return {
    ...vocabulary,
    special: { ...vocabulary.special, ids: { ...vocabulary.special.ids, separator: vocabulary.tokens.length + separator } },
    tokens: [...vocabulary.tokens, ...vocabulary.tokens.map((token) => `${SEGMENT_B_PREFIX}${token}`)],
    tokenTypes: [...vocabulary.tokenTypes, ...vocabulary.tokenTypes.map((_, id) => (id === separator ? TokenType.control : TokenType.unused))],
  };
}

/**
 * The word-embedding table followed by its segment-B rows, row-major [2 * rows, width]:
 * `word[i] + typeB - typeA` in float32.
 */
export function segmentBEmbeddings(words: Float32Array, width: number, tokenTypes: Float32Array): Float32Array {
  const table = new Float32Array(words.length * 2);
  table.set(words);
  for (let index = 0; index < words.length; index += 1) {
    const column = index % width;
    table[words.length + index] = (words[index] ?? 0) + ((tokenTypes[width + column] ?? 0) - (tokenTypes[column] ?? 0));
  }
  return table;
}
