/**
 * The protocol-buffers wire format, read-only and schema-less: enough to walk an ONNX ModelProto
 * (onnx-model.ts names the fields). Length-delimited values are views into the input buffer, never
 * copies, so a 35 MB model costs its own bytes once. Groups (wire types 3 and 4, deprecated since
 * proto2 and unused by ONNX) are refused.
 */

export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

export type ProtobufField =
  | { readonly number: number; readonly wireType: typeof WireType.varint; readonly value: bigint }
  | { readonly number: number; readonly wireType: typeof WireType.fixed64 | typeof WireType.fixed32 | typeof WireType.lengthDelimited; readonly bytes: Uint8Array };

/** Thrown for bytes that are not a well-formed protobuf message. */
export class ProtobufFormatError extends Error {
  override readonly name = "ProtobufFormatError";
}

/** The top-level fields of one message, in the order they are stored. */
export function* protobufFields(message: Uint8Array): Generator<ProtobufField> {
  let offset = 0;
  while (offset < message.length) {
    const [key, afterKey] = readVarint(message, offset);
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (number === 0) throw new ProtobufFormatError(`field number 0 at byte ${offset}`);
    offset = afterKey;
    if (wireType === WireType.varint) {
      const [value, next] = readVarint(message, offset);
      offset = next;
      yield { number, wireType, value };
    } else if (wireType === WireType.fixed64 || wireType === WireType.fixed32) {
      const length = wireType === WireType.fixed64 ? 8 : 4;
      yield { number, wireType, bytes: slice(message, offset, length) };
      offset += length;
    } else if (wireType === WireType.lengthDelimited) {
      const [length, next] = readVarint(message, offset);
      yield { number, wireType, bytes: slice(message, next, Number(length)) };
      offset = next + Number(length);
    } else {
      throw new ProtobufFormatError(`wire type ${wireType} (field ${number}) at byte ${offset} is not supported`);
    }
  }
}

/** A varint at `offset`: its value (as unsigned 64-bit) and the offset after it. */
export function readVarint(bytes: Uint8Array, offset: number): [bigint, number] {
  let value = 0n;
  for (let index = 0; index < 10; index += 1) {
    const byte = bytes[offset + index];
    if (byte === undefined) throw new ProtobufFormatError(`varint runs past the end at byte ${offset}`);
    value |= BigInt(byte & 0x7f) << BigInt(7 * index);
    if ((byte & 0x80) === 0) return [value, offset + index + 1];
  }
  throw new ProtobufFormatError(`varint longer than 10 bytes at byte ${offset}`);
}

/** A varint field read as a signed 64-bit integer (protobuf `int64`/`int32`: two's complement). */
export function signedVarint(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}

/**
 * A repeated integer field: packed (one length-delimited run of varints, proto3's default) or
 * unpacked (one varint per occurrence); callers pass every occurrence's field.
 */
export function repeatedVarints(fields: readonly ProtobufField[]): bigint[] {
  const values: bigint[] = [];
  for (const field of fields) {
    if (field.wireType === WireType.varint) {
      values.push(signedVarint(field.value));
    } else if (field.wireType === WireType.lengthDelimited) {
      let offset = 0;
      while (offset < field.bytes.length) {
        const [value, next] = readVarint(field.bytes, offset);
        values.push(signedVarint(value));
        offset = next;
      }
    } else {
      throw new ProtobufFormatError(`field ${field.number}: expected varints, got wire type ${field.wireType}`);
    }
  }
  return values;
}

/** A repeated `float` field: packed runs of little-endian float32 or single fixed32 occurrences. */
export function repeatedFloats(fields: readonly ProtobufField[]): number[] {
  const values: number[] = [];
  for (const field of fields) {
    if (field.wireType !== WireType.lengthDelimited && field.wireType !== WireType.fixed32) {
      throw new ProtobufFormatError(`field ${field.number}: expected floats, got wire type ${field.wireType}`);
    }
    if (field.bytes.length % 4 !== 0) throw new ProtobufFormatError(`field ${field.number}: ${field.bytes.length} bytes is not a whole number of floats`);
    const view = new DataView(field.bytes.buffer, field.bytes.byteOffset, field.bytes.byteLength);
    for (let offset = 0; offset < field.bytes.length; offset += 4) values.push(view.getFloat32(offset, true));
  }
  return values;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A `string` field's text. */
export function fieldText(field: ProtobufField): string {
  if (field.wireType !== WireType.lengthDelimited) throw new ProtobufFormatError(`field ${field.number}: expected a string, got wire type ${field.wireType}`);
  return utf8.decode(field.bytes);
}

/** A length-delimited field's bytes (an embedded message or `bytes`). */
export function fieldBytes(field: ProtobufField): Uint8Array {
  if (field.wireType !== WireType.lengthDelimited) throw new ProtobufFormatError(`field ${field.number}: expected a message, got wire type ${field.wireType}`);
  return field.bytes;
}

function slice(bytes: Uint8Array, offset: number, length: number): Uint8Array {
  if (offset + length > bytes.length) throw new ProtobufFormatError(`a ${length}-byte value at byte ${offset} runs past the end (${bytes.length} bytes)`);
  return bytes.subarray(offset, offset + length);
}
