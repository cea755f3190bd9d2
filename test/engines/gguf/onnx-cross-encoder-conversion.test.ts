/**
 * The protobuf reader, the ONNX graph walk that dequantizes an onnxruntime INT8 BERT, and the
 * cross-encoder converter, on the hand-made stand-in of onnx-cross-encoder-model.ts. The real
 * ms-marco-MiniLM-L-12-v2 export is tested in test/real-models/reranker.test.ts.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gguf } from "@huggingface/gguf";
import { convertCrossEncoder } from "../../../engines/gguf/bert/convert-cross-encoder.ts";
import { ModelConversionError } from "../../../engines/gguf/bert/model-conversion-error.ts";
import { readOnnxBertWeights } from "../../../engines/gguf/bert/onnx-bert-weights.ts";
import { readOnnxModel } from "../../../engines/gguf/bert/onnx-model.ts";
import { ProtobufFormatError, protobufFields, readVarint, repeatedVarints } from "../../../engines/gguf/bert/protobuf-reader.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { tinyDimensions, tinyVocabulary } from "./bert-tiny-model.ts";
import { encodeVarint, MessageWriter, writeOnnxCrossEncoder, type QuantizedLinear } from "./onnx-cross-encoder-model.ts";

const { hidden, heads, intermediate, positions, tokenTypes } = tinyDimensions;
const standIn = await writeOnnxCrossEncoder("stand-in");
const outputDirectory = await temporaryDirectory("cross-encoder-output");

/** PyTorch-order [out, in] weight of a quantized Linear, dequantized independently of the code under test. */
function expectedWeight(linear: QuantizedLinear): Float32Array {
  const values = new Float32Array(linear.inputs * linear.outputs);
  for (let output = 0; output < linear.outputs; output += 1) {
    for (let input = 0; input < linear.inputs; input += 1) {
      const scale = linear.scales[linear.scales.length > 1 ? output : 0] ?? Number.NaN;
      values[output * linear.inputs + input] = Math.fround(((linear.quantized[input * linear.outputs + output] ?? 0) - linear.zeroPoint) * scale);
    }
  }
  return values;
}

describe("protobuf reader", () => {
  it("reads varints, including 10-byte negative int64 values", () => {
    assert.deepEqual(readVarint(Uint8Array.of(0xac, 0x02), 0), [300n, 2]);
    const minusOne = encodeVarint(BigInt.asUintN(64, -1n));
    assert.equal(minusOne.length, 10);
    const field = new MessageWriter().varint(3, -1).varint(3, 7).finish();
    assert.deepEqual(repeatedVarints([...protobufFields(field)]), [-1n, 7n]);
  });

  it("reads packed and unpacked repeated integers alike", () => {
    const packed = [...protobufFields(new MessageWriter().packedVarints(1, [1, 300, 5]).finish())];
    const unpacked = [...protobufFields(new MessageWriter().varint(1, 1).varint(1, 300).varint(1, 5).finish())];
    assert.deepEqual(repeatedVarints(packed), [1n, 300n, 5n]);
    assert.deepEqual(repeatedVarints(unpacked), [1n, 300n, 5n]);
  });

  it("refuses truncated messages and group wire types", () => {
    const message = new MessageWriter().string(2, "hello").finish();
    assert.throws(() => [...protobufFields(message.subarray(0, message.length - 1))], ProtobufFormatError);
    assert.throws(() => [...protobufFields(Uint8Array.of((1 << 3) | 3))], /wire type 3/);
  });
});

describe("readOnnxBertWeights on an onnxruntime-style INT8 export", () => {
  it("names every Linear after its bias and dequantizes it as the graph does, in PyTorch order", async () => {
    const weights = readOnnxBertWeights(await readOnnxModel(join(standIn.directory, "model.onnx")));
    assert.ok(standIn.linears.some((linear) => linear.scales.length > 1), "the stand-in has a per-column scale");
    assert.ok(standIn.linears.some((linear) => linear.zeroPoint !== 0), "the stand-in has a non-zero zero point");
    for (const linear of standIn.linears) {
      const found = weights.tensors.get(linear.name);
      assert.ok(found !== undefined, linear.name);
      assert.deepEqual(found.shape, [linear.outputs, linear.inputs], linear.name);
      assert.deepEqual(found.values(), expectedWeight(linear), linear.name);
    }
  });

  it("dequantizes the gathered UINT8 embedding tables and keeps the float initializers", async () => {
    const weights = readOnnxBertWeights(await readOnnxModel(join(standIn.directory, "model.onnx")));
    for (const table of standIn.tables) {
      const found = weights.tensors.get(table.name);
      assert.deepEqual(found?.shape, [table.rows, table.columns], table.name);
      assert.deepEqual(found?.values(), Float32Array.from(table.quantized, (value) => Math.fround((value - table.zeroPoint) * table.scale)), table.name);
    }
    for (const [name, values] of standIn.floats) assert.deepEqual(weights.tensors.get(name)?.values(), values, name);
    assert.equal(weights.tensors.size, standIn.linears.length + standIn.tables.length + standIn.floats.size);
  });

  it("finds the head count in the query reshape and the LayerNorm epsilon", async () => {
    const weights = readOnnxBertWeights(await readOnnxModel(join(standIn.directory, "model.onnx")));
    assert.equal(weights.headCount, heads);
    assert.equal(weights.layerNormEpsilon, Math.fround(standIn.epsilon));
  });
});

describe("convertCrossEncoder", () => {
  it("writes a float bert GGUF with rank pooling and the pooler/classifier as cls/cls.output", async () => {
    const converted = await convertCrossEncoder({ sourceDirectory: standIn.directory, outputPath: join(outputDirectory, "nested", "tiny-reranker.gguf"), type: "f32", name: "tiny-reranker", segmentBTokens: false });
    assert.deepEqual(
      { layers: converted.hyperparameters.layerCount, heads: converted.hyperparameters.headCount, hidden: converted.hyperparameters.hiddenSize, vocabulary: converted.hyperparameters.vocabularySize },
      { layers: 1, heads, hidden, vocabulary: tinyVocabulary.length },
    );
    const { typedMetadata, tensorInfos } = await gguf(converted.path, { allowLocalFile: true, typedMetadata: true });
    assert.equal(typedMetadata["general.architecture"]?.value, "bert");
    assert.equal(typedMetadata["general.name"]?.value, "tiny-reranker");
    assert.equal(typedMetadata["bert.pooling_type" as keyof typeof typedMetadata]?.value, 4);
    assert.equal(typedMetadata["bert.context_length" as keyof typeof typedMetadata]?.value, positions);
    const shapes = new Map(tensorInfos.map((info) => [info.name, info.shape.map(Number)]));
    assert.deepEqual(shapes.get("cls.weight"), [hidden, hidden]);
    assert.deepEqual(shapes.get("cls.bias"), [hidden]);
    assert.deepEqual(shapes.get("cls.output.weight"), [hidden, 1]);
    assert.deepEqual(shapes.get("cls.output.bias"), [1]);
    assert.deepEqual(shapes.get("token_types.weight"), [hidden, tokenTypes]);
    assert.deepEqual(shapes.get("blk.0.ffn_up.weight"), [hidden, intermediate]);
    assert.equal(tensorInfos.length, 5 + 16 + 4);
    assert.equal(converted.parameterCount, tensorInfos.reduce((total, info) => total + info.shape.reduce((product, size) => product * Number(size), 1), 0));
  });

  it("appends segment-B tokens: a vocabulary copy whose embeddings carry token type 1 instead of 0", async () => {
    const converted = await convertCrossEncoder({ sourceDirectory: standIn.directory, outputPath: join(outputDirectory, "segment-b.gguf"), type: "f32" });
    const size = tinyVocabulary.length;
    assert.equal(converted.segmentBTokenOffset, size);
    const { typedMetadata, tensorInfos, tensorDataOffset } = await gguf(converted.path, { allowLocalFile: true, typedMetadata: true });
    const value = (key: string): unknown => typedMetadata[key as keyof typeof typedMetadata]?.value;
    assert.equal(value("federated_ai_graph.rank.segment_b_token_offset"), size);
    const tokens = value("tokenizer.ggml.tokens") as string[];
    const types = value("tokenizer.ggml.token_type") as number[];
    const separator = tinyVocabulary.indexOf("[SEP]");
    assert.equal(tokens.length, 2 * size);
    assert.deepEqual(tokens.slice(size), tokens.slice(0, size).map((token) => `[B]${token}`));
    assert.deepEqual(types.slice(size), types.slice(0, size).map((_, id) => (id === separator ? 3 : 5)));
    // The closing separator is the segment-B one; [CLS] and the middle [SEP] (eos) stay type 0.
    assert.equal(value("tokenizer.ggml.seperator_token_id"), size + separator);
    assert.equal(value("tokenizer.ggml.eos_token_id"), separator);
    const embedding = tensorInfos.find((info) => info.name === "token_embd.weight");
    assert.deepEqual(embedding?.shape.map(Number), [hidden, 2 * size]);
    const bytes = await readFile(converted.path);
    const start = Number(tensorDataOffset) + Number(embedding?.offset ?? 0);
    const table = new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + start + 2 * size * hidden * 4));
    const words = standIn.tables.find((candidate) => candidate.name.endsWith("word_embeddings.weight"));
    const tokenTypeTable = standIn.tables.find((candidate) => candidate.name.endsWith("token_type_embeddings.weight"));
    assert.ok(words !== undefined && tokenTypeTable !== undefined);
    const dequantized = (quantized: Uint8Array, scale: number, zeroPoint: number) => Float32Array.from(quantized, (value) => Math.fround((value - zeroPoint) * scale));
    const wordValues = dequantized(words.quantized, words.scale, words.zeroPoint);
    const typeValues = dequantized(tokenTypeTable.quantized, tokenTypeTable.scale, tokenTypeTable.zeroPoint);
    assert.deepEqual(table.subarray(0, size * hidden), wordValues);
    for (let index = 0; index < size * hidden; index += 1) {
      const column = index % hidden;
      const expected = Math.fround((wordValues[index] ?? 0) + Math.fround((typeValues[hidden + column] ?? 0) - (typeValues[column] ?? 0)));
      assert.equal(table[size * hidden + index], expected, `segment-B value ${index}`);
    }
    const without = await convertCrossEncoder({ sourceDirectory: standIn.directory, outputPath: join(outputDirectory, "no-segment-b.gguf"), segmentBTokens: false });
    assert.equal(without.segmentBTokenOffset, undefined);
  });

  it("refuses a classifier with more than one output", async () => {
    const twoLabels = await writeOnnxCrossEncoder("two-labels", { classifierOutputs: 2 });
    await assert.rejects(
      convertCrossEncoder({ sourceDirectory: twoLabels.directory, outputPath: join(outputDirectory, "two.gguf") }),
      (error: unknown) => error instanceof ModelConversionError && error.field === "classifier.weight" && /2 outputs/.test(error.reason),
    );
  });

  it("refuses an encoder without GELU and a file that is not ONNX", async () => {
    const noGelu = await writeOnnxCrossEncoder("no-gelu", { withoutGelu: true });
    await assert.rejects(convertCrossEncoder({ sourceDirectory: noGelu.directory, outputPath: join(outputDirectory, "no-gelu.gguf") }), /only runs GELU/);
    const notOnnx = await temporaryDirectory("not-onnx");
    await writeFile(join(notOnnx, "model.onnx"), "GGUF is not protobuf");
    await assert.rejects(convertCrossEncoder({ sourceDirectory: notOnnx, outputPath: join(outputDirectory, "not.gguf") }), (error: unknown) => error instanceof ModelConversionError && /not an ONNX model/.test(error.reason));
  });
});
