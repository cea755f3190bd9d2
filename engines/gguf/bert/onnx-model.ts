/**
 * The part of an ONNX ModelProto (onnx/onnx.proto, IR version 3 and later) a converter needs:
 * the graph's nodes with their attributes, its initializers and its input/output names, plus the
 * default-domain opset. Field numbers are onnx.proto's. Tensor data stays a view into the file's
 * bytes until `floatValues`/`integerValues` decode it. Tensors kept in external files are refused.
 */
import { readFile } from "node:fs/promises";
import { ModelConversionError } from "./model-conversion-error.ts";
import { fieldBytes, fieldText, protobufFields, repeatedFloats, repeatedVarints, signedVarint, WireType, type ProtobufField } from "./protobuf-reader.ts";

/** onnx.proto TensorProto.DataType values this reader decodes. */
export const OnnxDataType = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7, double: 11 } as const;

export interface OnnxTensor {
  readonly name: string;
  readonly dataType: number;
  /** Row-major, outermost first (as ONNX and PyTorch print shapes). Empty for a scalar. */
  readonly dims: readonly number[];
  /** Little-endian `raw_data`, when the tensor stores its values that way. */
  readonly raw: Uint8Array | undefined;
  /** `float_data` / `int32_data` / `int64_data` / `double_data`, when the tensor uses typed fields. */
  readonly typed: readonly number[] | readonly bigint[] | undefined;
}

export interface OnnxAttribute {
  readonly name: string;
  readonly float: number | undefined;
  readonly integer: bigint | undefined;
  readonly integers: readonly bigint[];
  readonly tensor: OnnxTensor | undefined;
}

export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  /** "" for the default ONNX domain. */
  readonly domain: string;
  /** "" marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, OnnxAttribute>;
}

export interface OnnxGraph {
  readonly nodes: readonly OnnxNode[];
  readonly initializers: ReadonlyMap<string, OnnxTensor>;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export interface OnnxModel {
  readonly path: string;
  readonly irVersion: number;
  readonly producerName: string;
  /** Opset version of the default ("" / ai.onnx) domain. */
  readonly opsetVersion: number | undefined;
  readonly graph: OnnxGraph;
}

/** Reads and parses `path`; a file that is not an ONNX model is a ModelConversionError. */
export async function readOnnxModel(path: string): Promise<OnnxModel> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelConversionError(path, "(file)", code === "ENOENT" ? "missing" : `unreadable (${code ?? String(error)})`);
  }
  try {
    return parseOnnxModel(path, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    if (error instanceof ModelConversionError) throw error;
    throw new ModelConversionError(path, "(file)", `not an ONNX model (${(error as Error).message})`);
  }
}

export function parseOnnxModel(path: string, bytes: Uint8Array): OnnxModel {
  const fields = grouped(bytes);
  const graphField = fields.get(7)?.[0];
  if (graphField === undefined) throw new ModelConversionError(path, "graph", "missing: the file holds no graph");
  let opsetVersion: number | undefined;
  for (const opset of fields.get(8) ?? []) {
    const opsetFields = grouped(fieldBytes(opset));
    const domain = first(opsetFields, 1, fieldText) ?? "";
    if (domain === "" || domain === "ai.onnx") opsetVersion = Number(repeatedVarints(opsetFields.get(2) ?? [])[0] ?? 0);
  }
  return {
    path,
    irVersion: Number(repeatedVarints(fields.get(1) ?? [])[0] ?? 0),
    producerName: first(fields, 2, fieldText) ?? "",
    opsetVersion,
    graph: parseGraph(path, fieldBytes(graphField)),
  };
}

function parseGraph(path: string, bytes: Uint8Array): OnnxGraph {
  const fields = grouped(bytes);
  const initializers = new Map<string, OnnxTensor>();
  for (const field of fields.get(5) ?? []) {
    const tensor = parseTensor(path, fieldBytes(field));
    initializers.set(tensor.name, tensor);
  }
  const valueName = (field: ProtobufField) => first(grouped(fieldBytes(field)), 1, fieldText) ?? "";
  return {
    nodes: (fields.get(1) ?? []).map((field) => parseNode(path, fieldBytes(field))),
    initializers,
    inputs: (fields.get(11) ?? []).map(valueName),
    outputs: (fields.get(12) ?? []).map(valueName),
  };
}

function parseNode(path: string, bytes: Uint8Array): OnnxNode {
  const fields = grouped(bytes);
  const attributes = new Map<string, OnnxAttribute>();
  for (const field of fields.get(5) ?? []) {
    const attribute = parseAttribute(path, fieldBytes(field));
    attributes.set(attribute.name, attribute);
  }
  return {
    name: first(fields, 3, fieldText) ?? "",
    opType: first(fields, 4, fieldText) ?? "",
    domain: first(fields, 7, fieldText) ?? "",
    inputs: (fields.get(1) ?? []).map(fieldText),
    outputs: (fields.get(2) ?? []).map(fieldText),
    attributes,
  };
}

function parseAttribute(path: string, bytes: Uint8Array): OnnxAttribute {
  const fields = grouped(bytes);
  const integer = fields.get(3)?.[0];
  const tensor = fields.get(5)?.[0];
  return {
    name: first(fields, 1, fieldText) ?? "",
    float: fields.has(2) ? repeatedFloats(fields.get(2) ?? [])[0] : undefined,
    integer: integer?.wireType === WireType.varint ? signedVarint(integer.value) : undefined,
    integers: repeatedVarints(fields.get(8) ?? []),
    tensor: tensor === undefined ? undefined : parseTensor(path, fieldBytes(tensor)),
  };
}

function parseTensor(path: string, bytes: Uint8Array): OnnxTensor {
  const fields = grouped(bytes);
  const name = first(fields, 8, fieldText) ?? "";
  const dataLocation = Number(repeatedVarints(fields.get(14) ?? [])[0] ?? 0);
  if (dataLocation !== 0 || fields.has(13)) {
    throw new ModelConversionError(path, name, "keeps its data in an external file; convert a single-file model");
  }
  const dataType = Number(repeatedVarints(fields.get(2) ?? [])[0] ?? 0);
  const raw = fields.get(9)?.[0];
  let typed: readonly number[] | readonly bigint[] | undefined;
  if (fields.has(4)) typed = repeatedFloats(fields.get(4) ?? []);
  else if (fields.has(5)) typed = repeatedVarints(fields.get(5) ?? []).map(Number);
  else if (fields.has(7)) typed = repeatedVarints(fields.get(7) ?? []);
  else if (fields.has(10)) typed = repeatedDoubles(fields.get(10) ?? []);
  return {
    name,
    dataType,
    dims: repeatedVarints(fields.get(1) ?? []).map(Number),
    raw: raw === undefined ? undefined : fieldBytes(raw),
    typed,
  };
}

export function elementCount(tensor: OnnxTensor): number {
  return tensor.dims.reduce((product, dimension) => product * dimension, 1);
}

/** A FLOAT or DOUBLE tensor's values as float32. */
export function floatValues(path: string, tensor: OnnxTensor): Float32Array {
  const count = elementCount(tensor);
  let values: Float32Array;
  if (tensor.dataType === OnnxDataType.float && tensor.raw !== undefined) {
    checkRawLength(path, tensor, count * 4);
    values = new Float32Array(count);
    const view = new DataView(tensor.raw.buffer, tensor.raw.byteOffset, tensor.raw.byteLength);
    for (let index = 0; index < count; index += 1) values[index] = view.getFloat32(index * 4, true);
  } else if (tensor.dataType === OnnxDataType.double && tensor.raw !== undefined) {
    checkRawLength(path, tensor, count * 8);
    values = new Float32Array(count);
    const view = new DataView(tensor.raw.buffer, tensor.raw.byteOffset, tensor.raw.byteLength);
    for (let index = 0; index < count; index += 1) values[index] = view.getFloat64(index * 8, true);
  } else if ((tensor.dataType === OnnxDataType.float || tensor.dataType === OnnxDataType.double) && tensor.typed !== undefined) {
    values = Float32Array.from(tensor.typed, Number);
  } else {
    throw new ModelConversionError(path, tensor.name, `data type ${tensor.dataType} is not a float tensor this converter reads`);
  }
  if (values.length !== count) throw new ModelConversionError(path, tensor.name, `holds ${values.length} values, its shape [${tensor.dims.join(", ")}] needs ${count}`);
  return values;
}

const integerDataTypes: ReadonlySet<number> = new Set([OnnxDataType.int8, OnnxDataType.uint8, OnnxDataType.int32, OnnxDataType.int64]);

/** An INT8, UINT8, INT32 or INT64 tensor's values (INT64 must fit in 32 bits). */
export function integerValues(path: string, tensor: OnnxTensor): Int32Array {
  const count = elementCount(tensor);
  let values: Int32Array;
  if (tensor.raw !== undefined && (tensor.dataType === OnnxDataType.int8 || tensor.dataType === OnnxDataType.uint8)) {
    checkRawLength(path, tensor, count);
    values = tensor.dataType === OnnxDataType.int8 ? Int32Array.from(new Int8Array(tensor.raw.buffer, tensor.raw.byteOffset, count)) : Int32Array.from(tensor.raw);
  } else if (tensor.raw !== undefined && tensor.dataType === OnnxDataType.int32) {
    checkRawLength(path, tensor, count * 4);
    const view = new DataView(tensor.raw.buffer, tensor.raw.byteOffset, tensor.raw.byteLength);
    values = Int32Array.from({ length: count }, (_, index) => view.getInt32(index * 4, true));
  } else if (tensor.raw !== undefined && tensor.dataType === OnnxDataType.int64) {
    checkRawLength(path, tensor, count * 8);
    const view = new DataView(tensor.raw.buffer, tensor.raw.byteOffset, tensor.raw.byteLength);
    values = Int32Array.from({ length: count }, (_, index) => toInt32(path, tensor, view.getBigInt64(index * 8, true)));
  } else if (tensor.typed !== undefined && integerDataTypes.has(tensor.dataType)) {
    // onnx.proto: INT8 and UINT8 typed values live in int32_data; INT64 in int64_data.
    values = Int32Array.from(tensor.typed, (value: number | bigint) => toInt32(path, tensor, BigInt(value)));
  } else {
    throw new ModelConversionError(path, tensor.name, `data type ${tensor.dataType} is not an integer tensor this converter reads`);
  }
  if (values.length !== count) throw new ModelConversionError(path, tensor.name, `holds ${values.length} values, its shape [${tensor.dims.join(", ")}] needs ${count}`);
  return values;
}

function toInt32(path: string, tensor: OnnxTensor, value: bigint): number {
  if (value < -(2n ** 31n) || value >= 2n ** 31n) throw new ModelConversionError(path, tensor.name, `value ${value} does not fit in 32 bits`);
  return Number(value);
}

function checkRawLength(path: string, tensor: OnnxTensor, expectedBytes: number): void {
  if (tensor.raw?.length !== expectedBytes) {
    throw new ModelConversionError(path, tensor.name, `raw_data has ${tensor.raw?.length ?? 0} bytes, shape [${tensor.dims.join(", ")}] needs ${expectedBytes}`);
  }
}

function repeatedDoubles(fields: readonly ProtobufField[]): number[] {
  const values: number[] = [];
  for (const field of fields) {
    const bytes = field.wireType === WireType.varint ? new Uint8Array() : field.bytes;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let offset = 0; offset + 8 <= bytes.length; offset += 8) values.push(view.getFloat64(offset, true));
  }
  return values;
}

function grouped(bytes: Uint8Array): Map<number, ProtobufField[]> {
  const fields = new Map<number, ProtobufField[]>();
  for (const field of protobufFields(bytes)) {
    const list = fields.get(field.number);
    if (list === undefined) fields.set(field.number, [field]);
    else list.push(field);
  }
  return fields;
}

function first<T>(fields: Map<number, ProtobufField[]>, number: number, read: (field: ProtobufField) => T): T | undefined {
  const field = fields.get(number)?.[0];
  return field === undefined ? undefined : read(field);
}
