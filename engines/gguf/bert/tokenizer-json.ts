/**
 * tokenizer.json as written by Hugging Face `tokenizers`, checked to be a WordPiece tokenizer
 * llama.cpp's `bert` (WPM) tokenizer can reproduce: WordPiece model, `##` continuation prefix.
 */
import { join } from "node:path";
import { z } from "zod";
import { parseWithSchema, readJsonFile } from "./json-file.ts";
import { ModelConversionError } from "./model-conversion-error.ts";

/** The only continuation prefix llama.cpp's phantom-space vocabulary form can express. */
export const CONTINUATION_PREFIX = "##";

const tokenIdSchema = z.number().int().nonnegative();

const modelTypeSchema = z.looseObject({ model: z.looseObject({ type: z.string() }) });

const tokenizerSchema = z.looseObject({
  model: z.looseObject({
    type: z.literal("WordPiece"),
    vocab: z.record(z.string(), tokenIdSchema),
    unk_token: z.string().optional(),
    continuing_subword_prefix: z.string().nullable().optional(),
  }),
  added_tokens: z
    .array(z.looseObject({ id: tokenIdSchema, content: z.string(), special: z.boolean().optional() }))
    .default([]),
  normalizer: z.unknown().optional(),
  post_processor: z.unknown().optional(),
});

export type WordPieceTokenizerJson = z.infer<typeof tokenizerSchema>;
export type AddedToken = WordPieceTokenizerJson["added_tokens"][number];

export interface WordPieceTokenizerFile {
  readonly path: string;
  readonly json: WordPieceTokenizerJson;
}

/** Reads `tokenizer.json`; refuses (ModelConversionError) any tokenizer model but WordPiece with `##`. */
export async function readWordPieceTokenizerJson(sourceDirectory: string): Promise<WordPieceTokenizerFile> {
  const path = join(sourceDirectory, "tokenizer.json");
  const json = await readJsonFile(path);
  const modelType = parseWithSchema(modelTypeSchema, json, path).model.type;
  if (modelType !== "WordPiece") {
    throw new ModelConversionError(path, "model.type", `"${modelType}" is not "WordPiece"; llama.cpp's bert tokenizer (WPM) only reads WordPiece vocabularies`);
  }
  const tokenizer = parseWithSchema(tokenizerSchema, json, path);
  const prefix = tokenizer.model.continuing_subword_prefix ?? CONTINUATION_PREFIX;
  if (prefix !== CONTINUATION_PREFIX) {
    throw new ModelConversionError(path, "model.continuing_subword_prefix", `"${prefix}" is not "##", the only continuation prefix llama.cpp's WPM tokenizer understands`);
  }
  return { path, json: tokenizer };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
