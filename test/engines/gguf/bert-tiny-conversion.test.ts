import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gguf } from "@huggingface/gguf";
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { convertSentenceTransformer, type ConvertedSentenceTransformer } from "../../../engines/gguf/bert/convert-sentence-transformer.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { tinyBertTensors, tinyDimensions, tinyVocabulary, writeTinyBertModel } from "./bert-tiny-model.ts";

const outputDirectory = await temporaryDirectory("bert-tiny-output");
const sourceDirectory = await writeTinyBertModel("tiny");
const { hidden, intermediate, positions, tokenTypes } = tinyDimensions;

const expectedTensors: ReadonlyArray<readonly [string, readonly number[], "F16" | "F32"]> = [
  ["token_embd.weight", [hidden, tinyVocabulary.length], "F16"],
  ["position_embd.weight", [hidden, positions], "F32"],
  ["token_types.weight", [hidden, tokenTypes], "F32"],
  ["token_embd_norm.weight", [hidden], "F32"],
  ["token_embd_norm.bias", [hidden], "F32"],
  ...["attn_q", "attn_k", "attn_v", "attn_output"].flatMap((name) => [
    [`blk.0.${name}.weight`, [hidden, hidden], "F16"] as const,
    [`blk.0.${name}.bias`, [hidden], "F32"] as const,
  ]),
  ["blk.0.attn_output_norm.weight", [hidden], "F32"],
  ["blk.0.attn_output_norm.bias", [hidden], "F32"],
  ["blk.0.ffn_up.weight", [hidden, intermediate], "F16"],
  ["blk.0.ffn_up.bias", [intermediate], "F32"],
  ["blk.0.ffn_down.weight", [intermediate, hidden], "F16"],
  ["blk.0.ffn_down.bias", [hidden], "F32"],
  ["blk.0.layer_output_norm.weight", [hidden], "F32"],
  ["blk.0.layer_output_norm.bias", [hidden], "F32"],
];
const ggmlTypeCodes = { F32: 0, F16: 1 } as const;

let converted: ConvertedSentenceTransformer;
before(async () => {
  converted = await convertSentenceTransformer({ sourceDirectory, outputPath: join(outputDirectory, "nested", "tiny-f16.gguf"), name: "tiny-bert" });
});

describe("convertSentenceTransformer on a hand-made BERT", () => {
  it("reports what it wrote", async () => {
    const file = await readFile(converted.path);
    assert.equal(converted.bytes, file.length);
    assert.deepEqual(
      { type: converted.type, dimensions: converted.dimensions, contextLength: converted.contextLength, pooling: converted.pooling, normalize: converted.normalize },
      { type: "f16", dimensions: hidden, contextLength: positions, pooling: "mean", normalize: true },
    );
    const parameterCount = expectedTensors.reduce((total, [, shape]) => total + shape.reduce((product, size) => product * size, 1), 0);
    assert.equal(converted.parameterCount, parameterCount);
  });

  it("writes llama.cpp's bert metadata and phantom-space WordPiece vocabulary", async () => {
    const { typedMetadata } = await gguf(converted.path, { allowLocalFile: true, typedMetadata: true });
    const value = (key: string): unknown => typedMetadata[key]?.value;
    const expected: Record<string, unknown> = {
      "general.architecture": "bert",
      "general.type": "model",
      "general.name": "tiny-bert",
      "general.file_type": 1,
      "bert.block_count": 1,
      "bert.context_length": positions,
      "bert.embedding_length": hidden,
      "bert.feed_forward_length": intermediate,
      "bert.attention.head_count": tinyDimensions.heads,
      "bert.attention.causal": false,
      "bert.pooling_type": 1,
      "tokenizer.ggml.model": "bert",
      "tokenizer.ggml.token_type_count": tokenTypes,
      "tokenizer.ggml.tokens": ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "▁hello", "▁world", "▁!", "▁the", "▁cat", "s", "▁[unused0]"],
      "tokenizer.ggml.token_type": [3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1],
      "tokenizer.ggml.bos_token_id": 2,
      "tokenizer.ggml.eos_token_id": 3,
      "tokenizer.ggml.unknown_token_id": 1,
      "tokenizer.ggml.seperator_token_id": 3,
      "tokenizer.ggml.padding_token_id": 0,
      "tokenizer.ggml.mask_token_id": 4,
      "tokenizer.ggml.add_bos_token": true,
      "tokenizer.ggml.add_eos_token": true,
      "tokenizer.ggml.add_sep_token": false,
      "tokenizer.ggml.normalizer.lowercase": true,
    };
    for (const [key, expectedValue] of Object.entries(expected)) assert.deepEqual(value(key), expectedValue, key);
    assert.equal(Math.fround(Number(value("bert.attention.layer_norm_epsilon"))), Math.fround(1e-12));
    assert.equal(value("tokenizer.ggml.normalizer.strip_accents"), undefined, "null in tokenizer.json: llama.cpp follows lowercase");
    assert.equal(value("tokenizer.ggml.scores"), undefined);
  });

  it("maps every tensor, drops the pooler and position_ids, and keeps norms, biases and tables F32 in an F16 file", async () => {
    const { tensorInfos } = await gguf(converted.path, { allowLocalFile: true });
    assert.deepEqual(
      tensorInfos.map(({ name, shape, dtype }) => [name, shape.map(Number), dtype]),
      expectedTensors.map(([name, shape, type]) => [name, [...shape], ggmlTypeCodes[type]]),
    );
  });

  it("writes everything F32 with type f32, values copied unchanged", async () => {
    const result = await convertSentenceTransformer({ sourceDirectory, outputPath: join(outputDirectory, "tiny-f32.gguf"), type: "f32" });
    const { tensorInfos, tensorDataOffset, typedMetadata } = await gguf(result.path, { allowLocalFile: true, typedMetadata: true });
    assert.equal(typedMetadata["general.file_type"]?.value, 0);
    assert.ok(tensorInfos.every((info) => info.dtype === 0));
    const file = await readFile(result.path);
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const source = tinyBertTensors().find((tensor) => tensor.name === "encoder.layer.0.intermediate.dense.weight");
    const info = tensorInfos.find((candidate) => candidate.name === "blk.0.ffn_up.weight");
    assert.ok(source !== undefined && info !== undefined);
    const start = Number(tensorDataOffset + info.offset);
    Array.from(source.values).forEach((expected, index) => assert.equal(view.getFloat32(start + index * 4, true), expected));
  });

  it("gives byte-identical files from F32, F16 and BF16 sources holding the same values", async () => {
    const hashes = new Set<string>();
    for (const dtype of ["F32", "F16", "BF16"] as const) {
      const directory = await writeTinyBertModel(`tiny-${dtype}`, { dtype });
      const result = await convertSentenceTransformer({ sourceDirectory: directory, outputPath: join(outputDirectory, `from-${dtype}.gguf`), name: "same" });
      hashes.add(result.sha256);
    }
    assert.equal(hashes.size, 1);
  });

  it("reads CLS pooling and the absence of a Normalize module", async () => {
    const directory = await writeTinyBertModel("tiny-cls", {
      modules: (modules) => modules.slice(0, 2),
      pooling: (pooling) => ({ ...pooling, pooling_mode_mean_tokens: false, pooling_mode_cls_token: true }),
    });
    const result = await convertSentenceTransformer({ sourceDirectory: directory, outputPath: join(outputDirectory, "cls.gguf") });
    assert.deepEqual({ pooling: result.pooling, normalize: result.normalize }, { pooling: "cls", normalize: false });
    const { typedMetadata } = await gguf(result.path, { allowLocalFile: true, typedMetadata: true });
    assert.equal(typedMetadata["bert.pooling_type"]?.value, 2);
  });
});

describe("the converted hand-made BERT in node-llama-cpp", () => {
  let llama: Llama;
  before(async () => {
    llama = await getLlama({ build: "never", gpu: false, maxThreads: availableParallelism(), logLevel: LlamaLogLevel.error });
  });
  after(async () => {
    await llama.dispose();
  });

  it("loads as a WordPiece model, tokenizes like BERT and embeds", async () => {
    const model = await llama.loadModel({ modelPath: converted.path });
    const context = await model.createEmbeddingContext({ contextSize: positions, threads: 1 });
    try {
      assert.equal(model.vocabularyType, "wpm");
      assert.equal(model.embeddingVectorSize, hidden);
      // Lower-cased, split at punctuation, "cats" = "cat" + "##s", an unknown word is [UNK].
      assert.deepEqual(Array.from(model.tokenize("Hello CATS, the world!")), [5, 9, 10, 1, 8, 6, 7]);
      assert.equal(context.calculateInputLength("Hello world"), 4, "[CLS] hello world [SEP]");
      const embedding = await context.getEmbeddingFor("hello world");
      assert.equal(embedding.vector.length, hidden);
      assert.ok(embedding.vector.every(Number.isFinite));
    } finally {
      await context.dispose();
      await model.dispose();
    }
  });
});
