/**
 * Shapes of the replies we accept from OpenAI-compatible servers, checked at the boundary: upstream
 * JSON is never trusted. Unknown extra fields (vLLM's `stop_reason`, llama.cpp's `timings`) are allowed.
 */
import { z } from "zod";
import { EngineError } from "../engine-error.ts";

const tokenCountSchema = z.number().int().nonnegative();

export const usageSchema = z.object({ prompt_tokens: tokenCountSchema, completion_tokens: tokenCountSchema });

const finishReasonSchema = z.string().nullish();
const choiceIndexSchema = z.number().int().nonnegative();

/** One `data:` event of a `/chat/completions` stream; the usage-only last event has `choices: []`. */
export const chatCompletionChunkSchema = z.object({
  choices: z.array(
    z.object({
      index: choiceIndexSchema,
      delta: z.object({ content: z.string().nullish() }).nullish(),
      finish_reason: finishReasonSchema,
    }),
  ),
  usage: usageSchema.nullish(),
});

/** One `data:` event of a `/completions` stream. */
export const textCompletionChunkSchema = z.object({
  choices: z.array(z.object({ index: choiceIndexSchema, text: z.string(), finish_reason: finishReasonSchema })),
  usage: usageSchema.nullish(),
});

export const textCompletionSchema = z.object({
  choices: z.array(z.object({ index: choiceIndexSchema, text: z.string(), finish_reason: finishReasonSchema })),
  usage: usageSchema.nullish(),
});

/**
 * A `/completions` reply for an array prompt: one object with a choice per prompt (OpenAI, vLLM, SGLang,
 * TGI), or — llama.cpp server — a JSON array with one complete reply per prompt.
 */
export const textCompletionBatchSchema = z.union([textCompletionSchema, z.array(textCompletionSchema)]);

/**
 * A vector as a JSON array of numbers. One pass with `typeof` instead of `z.array(z.number())`: a reply
 * carries hundreds of thousands of numbers and per-element schema checks cost as much as JSON.parse.
 * (Finiteness is checked after the float32 conversion, in embedding-vectors.ts.)
 */
const numberArraySchema = z.custom<number[]>(
  (value) => Array.isArray(value) && value.every((item) => typeof item === "number"),
  "expected an array of numbers",
);

export const embeddingsSchema = z.object({
  data: z.array(z.object({ index: choiceIndexSchema, embedding: numberArraySchema })),
});

/**
 * `POST /rerank` (under the API base, e.g. `/v1/rerank`) in the Jina / Cohere shape that llama.cpp
 * server, vLLM and Infinity serve: one result per document, `index` into the request's documents.
 */
export const rerankSchema = z.object({
  results: z.array(z.object({ index: choiceIndexSchema, relevance_score: z.number().finite() })),
});

/** `POST /tokenize`: vLLM answers `{count, max_model_len, tokens}`, llama.cpp `{tokens}` (ids, or `{id, piece}` with `with_pieces`). */
export const tokenizeSchema = z.object({ tokens: z.array(z.unknown()), count: tokenCountSchema.optional() });

/** llama.cpp `POST /apply-template`. */
export const applyTemplateSchema = z.object({ prompt: z.string() });

export type WireUsage = z.infer<typeof usageSchema>;

/** Parses `value` or throws `invalid-response` naming the first mismatch. */
export function parseWire<Schema extends z.ZodType>(schema: Schema, value: unknown, what: string): z.infer<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? "" : ` at ${issue.path.join(".")}`;
  throw new EngineError("invalid-response", `${what}: unexpected reply${where}: ${issue?.message ?? "invalid"}`, { cause: result.error });
}
