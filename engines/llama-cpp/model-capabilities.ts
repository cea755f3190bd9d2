/**
 * What a loaded model can do, read from its GGUF metadata.
 */
import type { LlamaModel } from "node-llama-cpp";

/** llama.cpp's LLAMA_POOLING_TYPE_RANK: a classification head over the first token, one score per input. */
const RANK_POOLING = 4;

/**
 * True for embedding models: llama.cpp pools token vectors into one text vector only when the file
 * sets `<architecture>.pooling_type` to mean, cls or last (0 is none, -1 unspecified). A
 * generation model without it would return one token's hidden state, not a text embedding; a
 * reranker (rank pooling) returns a relevance score, not a vector.
 */
export function supportsEmbeddings(model: LlamaModel): boolean {
  const poolingType = poolingTypeOf(model);
  return poolingType !== undefined && poolingType > 0 && poolingType !== RANK_POOLING;
}

/** True for rerankers (cross-encoders): the file sets `<architecture>.pooling_type` to rank (4). */
export function supportsRanking(model: LlamaModel): boolean {
  return poolingTypeOf(model) === RANK_POOLING;
}

function poolingTypeOf(model: LlamaModel): number | undefined {
  const architecture = model.fileInfo.metadata.general.architecture;
  const architectureMetadata: object | undefined = model.fileInfo.metadata[architecture];
  if (architectureMetadata === undefined || !("pooling_type" in architectureMetadata)) return undefined;
  const poolingType: unknown = architectureMetadata.pooling_type;
  return typeof poolingType === "number" ? poolingType : undefined;
}
