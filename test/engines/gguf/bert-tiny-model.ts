/**
 * Hand-made sentence-transformers BERT directories for the converter's tests: a 1-layer,
 * 8-wide BERT with a 12-token WordPiece vocabulary, laid out like all-MiniLM-L6-v2's files, plus a
 * minimal safetensors writer. Every part can be overridden or dropped to provoke one refusal.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { float32ToFloat16Bits } from "../../../engines/gguf/half-float.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";

export const tinyDimensions = { hidden: 8, heads: 2, intermediate: 16, layers: 1, positions: 16, tokenTypes: 2 } as const;

/** [PAD]=0 … [MASK]=4 as in BERT's added tokens, then ordinary pieces. */
export const tinyVocabulary: readonly string[] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "!", "the", "cat", "##s", "[unused0]"];

export type SafetensorsDtype = "F32" | "F16" | "BF16" | "I64";

export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  /** PyTorch order. */
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
}

/** Writes a safetensors file: u64 LE header length, space-padded JSON header, packed data. */
export async function writeSafetensors(path: string, entries: readonly SafetensorsEntry[], metadata?: Record<string, string>): Promise<void> {
  const header: Record<string, unknown> = metadata === undefined ? {} : { __metadata__: metadata };
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const bytes = encodeValues(entry.dtype, entry.values);
    header[entry.name] = { dtype: entry.dtype, shape: entry.shape, data_offsets: [offset, offset + bytes.length] };
    blobs.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(Buffer.byteLength(json)), true);
  await writeFile(path, Buffer.concat([length, Buffer.from(json, "utf8"), ...blobs]));
}

function encodeValues(dtype: SafetensorsDtype, values: ArrayLike<number>): Uint8Array {
  const count = values.length;
  const bytesPer = dtype === "F32" ? 4 : dtype === "I64" ? 8 : 2;
  const view = new DataView(new ArrayBuffer(count * bytesPer));
  const scratch = new DataView(new ArrayBuffer(4));
  for (let index = 0; index < count; index += 1) {
    const value = values[index] ?? 0;
    if (dtype === "F32") view.setFloat32(index * 4, value, true);
    else if (dtype === "F16") view.setUint16(index * 2, float32ToFloat16Bits(value), true);
    else if (dtype === "I64") view.setBigInt64(index * 8, BigInt(value), true);
    else {
      scratch.setFloat32(0, value);
      view.setUint16(index * 2, scratch.getUint16(0), true); // bfloat16: the float32's top half (truncated)
    }
  }
  return new Uint8Array(view.buffer);
}

/**
 * Values exact in F16 and BF16 alike (multiples of 1/64 below 2), distinct per tensor, so the
 * same weights stored in any float dtype convert to identical GGUF bytes.
 */
function tensorValues(count: number, seed: number): Float32Array {
  return Float32Array.from({ length: count }, (_, index) => (((index * 7 + seed * 13) % 61) - 30) / 64);
}

/** The tensors of a BertModel checkpoint (PyTorch names and shapes), including the ones converters drop. */
export function tinyBertTensors(dtype: SafetensorsDtype = "F32"): SafetensorsEntry[] {
  const { hidden, intermediate, layers, positions, tokenTypes } = tinyDimensions;
  const shapes: [string, number[]][] = [
    ["embeddings.word_embeddings.weight", [tinyVocabulary.length, hidden]],
    ["embeddings.position_embeddings.weight", [positions, hidden]],
    ["embeddings.token_type_embeddings.weight", [tokenTypes, hidden]],
    ["embeddings.LayerNorm.weight", [hidden]],
    ["embeddings.LayerNorm.bias", [hidden]],
  ];
  for (let layer = 0; layer < layers; layer += 1) {
    const prefix = `encoder.layer.${layer}`;
    for (const part of ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"]) {
      shapes.push([`${prefix}.${part}.weight`, [hidden, hidden]], [`${prefix}.${part}.bias`, [hidden]]);
    }
    shapes.push(
      [`${prefix}.attention.output.LayerNorm.weight`, [hidden]],
      [`${prefix}.attention.output.LayerNorm.bias`, [hidden]],
      [`${prefix}.intermediate.dense.weight`, [intermediate, hidden]],
      [`${prefix}.intermediate.dense.bias`, [intermediate]],
      [`${prefix}.output.dense.weight`, [hidden, intermediate]],
      [`${prefix}.output.dense.bias`, [hidden]],
      [`${prefix}.output.LayerNorm.weight`, [hidden]],
      [`${prefix}.output.LayerNorm.bias`, [hidden]],
    );
  }
  shapes.push(["pooler.dense.weight", [hidden, hidden]], ["pooler.dense.bias", [hidden]]);
  const entries: SafetensorsEntry[] = shapes.map(([name, shape], seed) => ({
    name,
    dtype,
    shape,
    values: name.includes("LayerNorm.weight")
      ? new Float32Array(shape[0] ?? 0).fill(1)
      : tensorValues(shape.reduce((product, size) => product * size, 1), seed),
  }));
  entries.push({ name: "embeddings.position_ids", dtype: "I64", shape: [1, positions], values: Array.from({ length: positions }, (_, index) => index) });
  return entries;
}

export function tinyConfig(): Record<string, unknown> {
  const { hidden, heads, intermediate, layers, positions, tokenTypes } = tinyDimensions;
  return {
    architectures: ["BertModel"],
    model_type: "bert",
    hidden_act: "gelu",
    hidden_size: hidden,
    intermediate_size: intermediate,
    layer_norm_eps: 1e-12,
    max_position_embeddings: positions,
    num_attention_heads: heads,
    num_hidden_layers: layers,
    pad_token_id: 0,
    position_embedding_type: "absolute",
    type_vocab_size: tokenTypes,
    vocab_size: tinyVocabulary.length,
  };
}

export function tinyTokenizer(): Record<string, unknown> {
  const special = (content: string) => ({ id: tinyVocabulary.indexOf(content), special: true, content, single_word: false, lstrip: false, rstrip: false, normalized: false });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].map(special),
    normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } }],
      pair: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
        { Sequence: { id: "B", type_id: 1 } },
        { SpecialToken: { id: "[SEP]", type_id: 1 } },
      ],
      special_tokens: {},
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(tinyVocabulary.map((token, id) => [token, id])),
    },
  };
}

export function tinyTokenizerConfig(): Record<string, unknown> {
  return { do_lower_case: true, unk_token: "[UNK]", sep_token: "[SEP]", pad_token: "[PAD]", cls_token: "[CLS]", mask_token: "[MASK]", model_max_length: 512 };
}

export function tinyModules(): Record<string, unknown>[] {
  return [
    { idx: 0, name: "0", path: "", type: "sentence_transformers.models.Transformer" },
    { idx: 1, name: "1", path: "1_Pooling", type: "sentence_transformers.models.Pooling" },
    { idx: 2, name: "2", path: "2_Normalize", type: "sentence_transformers.models.Normalize" },
  ];
}

export function tinyPooling(): Record<string, unknown> {
  return { word_embedding_dimension: tinyDimensions.hidden, pooling_mode_cls_token: false, pooling_mode_mean_tokens: true, pooling_mode_max_tokens: false, pooling_mode_mean_sqrt_len_tokens: false };
}

export interface TinyModelOverrides {
  /** Each file's JSON, changed by a function; return `undefined` to leave the file out. */
  readonly config?: (config: Record<string, unknown>) => Record<string, unknown> | undefined;
  readonly tokenizer?: (tokenizer: Record<string, unknown>) => Record<string, unknown> | undefined;
  readonly tokenizerConfig?: (config: Record<string, unknown>) => Record<string, unknown> | undefined;
  readonly modules?: (modules: Record<string, unknown>[]) => Record<string, unknown>[] | undefined;
  readonly pooling?: (pooling: Record<string, unknown>) => Record<string, unknown> | undefined;
  readonly tensors?: (tensors: SafetensorsEntry[]) => SafetensorsEntry[];
  readonly dtype?: SafetensorsDtype;
}

/** Writes a tiny model directory and returns its path. */
export async function writeTinyBertModel(label: string, overrides: TinyModelOverrides = {}): Promise<string> {
  const directory = await temporaryDirectory(`bert-${label}`);
  const writeJson = async (relativePath: string, value: unknown): Promise<void> => {
    if (value === undefined) return;
    await mkdir(join(directory, relativePath, ".."), { recursive: true });
    await writeFile(join(directory, relativePath), JSON.stringify(value, null, 1));
  };
  const apply = <Value>(value: Value, change: ((value: Value) => Value | undefined) | undefined): Value | undefined =>
    change === undefined ? value : change(value);
  await writeJson("config.json", apply(tinyConfig(), overrides.config));
  await writeJson("tokenizer.json", apply(tinyTokenizer(), overrides.tokenizer));
  await writeJson("tokenizer_config.json", apply(tinyTokenizerConfig(), overrides.tokenizerConfig));
  await writeJson("modules.json", apply(tinyModules(), overrides.modules));
  await writeJson("1_Pooling/config.json", apply(tinyPooling(), overrides.pooling));
  const tensors = tinyBertTensors(overrides.dtype ?? "F32");
  await writeSafetensors(join(directory, "model.safetensors"), overrides.tensors === undefined ? tensors : overrides.tensors(tensors));
  return directory;
}
