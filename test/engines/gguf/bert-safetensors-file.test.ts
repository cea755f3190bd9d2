import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ModelConversionError } from "../../../engines/gguf/bert/model-conversion-error.ts";
import { SafetensorsFile } from "../../../engines/gguf/bert/safetensors-file.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { writeSafetensors } from "./bert-tiny-model.ts";

const directory = await temporaryDirectory("bert-safetensors");
/** Exact in F32, F16 and BF16 (the BF16 writer truncates, so values must need <= 8 significant bits). */
const values = [0, 1, -2, 0.5, -0.375, 3.25, 100, -0.015625, 31.5, -65280];

async function readAll(file: SafetensorsFile, name: string, chunkValues?: number): Promise<{ values: number[]; chunks: number }> {
  const collected: number[] = [];
  let chunks = 0;
  for await (const chunk of file.values(name, chunkValues === undefined ? {} : { chunkValues })) {
    collected.push(...chunk);
    chunks += 1;
  }
  return { values: collected, chunks };
}

function refusal(field: string, reason: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ModelConversionError, String(error));
    assert.equal(error.field, field);
    assert.match(error.reason, reason);
    return true;
  };
}

describe("SafetensorsFile", () => {
  it("indexes the header: names in order, dtypes, PyTorch shapes, absolute offsets and __metadata__", async () => {
    const path = join(directory, "index.safetensors");
    await writeSafetensors(
      path,
      [
        { name: "b.weight", dtype: "F32", shape: [2, 5], values: [...values] },
        { name: "a.ids", dtype: "I64", shape: [3], values: [0, 1, 2] },
      ],
      { format: "pt" },
    );
    const file = await SafetensorsFile.open(path);
    try {
      assert.deepEqual([...file.tensors.keys()], ["b.weight", "a.ids"]);
      const weight = file.tensors.get("b.weight");
      const ids = file.tensors.get("a.ids");
      assert.deepEqual({ dtype: weight?.dtype, shape: weight?.shape, byteLength: weight?.byteLength }, { dtype: "F32", shape: [2, 5], byteLength: 40 });
      assert.deepEqual({ dtype: ids?.dtype, shape: ids?.shape, byteLength: ids?.byteLength }, { dtype: "I64", shape: [3], byteLength: 24 });
      assert.equal((ids?.fileOffset ?? 0) - (weight?.fileOffset ?? 0), 40);
      assert.deepEqual(file.metadata, { format: "pt" });
    } finally {
      await file.close();
    }
  });

  for (const dtype of ["F32", "F16", "BF16"] as const) {
    it(`decodes ${dtype} values to float32, whole and across chunk boundaries`, async () => {
      const path = join(directory, `${dtype}.safetensors`);
      await writeSafetensors(path, [{ name: "t", dtype, shape: [values.length], values }]);
      const file = await SafetensorsFile.open(path);
      try {
        assert.deepEqual((await readAll(file, "t")).values, values);
        const chunked = await readAll(file, "t", 3);
        assert.deepEqual(chunked.values, values);
        assert.equal(chunked.chunks, Math.ceil(values.length / 3));
      } finally {
        await file.close();
      }
    });
  }

  it("refuses to read a non-float tensor or an unknown name as floats", async () => {
    const path = join(directory, "ints.safetensors");
    await writeSafetensors(path, [{ name: "ids", dtype: "I64", shape: [2], values: [1, 2] }]);
    const file = await SafetensorsFile.open(path);
    try {
      await assert.rejects(readAll(file, "ids"), refusal("ids", /dtype I64 cannot be read as floats/));
      await assert.rejects(readAll(file, "nope"), refusal("nope", /no such tensor/));
    } finally {
      await file.close();
    }
  });

  describe("refuses malformed files, naming the file and the field", () => {
    const header = (json: string, dataBytes = 0): Buffer => {
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
      return Buffer.concat([length, Buffer.from(json), Buffer.alloc(dataBytes)]);
    };
    const cases: ReadonlyArray<readonly [string, Buffer, string, RegExp]> = [
      ["too short", Buffer.alloc(4), "(header)", /too short/],
      ["header longer than the file", Buffer.concat([Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 0]), Buffer.from("{}")]), "(header)", /does not fit/],
      ["header not JSON", header("{nope"), "(header)", /not valid UTF-8 JSON/],
      ["header an array", header("[]"), "(header)", /JSON object/],
      ["unknown dtype", header(`{"t":{"dtype":"F7","shape":[1],"data_offsets":[0,4]}}`, 4), "t.dtype", /unknown dtype "F7"/],
      ["bad shape", header(`{"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, 4), "t.shape", /non-negative integers/],
      ["offsets past the data", header(`{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 4), "t.data_offsets", /outside the 4 data bytes/],
      ["span not the shape's size", header(`{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, 4), "t.data_offsets", /needs 8/],
      ["metadata not strings", header(`{"__metadata__":{"n":1}}`), "__metadata__", /object of strings/],
    ];
    for (const [label, bytes, field, reason] of cases) {
      it(label, async () => {
        const path = join(directory, `${label.replaceAll(" ", "-")}.safetensors`);
        await writeFile(path, bytes);
        await assert.rejects(SafetensorsFile.open(path), (error: unknown) => {
          assert.ok(error instanceof ModelConversionError);
          assert.equal(error.file, path);
          assert.match(error.message, new RegExp(`^${path.replaceAll(".", "\\.")}: `));
          return refusal(field, reason)(error);
        });
      });
    }

    it("a missing file", async () => {
      await assert.rejects(SafetensorsFile.open(join(directory, "absent.safetensors")), refusal("(file)", /missing/));
    });
  });
});
