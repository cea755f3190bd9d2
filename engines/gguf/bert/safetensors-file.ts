/**
 * A reader for the safetensors format (github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON `{ name: { dtype, shape, data_offsets: [begin, end] } }` (plus an
 * optional `__metadata__` string map), then the raw little-endian tensor data, offsets counted from
 * the end of the header. Only the header is held in memory; tensor values are read from disk in
 * chunks and decoded to float32 (F32, F16 and BF16 sources).
 */
import { open, type FileHandle } from "node:fs/promises";
import { endianness } from "node:os";
import { float16BitsToFloat32 } from "../half-float.ts";
import { ModelConversionError } from "./model-conversion-error.ts";

/** Bytes per element of every dtype the format defines; tensors of any of them can be indexed. */
const dtypeByteSizes: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  I64: 8, U64: 8, F64: 8,
};

/** The dtypes whose values this reader decodes. */
export type FloatDtype = "F32" | "F16" | "BF16";
const floatDtypes: ReadonlySet<string> = new Set<FloatDtype>(["F32", "F16", "BF16"]);

export function isFloatDtype(dtype: string): dtype is FloatDtype {
  return floatDtypes.has(dtype);
}

/** The safetensors reference implementation refuses headers over 100 MB; so do we. */
const MAXIMUM_HEADER_BYTES = 100_000_000;
/** Values decoded per chunk when reading a tensor: 2^18 float32 = 1 MiB of output. */
const DEFAULT_CHUNK_VALUES = 1 << 18;

export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: string;
  /** PyTorch order: the slowest-varying dimension first (a Linear weight is [out, in]). */
  readonly shape: readonly number[];
  /** Absolute position of the tensor's first byte in the file. */
  readonly fileOffset: number;
  readonly byteLength: number;
}

export interface ReadValuesOptions {
  /** Values per yielded chunk (default 262,144 = 1 MiB of float32). The chunk buffer is reused. */
  readonly chunkValues?: number;
}

export class SafetensorsFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    /** In header order. */
    readonly tensors: ReadonlyMap<string, SafetensorsTensor>,
    /** The header's `__metadata__` string map ({} when absent). */
    readonly metadata: Readonly<Record<string, string>>,
  ) {}

  /** Opens `path` and reads its header; throws ModelConversionError for anything malformed. */
  static async open(path: string): Promise<SafetensorsFile> {
    // Values are decoded through typed-array views, which read in the host's byte order.
    if (endianness() !== "LE") {
      throw new Error("reading safetensors needs a little-endian host");
    }
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ModelConversionError(path, "(file)", code === "ENOENT" ? "missing" : `unreadable (${code ?? String(error)})`);
    }
    try {
      const { tensors, metadata } = await readHeader(path, handle);
      return new SafetensorsFile(path, handle, tensors, metadata);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  /**
   * The tensor's values as float32, in storage order, in chunks of at most `chunkValues`. The same
   * buffer is refilled for every chunk: consume (or copy) each one before asking for the next.
   */
  async *values(name: string, options: ReadValuesOptions = {}): AsyncGenerator<Float32Array> {
    const tensor = this.tensors.get(name);
    if (tensor === undefined) {
      throw new ModelConversionError(this.path, name, "no such tensor");
    }
    const { dtype } = tensor;
    if (!isFloatDtype(dtype)) {
      throw new ModelConversionError(this.path, name, `dtype ${dtype} cannot be read as floats (F32, F16 or BF16 only)`);
    }
    const bytesPerValue = dtypeByteSizes[dtype] ?? 4;
    const totalValues = tensor.byteLength / bytesPerValue;
    const chunkValues = Math.max(1, Math.min(options.chunkValues ?? DEFAULT_CHUNK_VALUES, totalValues));
    const raw = new Uint8Array(new ArrayBuffer(chunkValues * bytesPerValue));
    const output = dtype === "F32" ? new Float32Array(raw.buffer) : new Float32Array(chunkValues);
    for (let done = 0; done < totalValues; done += chunkValues) {
      const count = Math.min(chunkValues, totalValues - done);
      const byteCount = count * bytesPerValue;
      await readExactly(this.handle, raw, byteCount, tensor.fileOffset + done * bytesPerValue, this.path, name);
      decode(dtype, raw, count, output);
      yield output.subarray(0, count);
    }
  }
}

async function readHeader(
  path: string,
  handle: FileHandle,
): Promise<{ tensors: Map<string, SafetensorsTensor>; metadata: Record<string, string> }> {
  const { size: fileSize } = await handle.stat();
  if (fileSize < 8) {
    throw new ModelConversionError(path, "(header)", `file of ${fileSize} bytes is too short for a safetensors header`);
  }
  const lengthBytes = new Uint8Array(8);
  await readExactly(handle, lengthBytes, 8, 0, path, "(header)");
  const headerLength = new DataView(lengthBytes.buffer).getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAXIMUM_HEADER_BYTES, fileSize - 8))) {
    throw new ModelConversionError(path, "(header)", `declared header length ${headerLength} does not fit the ${fileSize}-byte file`);
  }
  const headerBytes = new Uint8Array(Number(headerLength));
  await readExactly(handle, headerBytes, headerBytes.length, 8, path, "(header)");
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(headerBytes));
  } catch (error) {
    throw new ModelConversionError(path, "(header)", `not valid UTF-8 JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(header)) {
    throw new ModelConversionError(path, "(header)", "must be a JSON object");
  }
  const dataStart = 8 + headerBytes.length;
  const dataLength = fileSize - dataStart;
  const tensors = new Map<string, SafetensorsTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = parseMetadata(path, entry);
      continue;
    }
    tensors.set(name, parseTensorEntry(path, name, entry, dataStart, dataLength));
  }
  return { tensors, metadata };
}

function parseTensorEntry(path: string, name: string, entry: unknown, dataStart: number, dataLength: number): SafetensorsTensor {
  if (!isRecord(entry)) {
    throw new ModelConversionError(path, name, "header entry must be an object");
  }
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== "string" || dtypeByteSizes[dtype] === undefined) {
    throw new ModelConversionError(path, `${name}.dtype`, `unknown dtype ${JSON.stringify(dtype)}`);
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
    throw new ModelConversionError(path, `${name}.shape`, "must be an array of non-negative integers");
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger)) {
    throw new ModelConversionError(path, `${name}.data_offsets`, "must be [begin, end], non-negative integers");
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) {
    throw new ModelConversionError(path, `${name}.data_offsets`, `[${begin}, ${end}] lies outside the ${dataLength} data bytes`);
  }
  const elementBytes = dtypeByteSizes[dtype] ?? 0;
  const expectedBytes = (shape as number[]).reduce((product, dimension) => product * dimension, 1) * elementBytes;
  if (end - begin !== expectedBytes) {
    throw new ModelConversionError(path, `${name}.data_offsets`, `span of ${end - begin} bytes, but ${dtype}[${shape.join(", ")}] needs ${expectedBytes}`);
  }
  return { name, dtype, shape: shape as number[], fileOffset: dataStart + begin, byteLength: end - begin };
}

function parseMetadata(path: string, entry: unknown): Record<string, string> {
  if (!isRecord(entry) || !Object.values(entry).every((value) => typeof value === "string")) {
    throw new ModelConversionError(path, "__metadata__", "must be an object of strings");
  }
  return entry as Record<string, string>;
}

async function readExactly(
  handle: FileHandle,
  target: Uint8Array,
  length: number,
  position: number,
  path: string,
  field: string,
): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(target, done, length - done, position + done);
    if (bytesRead === 0) {
      throw new ModelConversionError(path, field, `file ends ${length - done} bytes early`);
    }
    done += bytesRead;
  }
}

let float16Table: Float32Array | undefined;

/** All 65,536 half-precision values, built once (256 KiB): a lookup is ~10x faster than decoding. */
function float16Values(): Float32Array {
  if (float16Table === undefined) {
    float16Table = new Float32Array(1 << 16);
    for (let bits = 0; bits < float16Table.length; bits += 1) {
      float16Table[bits] = float16BitsToFloat32(bits);
    }
  }
  return float16Table;
}

function decode(dtype: FloatDtype, raw: Uint8Array, count: number, output: Float32Array): void {
  if (dtype === "F32") {
    return; // `output` is a view of `raw`'s buffer.
  }
  const halves = new Uint16Array(raw.buffer, 0, count);
  if (dtype === "F16") {
    const table = float16Values();
    for (let index = 0; index < count; index += 1) {
      output[index] = table[halves[index] ?? 0] ?? 0;
    }
    return;
  }
  // bfloat16 is the top half of a float32.
  const words = new Uint32Array(output.buffer, output.byteOffset, count);
  for (let index = 0; index < count; index += 1) {
    words[index] = (halves[index] ?? 0) << 16;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
