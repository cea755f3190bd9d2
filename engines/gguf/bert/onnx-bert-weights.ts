/**
 * The float weights of a BERT exported to ONNX, found by following the graph rather than trusting
 * initializer names (onnxruntime's quantizer renames MatMul weights to `onnx::MatMul_1662`):
 * - a Linear is MatMulInteger -> Cast -> Mul(scales) -> Add(bias) (onnxruntime dynamic INT8) or
 *   MatMul -> Add(bias) (float); the bias initializer's name (`…query.bias`) names the weight;
 * - an embedding table is Gather(table) -> DequantizeLinear, or a float Gather;
 * - LayerNorm weights and biases are float initializers used as they are.
 * INT8 values are dequantized exactly as the graph does: (q - zero_point) * scale, in float32, per
 * tensor or per output column. ONNX MatMul weights are [in, out]; they come out in PyTorch's
 * [out, in] order, so the result reads like a safetensors checkpoint.
 */
import { ModelConversionError } from "./model-conversion-error.ts";
import { elementCount, floatValues, integerValues, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor } from "./onnx-model.ts";

export interface FloatTensor {
  /** PyTorch order, e.g. [out, in] for a Linear weight. */
  readonly shape: readonly number[];
  /** Decodes (and dequantizes) the values when called: a converter holds one tensor at a time. */
  readonly values: () => Float32Array;
}

export interface OnnxBertWeights {
  /** By PyTorch name as the exporter saw it, e.g. `bert.encoder.layer.0.attention.self.query.weight`. */
  readonly tensors: ReadonlyMap<string, FloatTensor>;
  /** From the query projection's Reshape: [batch, sequence, heads, head size]. */
  readonly headCount: number;
  /** The constant the first LayerNorm adds to the variance. */
  readonly layerNormEpsilon: number;
}

export function readOnnxBertWeights(model: OnnxModel): OnnxBertWeights {
  const graph = new GraphIndex(model);
  const tensors = new Map<string, FloatTensor>();
  const add = (name: string, tensor: FloatTensor) => {
    if (tensors.has(name)) throw new ModelConversionError(model.path, name, "found twice in the graph");
    tensors.set(name, tensor);
  };
  for (const node of model.graph.nodes) {
    if (node.opType === "MatMulInteger" || node.opType === "MatMul") {
      const linear = graph.linear(node);
      if (linear !== undefined) add(linear.name, linear.weight);
    } else if (node.opType === "DequantizeLinear") {
      const table = graph.dequantizedEmbedding(node);
      if (table !== undefined) add(table.name, table.weight);
    } else if (node.opType === "Gather") {
      const table = model.graph.initializers.get(node.inputs[0] ?? "");
      if (table !== undefined && table.dims.length === 2 && table.name.endsWith(".weight")) add(table.name, { shape: table.dims, values: () => floatValues(model.path, table) });
    }
  }
  for (const tensor of model.graph.initializers.values()) {
    const isParameter = tensor.name.endsWith(".weight") || tensor.name.endsWith(".bias");
    if (isParameter && !tensors.has(tensor.name) && (tensor.dataType === 1 || tensor.dataType === 11)) {
      add(tensor.name, { shape: tensor.dims, values: () => floatValues(model.path, tensor) });
    }
  }
  return { tensors, headCount: graph.headCount(), layerNormEpsilon: graph.layerNormEpsilon() };
}

class GraphIndex {
  readonly #path: string;
  readonly #graph: OnnxGraph;
  readonly #producers = new Map<string, OnnxNode>();
  readonly #consumers = new Map<string, OnnxNode[]>();

  constructor(model: OnnxModel) {
    this.#path = model.path;
    this.#graph = model.graph;
    for (const node of model.graph.nodes) {
      for (const output of node.outputs) this.#producers.set(output, node);
      for (const input of node.inputs) {
        const list = this.#consumers.get(input);
        if (list === undefined) this.#consumers.set(input, [node]);
        else list.push(node);
      }
    }
  }

  /** A Linear layer's weight, named after its bias; undefined for a MatMul of two activations. */
  linear(node: OnnxNode): { name: string; weight: FloatTensor } | undefined {
    const weightName = node.inputs[1] ?? "";
    const quantized = this.#graph.initializers.get(weightName);
    if (quantized === undefined || quantized.dims.length !== 2) return undefined;
    let output = node.outputs[0] ?? "";
    let scale: OnnxTensor | undefined;
    if (node.opType === "MatMulInteger") {
      const cast = this.#onlyConsumer(output, "Cast", node);
      const multiply = this.#onlyConsumer(cast.outputs[0] ?? "", "Mul", node);
      // Mul(int32 result cast to float, input scale * weight scale): the weight's scale is the initializer input of the scales' Mul.
      const scales = multiply.inputs.map((input) => this.#producers.get(input)).find((producer) => producer?.opType === "Mul");
      scale = scales?.inputs.map((input) => this.#graph.initializers.get(input)).find((tensor) => tensor !== undefined);
      if (scale === undefined) throw new ModelConversionError(this.#path, node.name, "no weight scale found for this MatMulInteger");
      output = multiply.outputs[0] ?? "";
    }
    const biasAdd = this.#onlyConsumer(output, "Add", node);
    const bias = biasAdd.inputs.map((input) => this.#graph.initializers.get(input)).find((tensor) => tensor !== undefined);
    if (bias === undefined || !bias.name.endsWith(".bias")) throw new ModelConversionError(this.#path, node.name, "is not followed by the Add of a named bias");
    const [inputs, outputs] = quantized.dims as [number, number];
    const zeroPoint = this.#graph.initializers.get(node.inputs[3] ?? "");
    if (node.opType === "MatMulInteger") this.#checkColumnQuantization(node, quantized, scale as OnnxTensor, zeroPoint);
    const values = () =>
      transpose(node.opType === "MatMulInteger" ? this.#dequantizeColumns(quantized, scale as OnnxTensor, zeroPoint) : floatValues(this.#path, quantized), inputs, outputs);
    return { name: `${bias.name.slice(0, -".bias".length)}.weight`, weight: { shape: [outputs, inputs], values } };
  }

  /** Gather(INT8 table) -> DequantizeLinear: the whole table dequantized, named after the table. */
  dequantizedEmbedding(node: OnnxNode): { name: string; weight: FloatTensor } | undefined {
    const gather = this.#producers.get(node.inputs[0] ?? "");
    const table = gather?.opType === "Gather" ? this.#graph.initializers.get(gather.inputs[0] ?? "") : undefined;
    if (table === undefined) return undefined;
    const scale = this.#requiredInitializer(node.inputs[1], node);
    const zeroPoint = this.#graph.initializers.get(node.inputs[2] ?? "");
    if (elementCount(scale) !== 1 || (zeroPoint !== undefined && elementCount(zeroPoint) !== 1)) {
      throw new ModelConversionError(this.#path, node.name, "a per-axis scale on a gathered table cannot be dequantized before the Gather");
    }
    const name = table.name.endsWith("_quantized") ? table.name.slice(0, -"_quantized".length) : table.name;
    const values = () => dequantize(integerValues(this.#path, table), floatValues(this.#path, scale), zeroPoint === undefined ? undefined : integerValues(this.#path, zeroPoint), 1);
    return { name, weight: { shape: table.dims, values } };
  }

  /** Heads, from the shape the first query projection is reshaped to: [batch, sequence, heads, head size]. */
  headCount(): number {
    const query = [...this.#graph.initializers.keys()].find((name) => /(^|\.)encoder\.layer\.0\.attention\.self\.query\.bias$/.test(name));
    const add = query === undefined ? undefined : this.#consumers.get(query)?.find((node) => node.opType === "Add");
    const reshape = add === undefined ? undefined : this.#consumers.get(add.outputs[0] ?? "")?.find((node) => node.opType === "Reshape");
    const shape = reshape === undefined ? undefined : this.#constantIntegers(reshape.inputs[1] ?? "");
    const heads = shape?.at(-2);
    if (shape === undefined || shape.length !== 4 || heads === undefined || heads <= 0) {
      throw new ModelConversionError(this.#path, query ?? "encoder.layer.0.attention.self.query.bias", "cannot find the head count: the query projection is not reshaped to [batch, sequence, heads, head size] by constants");
    }
    return heads;
  }

  /** Epsilon of the embeddings' LayerNorm: a LayerNormalization attribute, or the constant added before its Sqrt. */
  layerNormEpsilon(): number {
    const weight = [...this.#graph.initializers.keys()].find((name) => /(^|\.)embeddings\.LayerNorm\.weight$/.test(name));
    const users = weight === undefined ? [] : (this.#consumers.get(weight) ?? []);
    const fused = users.find((node) => node.opType === "LayerNormalization");
    if (fused !== undefined) return fused.attributes.get("epsilon")?.float ?? 1e-5;
    // Mul(Div(x - mean, Sqrt(variance + epsilon)), weight)
    const divide = users.map((node) => node.inputs.map((input) => this.#producers.get(input)).find((producer) => producer?.opType === "Div")).find((node) => node !== undefined);
    const sqrt = divide === undefined ? undefined : this.#producers.get(divide.inputs[1] ?? "");
    const plus = sqrt?.opType === "Sqrt" ? this.#producers.get(sqrt.inputs[0] ?? "") : undefined;
    const epsilon = plus?.opType === "Add" ? plus.inputs.map((input) => this.#constantFloat(input)).find((value) => value !== undefined) : undefined;
    if (epsilon === undefined) throw new ModelConversionError(this.#path, weight ?? "embeddings.LayerNorm.weight", "cannot find the LayerNorm epsilon (neither a LayerNormalization node nor Add(variance, constant) -> Sqrt)");
    return epsilon;
  }

  #checkColumnQuantization(node: OnnxNode, quantized: OnnxTensor, scale: OnnxTensor, zeroPoint: OnnxTensor | undefined): void {
    const columns = quantized.dims[1] ?? 0;
    for (const [role, tensor] of [["scale", scale], ["zero point", zeroPoint]] as const) {
      const count = tensor === undefined ? 1 : elementCount(tensor);
      if (count !== 1 && count !== columns) throw new ModelConversionError(this.#path, node.name, `weight ${role} has ${count} values: neither per tensor nor per output column (${columns})`);
    }
  }

  #dequantizeColumns(quantized: OnnxTensor, scale: OnnxTensor, zeroPoint: OnnxTensor | undefined): Float32Array {
    return dequantize(integerValues(this.#path, quantized), floatValues(this.#path, scale), zeroPoint === undefined ? undefined : integerValues(this.#path, zeroPoint), quantized.dims[1] ?? 0);
  }

  #onlyConsumer(output: string, opType: string, from: OnnxNode): OnnxNode {
    const consumers = this.#consumers.get(output) ?? [];
    const [consumer] = consumers;
    if (consumers.length !== 1 || consumer?.opType !== opType) {
      throw new ModelConversionError(this.#path, from.name, `expected its result to feed one ${opType}, found ${consumers.map((node) => node.opType).join(", ") || "nothing"}`);
    }
    return consumer;
  }

  #requiredInitializer(name: string | undefined, node: OnnxNode): OnnxTensor {
    const tensor = this.#graph.initializers.get(name ?? "");
    if (tensor === undefined) throw new ModelConversionError(this.#path, node.name, `input ${name ?? "(missing)"} is not an initializer`);
    return tensor;
  }

  /** The values of a constant integer vector: an initializer, a Constant node, or a Concat of those. */
  #constantIntegers(name: string): number[] | undefined {
    const initializer = this.#graph.initializers.get(name);
    if (initializer !== undefined) return Array.from(integerValues(this.#path, initializer));
    const producer = this.#producers.get(name);
    if (producer?.opType === "Constant") {
      const tensor = producer.attributes.get("value")?.tensor;
      return tensor === undefined ? undefined : Array.from(integerValues(this.#path, tensor));
    }
    if (producer?.opType === "Concat") {
      // Leading dimensions (batch, sequence) are often computed from Shape; only the trailing ones must be constants.
      const parts = producer.inputs.map((input) => this.#constantIntegers(input) ?? [Number.NaN]);
      return parts.flat();
    }
    return undefined;
  }

  #constantFloat(name: string): number | undefined {
    const initializer = this.#graph.initializers.get(name);
    const tensor = initializer ?? (this.#producers.get(name)?.opType === "Constant" ? this.#producers.get(name)?.attributes.get("value")?.tensor : undefined);
    if (tensor === undefined || elementCount(tensor) !== 1) return undefined;
    return floatValues(this.#path, tensor)[0];
  }
}

/**
 * (q - zeroPoint) * scale in float32, with `scale`/`zeroPoint` either one value or one per
 * position along the last axis (`columns` values per row).
 */
export function dequantize(quantized: Int32Array, scale: Float32Array, zeroPoint: Int32Array | undefined, columns: number): Float32Array {
  const result = new Float32Array(quantized.length);
  const perColumn = scale.length > 1 || (zeroPoint?.length ?? 1) > 1;
  for (let index = 0; index < quantized.length; index += 1) {
    const column = perColumn ? index % columns : 0;
    const offset = zeroPoint === undefined ? 0 : (zeroPoint[zeroPoint.length > 1 ? column : 0] ?? 0);
    result[index] = ((quantized[index] ?? 0) - offset) * (scale[scale.length > 1 ? column : 0] ?? 0);
  }
  return result;
}

/** A row-major [rows, columns] matrix as [columns, rows]. */
export function transpose(values: Float32Array, rows: number, columns: number): Float32Array {
  const result = new Float32Array(values.length);
  for (let row = 0; row < rows; row += 1) {
    for (let column = 0; column < columns; column += 1) result[column * rows + row] = values[row * columns + column] ?? 0;
  }
  return result;
}
