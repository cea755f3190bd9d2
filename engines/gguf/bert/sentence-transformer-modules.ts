/**
 * The sentence-transformers pipeline around the BERT encoder: modules.json lists the modules
 * (Transformer -> Pooling -> optional Normalize) and the Pooling module's config.json says how
 * token vectors become one sentence vector. llama.cpp runs the encoder and the pooling; it never
 * normalises, so `normalize` is reported for the caller to apply.
 */
import { join } from "node:path";
import { z } from "zod";
import { readJsonFileWithSchema } from "./json-file.ts";
import { ModelConversionError } from "./model-conversion-error.ts";

export type PoolingKind = "mean" | "cls";

/** llama.cpp's `enum llama_pooling_type`, written as `bert.pooling_type`. */
export const poolingTypeCodes: Readonly<Record<PoolingKind, number>> = { mean: 1, cls: 2 };

export interface SentenceTransformerPipeline {
  readonly pooling: PoolingKind;
  /** True when a Normalize module follows the pooling: vectors are meant to have length 1. */
  readonly normalize: boolean;
  /** The pooling module's word_embedding_dimension, for a cross-check with config.json. */
  readonly poolingDimension: number | undefined;
}

const modulesSchema = z
  .array(z.looseObject({ path: z.string(), type: z.string() }))
  .min(1, "must list at least the Transformer module");

const poolingSchema = z.looseObject({
  word_embedding_dimension: z.number().int().positive().optional(),
  pooling_mode: z.string().optional(),
  pooling_mode_cls_token: z.boolean().optional(),
  pooling_mode_mean_tokens: z.boolean().optional(),
  pooling_mode_max_tokens: z.boolean().optional(),
  pooling_mode_mean_sqrt_len_tokens: z.boolean().optional(),
  pooling_mode_weightedmean_tokens: z.boolean().optional(),
  pooling_mode_lasttoken: z.boolean().optional(),
});

/** Pooling modes llama.cpp has no equivalent of for BERT (or that sentence-transformers combines). */
const unsupportedPoolingFlags = [
  "pooling_mode_max_tokens",
  "pooling_mode_mean_sqrt_len_tokens",
  "pooling_mode_weightedmean_tokens",
  "pooling_mode_lasttoken",
] as const;

export async function readSentenceTransformerPipeline(sourceDirectory: string): Promise<SentenceTransformerPipeline> {
  const modulesPath = join(sourceDirectory, "modules.json");
  const modules = await readJsonFileWithSchema(modulesSchema, modulesPath);
  let poolingPath: string | undefined;
  let normalize = false;
  for (const [index, module] of modules.entries()) {
    const kind = module.type.split(".").at(-1) ?? module.type;
    if (index === 0) {
      if (kind !== "Transformer" || module.path !== "") {
        throw new ModelConversionError(modulesPath, "0", `the first module must be the Transformer in the model's own directory, got ${module.type} at "${module.path}"`);
      }
    } else if (kind === "Pooling" && poolingPath === undefined && !normalize) {
      poolingPath = join(sourceDirectory, module.path, "config.json");
    } else if (kind === "Normalize" && poolingPath !== undefined && !normalize) {
      normalize = true;
    } else {
      // A Dense projection, a second pooling, anything after Normalize: llama.cpp would not run it,
      // so the GGUF's vectors would silently differ from the model's.
      throw new ModelConversionError(modulesPath, `${index}`, `module ${module.type} at "${module.path}" is not supported (only Transformer, Pooling, then optionally Normalize)`);
    }
  }
  if (poolingPath === undefined) {
    throw new ModelConversionError(modulesPath, "(modules)", "has no Pooling module");
  }
  const config = await readJsonFileWithSchema(poolingSchema, poolingPath);
  return { pooling: poolingKind(config, poolingPath), normalize, poolingDimension: config.word_embedding_dimension };
}

function poolingKind(config: z.infer<typeof poolingSchema>, path: string): PoolingKind {
  for (const flag of unsupportedPoolingFlags) {
    if (config[flag] === true) {
      throw new ModelConversionError(path, flag, "is set; only mean or CLS pooling converts to llama.cpp");
    }
  }
  const mean = config.pooling_mode_mean_tokens === true || config.pooling_mode === "mean";
  const cls = config.pooling_mode_cls_token === true || config.pooling_mode === "cls";
  if (mean && cls) {
    throw new ModelConversionError(path, "pooling_mode_cls_token", "mean and CLS pooling together (a concatenated vector) has no llama.cpp equivalent");
  }
  if (!mean && !cls) {
    throw new ModelConversionError(path, "pooling_mode_mean_tokens", "neither mean nor CLS pooling is set");
  }
  return mean ? "mean" : "cls";
}
