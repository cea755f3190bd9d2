/**
 * Reads the JSON files of a Hugging Face model directory and checks them against a zod schema,
 * turning every failure into a ModelConversionError that names the file and the key path.
 */
import { readFile } from "node:fs/promises";
import type { z } from "zod";
import { ModelConversionError } from "./model-conversion-error.ts";

/** Parsed JSON of `path`; a missing file or bad JSON is a ModelConversionError. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelConversionError(path, "(file)", code === "ENOENT" ? "missing" : `unreadable (${code ?? String(error)})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ModelConversionError(path, "(file)", `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** `value` checked against `schema`; the first issue becomes a ModelConversionError on `path`. */
export function parseWithSchema<Shape>(schema: z.ZodType<Shape>, value: unknown, path: string): Shape {
  const result = schema.safeParse(value);
  if (result.success) {
    return result.data;
  }
  const issue = result.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".");
  throw new ModelConversionError(path, field, issue?.message ?? "invalid");
}

/** Reads and checks a JSON file in one step. */
export async function readJsonFileWithSchema<Shape>(schema: z.ZodType<Shape>, path: string): Promise<Shape> {
  return parseWithSchema(schema, await readJsonFile(path), path);
}
