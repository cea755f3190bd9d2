/**
 * Converts a BERT cross-encoder (BertForSequenceClassification with one output, e.g.
 * cross-encoder/ms-marco-MiniLM-L-12-v2) exported to ONNX — float or onnxruntime's dynamic INT8 —
 * into a float `bert` GGUF that llama.cpp runs as a reranker (pooling type RANK):
 * - the encoder's tensors are named as for an embedding model (bert-tensors.ts);
 * - BERT's pooler (dense + tanh over [CLS]) becomes `cls.weight`/`cls.bias` and the classifier
 *   `cls.output.weight`/`cls.output.bias`: exactly what llama.cpp's RANK pooling computes
 *   (`tanh(cls · h[CLS] + cls_b)`, then `cls_out · … + cls_out_b`), the layout llama.cpp's converter
 *   uses for RoBERTa's classifier.dense/out_proj. For BERT that converter drops `pooler.dense` and
 *   writes the classifier alone as `cls.output`, losing the pooler's dense + tanh.
 * With two token types the vocabulary gets a segment-B copy (segment-b-tokens.ts) so that llama.cpp
 * can be given BERT's token types for the document half.
 * The directory holds `model.onnx`, `tokenizer.json` (WordPiece) and optionally
 * `tokenizer_config.json`. Hyperparameters come from the graph itself (shapes, the attention
 * reshape, the LayerNorm constant), since such exports ship no config.json.
 * Tensors are dequantized one at a time as the writer asks for them; the ONNX file itself is read
 * into memory whole.
 * Measured: ms-marco-MiniLM-L-12-v2 INT8 (34 MB) converts in ~1.6-2.2 s to f32 or f16 on a 2-core
 * box (92 MB f16 / 182 MB f32 file with segment-B tokens).
 */
import { mkdir } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { writeGgufFile, type GgufTensorSource } from "../gguf-writer.ts";
import type { BertHyperparameters } from "./bert-config.ts";
import { bertMetadata } from "./bert-metadata.ts";
import { cleanSourceName, expectedBertTensors, outputTensorType, type BertOutputType } from "./bert-tensors.ts";
import { ModelConversionError } from "./model-conversion-error.ts";
import { readOnnxBertWeights, type FloatTensor } from "./onnx-bert-weights.ts";
import { readOnnxModel } from "./onnx-model.ts";
import { SEGMENT_B_TOKEN_OFFSET_KEY, segmentBEmbeddings, withSegmentBTokens } from "./segment-b-tokens.ts";
import { readWordPieceVocabulary } from "./wordpiece-vocabulary.ts";
import { metadata as metadataValue } from "../gguf-types.ts";

export interface ConvertCrossEncoderOptions {
  /** Directory with model.onnx, tokenizer.json and optionally tokenizer_config.json. */
  readonly sourceDirectory: string;
  /** The .gguf to write; missing parent directories are created, an existing file is replaced. */
  readonly outputPath: string;
  /** Weight type of the 2-D matrices (default "f16"); norms, biases and the position/type tables stay F32. */
  readonly type?: BertOutputType;
  /** `general.name` (default: the source directory's name). */
  readonly name?: string;
  /**
   * Append the segment-B copy of the vocabulary (default true when the model has two token types):
   * the file grows by one word-embedding table (11.7M values for MiniLM).
   */
  readonly segmentBTokens?: boolean;
}

export interface ConvertedCrossEncoder {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly type: BertOutputType;
  readonly hyperparameters: BertHyperparameters;
  readonly parameterCount: number;
  /** Id offset of the segment-B tokens, or undefined when the file has none. */
  readonly segmentBTokenOffset: number | undefined;
}

/** The classification head: BERT's pooler, then the classifier, in llama.cpp's names. */
const headTensors = [
  { name: "cls.weight", sourceName: "pooler.dense.weight" },
  { name: "cls.bias", sourceName: "pooler.dense.bias" },
  { name: "cls.output.weight", sourceName: "classifier.weight" },
  { name: "cls.output.bias", sourceName: "classifier.bias" },
] as const;

/** Operators whose presence says the encoder is something llama.cpp's bert graph does not run. */
const unsupportedActivations: readonly string[] = ["Relu", "Sigmoid", "FastGelu", "BiasGelu", "QuickGelu"];

export async function convertCrossEncoder(options: ConvertCrossEncoderOptions): Promise<ConvertedCrossEncoder> {
  const sourceDirectory = resolve(options.sourceDirectory);
  const outputType = options.type ?? "f16";
  const onnxPath = join(sourceDirectory, "model.onnx");
  const model = await readOnnxModel(onnxPath);
  const operators = new Set(model.graph.nodes.map((node) => node.opType));
  const unsupported = unsupportedActivations.find((operator) => operators.has(operator));
  if (!operators.has("Erf") || unsupported !== undefined) {
    throw new ModelConversionError(onnxPath, "(graph)", `runs ${unsupported ?? "no Erf (GELU)"}; llama.cpp's bert graph only runs GELU`);
  }
  const weights = readOnnxBertWeights(model);
  const tensors = new Map<string, FloatTensor>();
  for (const [name, tensor] of weights.tensors) tensors.set(cleanSourceName(name), tensor);

  const hyper = hyperparametersOf(onnxPath, tensors, weights.headCount, weights.layerNormEpsilon);
  const classifier = tensors.get("classifier.weight");
  if (classifier === undefined || tensors.get("pooler.dense.weight") === undefined) {
    throw new ModelConversionError(onnxPath, "classifier.weight", "missing: not a BertForSequenceClassification (pooler and classifier) export");
  }
  if (classifier.shape[0] !== 1) {
    throw new ModelConversionError(onnxPath, "classifier.weight", `has ${classifier.shape[0]} outputs; a reranker has one relevance logit (llama.cpp's RANK pooling reports the first output only)`);
  }
  const baseVocabulary = await readWordPieceVocabulary(sourceDirectory, hyper.vocabularySize, hyper.paddingTokenId);
  const segmentB = (options.segmentBTokens ?? true) && hyper.tokenTypeCount >= 2;
  const vocabulary = segmentB ? withSegmentBTokens(baseVocabulary) : baseVocabulary;
  if (segmentB) {
    const words = tensors.get("embeddings.word_embeddings.weight");
    const types = tensors.get("embeddings.token_type_embeddings.weight");
    if (words !== undefined && types !== undefined) {
      tensors.set("embeddings.word_embeddings.weight", { shape: [2 * hyper.vocabularySize, hyper.hiddenSize], values: () => segmentBEmbeddings(words.values(), hyper.hiddenSize, types.values()) });
    }
  }
  const tableRows = segmentB ? 2 * hyper.vocabularySize : hyper.vocabularySize;

  const expected = [
    ...expectedBertTensors({ ...hyper, vocabularySize: tableRows }),
    ...headTensors.map((head) => ({ ...head, sourceShape: head.sourceName.endsWith(".weight") ? [head.sourceName === "classifier.weight" ? 1 : hyper.hiddenSize, hyper.hiddenSize] : [head.sourceName === "classifier.bias" ? 1 : hyper.hiddenSize] })),
  ];
  const sources: GgufTensorSource[] = expected.map((tensor) => {
    const found = tensors.get(tensor.sourceName);
    if (found === undefined) throw new ModelConversionError(onnxPath, tensor.sourceName, `missing; llama.cpp needs it as ${tensor.name}`);
    tensors.delete(tensor.sourceName);
    if (found.shape.join(",") !== tensor.sourceShape.join(",")) {
      throw new ModelConversionError(onnxPath, tensor.sourceName, `shape [${found.shape.join(", ")}], expected [${tensor.sourceShape.join(", ")}]`);
    }
    const shape = [...found.shape].reverse();
    return { name: tensor.name, shape, type: outputTensorType(tensor.name, shape.length, outputType), values: () => inChunks(found.values()) };
  });
  const [unexpected] = tensors.keys();
  if (unexpected !== undefined) throw new ModelConversionError(onnxPath, unexpected, "is not a tensor of a BertForSequenceClassification");

  const path = resolve(options.outputPath);
  await mkdir(dirname(path), { recursive: true });
  const metadata = bertMetadata({ name: options.name ?? basename(sourceDirectory), hyper, vocabulary, pooling: "rank", outputType });
  if (segmentB) metadata.push({ key: SEGMENT_B_TOKEN_OFFSET_KEY, value: metadataValue.uint32(hyper.vocabularySize) });
  const { bytes, sha256 } = await writeGgufFile(path, { metadata, tensors: sources });
  return {
    path,
    bytes,
    sha256,
    type: outputType,
    hyperparameters: hyper,
    parameterCount: sources.reduce((total, source) => total + source.shape.reduce((product, size) => product * size, 1), 0),
    segmentBTokenOffset: segmentB ? hyper.vocabularySize : undefined,
  };
}

/** Values per chunk handed to the GGUF writer (4 MiB of float32), so only one chunk is encoded at a time. */
const CHUNK_VALUES = 1 << 20;

function* inChunks(values: Float32Array): Generator<Float32Array> {
  for (let start = 0; start < values.length; start += CHUNK_VALUES) yield values.subarray(start, start + CHUNK_VALUES);
}

/** What config.json would say, read off the tensors' shapes. */
function hyperparametersOf(path: string, tensors: ReadonlyMap<string, FloatTensor>, headCount: number, layerNormEpsilon: number): BertHyperparameters {
  const shapeOf = (name: string): readonly number[] => {
    const tensor = tensors.get(name);
    if (tensor === undefined) throw new ModelConversionError(path, name, "missing from the graph");
    return tensor.shape;
  };
  const [vocabularySize = 0, hiddenSize = 0] = shapeOf("embeddings.word_embeddings.weight");
  const [maximumPositions = 0] = shapeOf("embeddings.position_embeddings.weight");
  const [tokenTypeCount = 0] = shapeOf("embeddings.token_type_embeddings.weight");
  const [intermediateSize = 0] = shapeOf("encoder.layer.0.intermediate.dense.weight");
  const layers = new Set([...tensors.keys()].map((name) => /^encoder\.layer\.(\d+)\./.exec(name)?.[1]).filter((index) => index !== undefined));
  if (hiddenSize % headCount !== 0) throw new ModelConversionError(path, "encoder.layer.0.attention.self", `${headCount} heads do not divide the hidden size ${hiddenSize}`);
  return {
    architecture: "BertForSequenceClassification",
    vocabularySize,
    hiddenSize,
    intermediateSize,
    layerCount: layers.size,
    headCount,
    maximumPositions,
    tokenTypeCount,
    layerNormEpsilon,
    paddingTokenId: undefined,
  };
}
