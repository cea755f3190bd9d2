import assert from "node:assert/strict";
import { access } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { convertSentenceTransformer, ModelConversionError } from "../../../engines/gguf/bert/convert-sentence-transformer.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { writeTinyBertModel, type TinyModelOverrides } from "./bert-tiny-model.ts";

const outputDirectory = await temporaryDirectory("bert-refusals-output");

/** Converts a tiny model changed by `overrides` and expects a refusal naming `file` and `field`. */
async function assertRefused(label: string, overrides: TinyModelOverrides, file: string, field: string, reason: RegExp): Promise<void> {
  const sourceDirectory = await writeTinyBertModel(label, overrides);
  const outputPath = join(outputDirectory, `${label}.gguf`);
  await assert.rejects(convertSentenceTransformer({ sourceDirectory, outputPath }), (error: unknown) => {
    assert.ok(error instanceof ModelConversionError, `expected a ModelConversionError, got ${String(error)}`);
    assert.equal(error.file, join(sourceDirectory, file));
    assert.equal(error.field, field);
    assert.match(error.reason, reason);
    assert.equal(error.message, `${join(sourceDirectory, file)}: ${field}: ${error.reason}`);
    return true;
  });
  await assert.rejects(access(outputPath), "no output file is left behind");
}

describe("convertSentenceTransformer refuses what it cannot convert", () => {
  it("another architecture", async () => {
    await assertRefused("gpt2", { config: (config) => ({ ...config, architectures: ["GPT2LMHeadModel"], model_type: "gpt2" }) }, "config.json", "architectures", /\["GPT2LMHeadModel"\] is not one BERT model/);
  });

  it("a BERT with a classification head", async () => {
    await assertRefused("classifier", { config: (config) => ({ ...config, architectures: ["BertForSequenceClassification"] }) }, "config.json", "architectures", /not one BERT model/);
  });

  it("another activation", async () => {
    await assertRefused("relu", { config: (config) => ({ ...config, hidden_act: "relu" }) }, "config.json", "hidden_act", /"relu" is not "gelu"/);
  });

  it("relative position embeddings", async () => {
    await assertRefused("relative", { config: (config) => ({ ...config, position_embedding_type: "relative_key" }) }, "config.json", "position_embedding_type", /not "absolute"/);
  });

  it("a config.json without a required hyperparameter", async () => {
    await assertRefused("no-hidden-size", { config: ({ hidden_size: _, ...rest }) => rest }, "config.json", "hidden_size", /expected number/);
  });

  it("a missing config.json", async () => {
    await assertRefused("no-config", { config: () => undefined }, "config.json", "(file)", /missing/);
  });

  it("a BPE tokenizer", async () => {
    await assertRefused("bpe", { tokenizer: (tokenizer) => ({ ...tokenizer, model: { type: "BPE", vocab: {}, merges: [] } }) }, "tokenizer.json", "model.type", /"BPE" is not "WordPiece"/);
  });

  it("a Unigram tokenizer", async () => {
    await assertRefused("unigram", { tokenizer: (tokenizer) => ({ ...tokenizer, model: { type: "Unigram", unk_id: 0, vocab: [["<unk>", 0]] } }) }, "tokenizer.json", "model.type", /"Unigram" is not "WordPiece"/);
  });

  it("a WordPiece continuation prefix other than ##", async () => {
    await assertRefused(
      "prefix",
      { tokenizer: (tokenizer) => ({ ...tokenizer, model: { ...(tokenizer["model"] as object), continuing_subword_prefix: "@@" } }) },
      "tokenizer.json",
      "model.continuing_subword_prefix",
      /"@@" is not "##"/,
    );
  });

  it("a vocabulary larger than config.json's vocab_size", async () => {
    await assertRefused("vocab-size", { config: (config) => ({ ...config, vocab_size: 10 }) }, "tokenizer.json", "model.vocab", /token id 10 .* is not below config.json's vocab_size 10/);
  });

  it("a missing [CLS] token", async () => {
    await assertRefused("no-cls", { tokenizerConfig: (config) => ({ ...config, cls_token: "<s>" }) }, "tokenizer.json", "added_tokens", /no \[CLS\] \(bos\/cls\) token "<s>"/);
  });

  it("a missing tensor", async () => {
    await assertRefused(
      "missing-tensor",
      { tensors: (tensors) => tensors.filter((tensor) => tensor.name !== "encoder.layer.0.attention.self.key.weight") },
      "model.safetensors",
      "encoder.layer.0.attention.self.key.weight",
      /missing; llama.cpp's bert architecture needs it as blk.0.attn_k.weight/,
    );
  });

  it("a tensor whose shape disagrees with config.json", async () => {
    await assertRefused(
      "wrong-shape",
      { tensors: (tensors) => tensors.map((tensor) => (tensor.name === "encoder.layer.0.intermediate.dense.weight" ? { ...tensor, shape: [8, 16] } : tensor)) },
      "model.safetensors",
      "encoder.layer.0.intermediate.dense.weight",
      /shape \[8, 16\] does not match config.json: expected \[16, 8\]/,
    );
  });

  it("a tensor of a layer config.json does not have", async () => {
    await assertRefused(
      "extra-layer",
      { tensors: (tensors) => [...tensors, { name: "encoder.layer.1.output.dense.bias", dtype: "F32", shape: [8], values: new Float32Array(8) }] },
      "model.safetensors",
      "encoder.layer.1.output.dense.bias",
      /not a tensor of a BertModel encoder/,
    );
  });

  it("integer weights", async () => {
    await assertRefused(
      "int-weights",
      { tensors: (tensors) => tensors.map((tensor) => (tensor.name === "embeddings.LayerNorm.bias" ? { ...tensor, dtype: "I64", values: new Array<number>(8).fill(0) } : tensor)) },
      "model.safetensors",
      "embeddings.LayerNorm.bias",
      /dtype I64 is not F32, F16 or BF16/,
    );
  });

  it("a Dense module after the pooling", async () => {
    await assertRefused(
      "dense",
      { modules: (modules) => [...modules.slice(0, 2), { idx: 2, name: "2", path: "2_Dense", type: "sentence_transformers.models.Dense" }] },
      "modules.json",
      "2",
      /module sentence_transformers.models.Dense at "2_Dense" is not supported/,
    );
  });

  it("no modules.json", async () => {
    await assertRefused("no-modules", { modules: () => undefined }, "modules.json", "(file)", /missing/);
  });

  it("max pooling", async () => {
    await assertRefused(
      "max-pooling",
      { pooling: (pooling) => ({ ...pooling, pooling_mode_mean_tokens: false, pooling_mode_max_tokens: true }) },
      join("1_Pooling", "config.json"),
      "pooling_mode_max_tokens",
      /only mean or CLS pooling/,
    );
  });

  it("a pooling width other than hidden_size", async () => {
    await assertRefused("pooling-width", { pooling: (pooling) => ({ ...pooling, word_embedding_dimension: 16 }) }, "modules.json", "word_embedding_dimension", /expects 16-d token vectors, config.json's hidden_size is 8/);
  });
});
