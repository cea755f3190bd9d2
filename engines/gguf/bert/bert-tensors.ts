/**
 * Which safetensors tensors become which GGUF tensors, in which type: the names of gguf-py's
 * tensor_mapping.py for MODEL_ARCH.BERT, the tensors convert_hf_to_gguf.py's BertModel drops, and
 * its rule for what stays F32 in an F16 file. GGUF shapes are PyTorch shapes reversed (a Linear
 * weight [out, in] becomes [in, out]); the bytes are in the same order, so data is copied through.
 */
import { ModelConversionError } from "./model-conversion-error.ts";
import type { BertHyperparameters } from "./bert-config.ts";
import { isFloatDtype, type SafetensorsTensor } from "./safetensors-file.ts";

export type BertOutputType = "f32" | "f16";

export interface BertTensorPlan {
  /** Name in the GGUF file, e.g. `blk.0.attn_q.weight`. */
  readonly name: string;
  /** Name in model.safetensors, e.g. `encoder.layer.0.attention.self.query.weight`. */
  readonly sourceName: string;
  /** GGUF order: the fastest-varying dimension first. */
  readonly shape: readonly number[];
  readonly type: "F32" | "F16";
}

/** Source names (after prefix/suffix clean-up) llama.cpp's converter deliberately skips. */
const skippedNames: ReadonlySet<string> = new Set(["embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias"]);
const skippedPrefixes: readonly string[] = ["cls.predictions", "cls.seq_relationship"];
const skippedSuffixes: readonly string[] = [".attention.masked_bias", ".attention.bias", ".rotary_emb.inv_freq"];

/** GGUF tensors llama.cpp's converter keeps F32 whatever the file type (besides 1-D ones and norms). */
const alwaysFloat32: ReadonlySet<string> = new Set(["position_embd.weight", "token_types.weight"]);

/**
 * convert_hf_to_gguf.py BertModel.filter_tensors: drop a `bert.` prefix (BertForMaskedLM), and
 * TF-era `gamma`/`beta` become `weight`/`bias`.
 */
export function cleanSourceName(name: string): string {
  let cleaned = name.startsWith("bert.") ? name.slice("bert.".length) : name;
  if (cleaned.endsWith(".gamma")) cleaned = `${cleaned.slice(0, -".gamma".length)}.weight`;
  if (cleaned.endsWith(".beta")) cleaned = `${cleaned.slice(0, -".beta".length)}.bias`;
  return cleaned;
}

export function isSkippedTensor(cleanedName: string): boolean {
  return (
    skippedNames.has(cleanedName) ||
    skippedPrefixes.some((prefix) => cleanedName.startsWith(prefix)) ||
    skippedSuffixes.some((suffix) => cleanedName.endsWith(suffix))
  );
}

interface ExpectedTensor {
  readonly name: string;
  readonly sourceName: string;
  /** PyTorch order, as stored in safetensors. */
  readonly sourceShape: readonly number[];
}

/** Every tensor llama.cpp's bert graph uses, in file order: embeddings, then block by block. */
export function expectedBertTensors(hyper: BertHyperparameters): ExpectedTensor[] {
  const { vocabularySize, hiddenSize, intermediateSize, maximumPositions, tokenTypeCount, layerCount } = hyper;
  const pair = (name: string, sourceName: string, outputs: number, inputs?: number): ExpectedTensor[] => [
    { name: `${name}.weight`, sourceName: `${sourceName}.weight`, sourceShape: inputs === undefined ? [outputs] : [outputs, inputs] },
    { name: `${name}.bias`, sourceName: `${sourceName}.bias`, sourceShape: [outputs] },
  ];
  const tensors: ExpectedTensor[] = [
    { name: "token_embd.weight", sourceName: "embeddings.word_embeddings.weight", sourceShape: [vocabularySize, hiddenSize] },
    { name: "position_embd.weight", sourceName: "embeddings.position_embeddings.weight", sourceShape: [maximumPositions, hiddenSize] },
    { name: "token_types.weight", sourceName: "embeddings.token_type_embeddings.weight", sourceShape: [tokenTypeCount, hiddenSize] },
    ...pair("token_embd_norm", "embeddings.LayerNorm", hiddenSize),
  ];
  for (let block = 0; block < layerCount; block += 1) {
    const source = `encoder.layer.${block}`;
    const target = `blk.${block}`;
    tensors.push(
      ...pair(`${target}.attn_q`, `${source}.attention.self.query`, hiddenSize, hiddenSize),
      ...pair(`${target}.attn_k`, `${source}.attention.self.key`, hiddenSize, hiddenSize),
      ...pair(`${target}.attn_v`, `${source}.attention.self.value`, hiddenSize, hiddenSize),
      ...pair(`${target}.attn_output`, `${source}.attention.output.dense`, hiddenSize, hiddenSize),
      ...pair(`${target}.attn_output_norm`, `${source}.attention.output.LayerNorm`, hiddenSize),
      ...pair(`${target}.ffn_up`, `${source}.intermediate.dense`, intermediateSize, hiddenSize),
      ...pair(`${target}.ffn_down`, `${source}.output.dense`, hiddenSize, intermediateSize),
      ...pair(`${target}.layer_output_norm`, `${source}.output.LayerNorm`, hiddenSize),
    );
  }
  return tensors;
}

/** convert_hf_to_gguf.py prepare_tensors: 1-D tensors, norms and position/type tables stay F32. */
export function outputTensorType(name: string, dimensionCount: number, outputType: BertOutputType): "F32" | "F16" {
  if (outputType === "f32" || dimensionCount <= 1 || name.endsWith("_norm.weight") || alwaysFloat32.has(name)) {
    return "F32";
  }
  return "F16";
}

/**
 * Matches the checkpoint's tensors to the expected set. Refuses (ModelConversionError on
 * `safetensorsPath`) a missing tensor, one of the wrong shape or dtype, and any tensor that is
 * neither expected nor one llama.cpp's converter knowingly drops.
 */
export function planBertTensors(
  sourceTensors: ReadonlyMap<string, SafetensorsTensor>,
  hyper: BertHyperparameters,
  outputType: BertOutputType,
  safetensorsPath: string,
): BertTensorPlan[] {
  const byCleanName = new Map<string, SafetensorsTensor>();
  for (const tensor of sourceTensors.values()) {
    const cleaned = cleanSourceName(tensor.name);
    if (isSkippedTensor(cleaned)) continue;
    if (byCleanName.has(cleaned)) {
      throw new ModelConversionError(safetensorsPath, tensor.name, `duplicates ${cleaned}`);
    }
    byCleanName.set(cleaned, tensor);
  }
  const plans: BertTensorPlan[] = [];
  for (const expected of expectedBertTensors(hyper)) {
    const tensor = byCleanName.get(expected.sourceName);
    if (tensor === undefined) {
      throw new ModelConversionError(safetensorsPath, expected.sourceName, `missing; llama.cpp's bert architecture needs it as ${expected.name}`);
    }
    byCleanName.delete(expected.sourceName);
    if (!isFloatDtype(tensor.dtype)) {
      throw new ModelConversionError(safetensorsPath, tensor.name, `dtype ${tensor.dtype} is not F32, F16 or BF16`);
    }
    if (tensor.shape.join(",") !== expected.sourceShape.join(",")) {
      throw new ModelConversionError(safetensorsPath, tensor.name, `shape [${tensor.shape.join(", ")}] does not match config.json: expected [${expected.sourceShape.join(", ")}]`);
    }
    const shape = [...tensor.shape].reverse();
    plans.push({ name: expected.name, sourceName: tensor.name, shape, type: outputTensorType(expected.name, shape.length, outputType) });
  }
  const [unexpected] = byCleanName.values();
  if (unexpected !== undefined) {
    throw new ModelConversionError(safetensorsPath, unexpected.name, "is not a tensor of a BertModel encoder (config.json's num_hidden_layers may be too small)");
  }
  return plans;
}
