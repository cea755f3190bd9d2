/**
 * A hand-made stand-in for an onnxruntime INT8 cross-encoder export, written with a minimal
 * protobuf writer: the tiny BERT of bert-tiny-model.ts plus a one-logit classifier, every Linear
 * quantized to INT8 (per tensor, one per output column, one with a non-zero zero point) in
 * onnxruntime's DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul -> Add(bias) pattern under
 * anonymous `onnx::MatMul_N` names, embedding tables as UINT8 behind Gather -> DequantizeLinear.
 * Only the nodes the converter follows are there: the graph is not meant to be run.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { tinyBertTensors, tinyDimensions, tinyTokenizer, tinyTokenizerConfig } from "./bert-tiny-model.ts";

/** A protobuf message being written: fields appended in order. */
export class MessageWriter {
  readonly #parts: Uint8Array[] = [];

  varint(field: number, value: number | bigint): this {
    this.#parts.push(encodeVarint(BigInt(field) << 3n), encodeVarint(BigInt.asUintN(64, BigInt(value))));
    return this;
  }

  bytes(field: number, bytes: Uint8Array): this {
    this.#parts.push(encodeVarint((BigInt(field) << 3n) | 2n), encodeVarint(BigInt(bytes.length)), bytes);
    return this;
  }

  string(field: number, text: string): this {
    return this.bytes(field, new TextEncoder().encode(text));
  }

  message(field: number, message: MessageWriter): this {
    return this.bytes(field, message.finish());
  }

  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    return this.bytes(field, concat(values.map((value) => encodeVarint(BigInt.asUintN(64, BigInt(value))))));
  }

  packedFloats(field: number, values: ArrayLike<number>): this {
    const view = new DataView(new ArrayBuffer(values.length * 4));
    for (let index = 0; index < values.length; index += 1) view.setFloat32(index * 4, values[index] ?? 0, true);
    return this.bytes(field, new Uint8Array(view.buffer));
  }

  finish(): Uint8Array {
    return concat(this.#parts);
  }
}

export function encodeVarint(value: bigint): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest === 0n ? low : low | 0x80);
  } while (rest !== 0n);
  return Uint8Array.from(bytes);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

const FLOAT = 1;
const UINT8 = 2;
const INT8 = 3;
const INT64 = 7;

/** TensorProto: dims unpacked (one varint each, as proto2 writers do), raw or typed data. */
function tensor(name: string, dataType: number, dims: readonly number[], data: { raw?: Uint8Array; floats?: ArrayLike<number>; integers?: readonly number[] }): MessageWriter {
  const message = new MessageWriter();
  for (const dimension of dims) message.varint(1, dimension);
  message.varint(2, dataType);
  if (data.floats !== undefined) message.packedFloats(4, data.floats);
  if (data.integers !== undefined) message.packedVarints(dataType === INT64 ? 7 : 5, data.integers);
  message.string(8, name);
  if (data.raw !== undefined) message.bytes(9, data.raw);
  return message;
}

function node(opType: string, inputs: readonly string[], outputs: readonly string[], attributes: MessageWriter[] = []): MessageWriter {
  const message = new MessageWriter();
  for (const input of inputs) message.string(1, input);
  for (const output of outputs) message.string(2, output);
  message.string(3, `/${opType}_${outputs[0] ?? ""}`).string(4, opType);
  for (const attribute of attributes) message.message(5, attribute);
  return message;
}

function constantNode(output: string, value: MessageWriter): MessageWriter {
  const attribute = new MessageWriter().string(1, "value").message(5, value).varint(20, 4);
  return node("Constant", [], [output], [attribute]);
}

/** How a Linear is quantized: one scale, or one per output column; and its zero point. */
interface Quantization {
  readonly perColumn: boolean;
  readonly zeroPoint: number;
}

export interface QuantizedLinear {
  /** PyTorch name of the weight, e.g. `bert.encoder.layer.0.attention.self.query.weight`. */
  readonly name: string;
  /** ONNX layout [in, out], INT8. */
  readonly quantized: Int8Array;
  readonly scales: Float32Array;
  readonly zeroPoint: number;
  readonly inputs: number;
  readonly outputs: number;
}

export interface QuantizedTable {
  readonly name: string;
  readonly quantized: Uint8Array;
  readonly scale: number;
  readonly zeroPoint: number;
  readonly rows: number;
  readonly columns: number;
}

export interface OnnxCrossEncoderOverrides {
  /** Outputs of the classifier (1 for a reranker). */
  readonly classifierOutputs?: number;
  /** Leave the Erf (GELU) node out. */
  readonly withoutGelu?: boolean;
}

export interface OnnxCrossEncoder {
  readonly directory: string;
  readonly linears: readonly QuantizedLinear[];
  readonly tables: readonly QuantizedTable[];
  /** Float initializers (LayerNorms, biases) by PyTorch name. */
  readonly floats: ReadonlyMap<string, Float32Array>;
  readonly epsilon: number;
}

/** Writes model.onnx, tokenizer.json and tokenizer_config.json into a fresh directory. */
export async function writeOnnxCrossEncoder(label: string, overrides: OnnxCrossEncoderOverrides = {}): Promise<OnnxCrossEncoder> {
  const { hidden, heads } = tinyDimensions;
  const classifierOutputs = overrides.classifierOutputs ?? 1;
  const source = new Map(tinyBertTensors("F32").map((entry) => [entry.name, Float32Array.from(entry.values)]));
  source.set("classifier.weight", Float32Array.from({ length: classifierOutputs * hidden }, (_, index) => ((index % 9) - 4) / 16));
  source.set("classifier.bias", Float32Array.from({ length: classifierOutputs }, (_, index) => 0.25 * (index + 1)));
  const epsilon = 1e-12;

  const graph = new MessageWriter();
  const nodes: MessageWriter[] = [];
  const initializers: MessageWriter[] = [];
  const linears: QuantizedLinear[] = [];
  const tables: QuantizedTable[] = [];
  const floats = new Map<string, Float32Array>();

  for (const [name, values] of source) {
    if (name === "embeddings.position_ids" || (name.endsWith(".weight") && !name.includes("LayerNorm"))) continue;
    const fullName = name.startsWith("classifier") ? name : `bert.${name}`;
    floats.set(fullName, values);
    initializers.push(tensor(fullName, FLOAT, [values.length], { raw: new Uint8Array(values.buffer.slice(0)) }));
  }

  for (const [part, ids] of [["word_embeddings", "input_ids"], ["token_type_embeddings", "token_type_ids"], ["position_embeddings", "position_ids"]] as const) {
    const name = `bert.embeddings.${part}.weight`;
    const values = source.get(`embeddings.${part}.weight`) ?? new Float32Array();
    const scale = Math.fround(Math.max(...values.map(Math.abs)) / 127);
    const zeroPoint = 128;
    const quantized = Uint8Array.from(values, (value) => Math.round(value / scale) + zeroPoint);
    tables.push({ name, quantized, scale, zeroPoint, rows: values.length / hidden, columns: hidden });
    initializers.push(
      tensor(`${name}_quantized`, UINT8, [values.length / hidden, hidden], { raw: quantized }),
      tensor(`${name}_scale`, FLOAT, [], { floats: [scale] }),
      tensor(`${name}_zero_point`, UINT8, [], { integers: [zeroPoint] }),
    );
    nodes.push(node("Gather", [`${name}_quantized`, ids], [`${part}_gathered`]), node("DequantizeLinear", [`${part}_gathered`, `${name}_scale`, `${name}_zero_point`], [`${part}_dequantized`]));
  }

  // The embeddings' LayerNorm, spelled out as the exporter does: Mul(Div(x - mean, Sqrt(variance + epsilon)), weight) + bias.
  nodes.push(
    constantNode("epsilon", tensor("", FLOAT, [], { floats: [epsilon] })),
    node("Add", ["variance", "epsilon"], ["variance_plus_epsilon"]),
    node("Sqrt", ["variance_plus_epsilon"], ["deviation"]),
    node("Div", ["centred", "deviation"], ["normalised"]),
    node("Mul", ["normalised", "bert.embeddings.LayerNorm.weight"], ["scaled"]),
    node("Add", ["scaled", "bert.embeddings.LayerNorm.bias"], ["hidden_0"]),
  );

  const linearNames = [...source.keys()].filter((name) => name.endsWith(".weight") && !name.includes("LayerNorm") && !name.startsWith("embeddings."));
  linearNames.forEach((name, index) => {
    const quantization: Quantization = { perColumn: name.startsWith("pooler"), zeroPoint: name.includes("intermediate") ? 3 : 0 };
    const weight = source.get(name) ?? new Float32Array();
    const outputs = name.startsWith("classifier") ? classifierOutputs : (source.get(name.replace(/weight$/, "bias"))?.length ?? 0);
    const inputs = weight.length / outputs;
    const scales = Float32Array.from({ length: quantization.perColumn ? outputs : 1 }, (_, column) => {
      let largest = 0;
      for (let row = 0; row < inputs; row += 1) {
        for (let output = 0; output < outputs; output += 1) {
          if (!quantization.perColumn || output === column) largest = Math.max(largest, Math.abs(weight[output * inputs + row] ?? 0));
        }
      }
      return Math.fround(largest / 100 || 1 / 64);
    });
    // ONNX MatMul weight: [in, out] = the PyTorch weight transposed.
    const quantized = Int8Array.from({ length: inputs * outputs }, (_, position) => {
      const row = Math.floor(position / outputs);
      const column = position % outputs;
      const scale = scales[quantization.perColumn ? column : 0] ?? 1;
      return Math.max(-127, Math.min(127, Math.round((weight[column * inputs + row] ?? 0) / scale) + quantization.zeroPoint));
    });
    const fullName = name.startsWith("classifier") ? name : `bert.${name}`;
    linears.push({ name: fullName, quantized, scales, zeroPoint: quantization.zeroPoint, inputs, outputs });
    const anonymous = `onnx::MatMul_${1600 + index}`;
    const bias = fullName.replace(/weight$/, "bias");
    const input = `activation_${index}`;
    initializers.push(
      tensor(`${anonymous}_quantized`, INT8, [inputs, outputs], { raw: new Uint8Array(quantized.buffer) }),
      tensor(`${anonymous}_scale`, FLOAT, quantization.perColumn ? [outputs] : [], { floats: scales }),
      tensor(`${anonymous}_zero_point`, INT8, [], { integers: [quantization.zeroPoint] }),
    );
    nodes.push(
      node("DynamicQuantizeLinear", [input], [`${input}_quantized`, `${input}_scale`, `${input}_zero_point`]),
      node("Mul", [`${input}_scale`, `${anonymous}_scale`], [`${index}_scales`]),
      node("MatMulInteger", [`${input}_quantized`, `${anonymous}_quantized`, `${input}_zero_point`, `${anonymous}_zero_point`], [`${index}_product`]),
      node("Cast", [`${index}_product`], [`${index}_cast`]),
      node("Mul", [`${index}_cast`, `${index}_scales`], [`${index}_scaled`]),
      node("Add", [bias, `${index}_scaled`], [`${index}_output`]),
    );
    if (name === "encoder.layer.0.attention.self.query.weight") {
      nodes.push(
        node("Shape", [input], ["input_shape"]),
        node("Unsqueeze", ["input_shape"], ["batch"]),
        constantNode("sequence", tensor("", INT64, [1], { integers: [-1] })),
        constantNode("heads", tensor("", INT64, [1], { integers: [heads] })),
        constantNode("head_size", tensor("", INT64, [1], { integers: [hidden / heads] })),
        node("Concat", ["batch", "sequence", "heads", "head_size"], ["query_shape"]),
        node("Reshape", [`${index}_output`, "query_shape"], ["query_heads"]),
      );
    }
  });
  if (overrides.withoutGelu !== true) nodes.push(node("Erf", ["intermediate_scaled"], ["intermediate_erf"]));

  for (const written of nodes) graph.message(1, written);
  graph.string(2, "main_graph");
  for (const written of initializers) graph.message(5, written);
  for (const input of ["input_ids", "attention_mask", "token_type_ids"]) graph.message(11, new MessageWriter().string(1, input));
  graph.message(12, new MessageWriter().string(1, "logits"));
  const model = new MessageWriter()
    .varint(1, 7)
    .string(2, "onnx.quantize")
    .message(7, graph)
    .message(8, new MessageWriter().string(1, "").varint(2, 14));

  const directory = await temporaryDirectory(`onnx-${label}`);
  await writeFile(join(directory, "model.onnx"), model.finish());
  await writeFile(join(directory, "tokenizer.json"), JSON.stringify(tinyTokenizer()));
  await writeFile(join(directory, "tokenizer_config.json"), JSON.stringify(tinyTokenizerConfig()));
  return { directory, linears, tables, floats, epsilon };
}
