import { createHash } from "node:crypto";
import type { GenerationPrompt, GenerationRequest } from "../../../engines/engine.ts";
import type { ModelRecord } from "../../model-registry/model-record.ts";

/** The closest cached request of a scope, and how close. */
export interface SemanticMatch {
  /** The exact response cache key of the cached answer. */
  key: string;
  /** Cosine similarity of the two requests' embeddings, -1 to 1. */
  similarity: number;
}

/**
 * The semantic cache's index: for each scope (semanticScope: one tenant, one model version, one
 * system prompt, one set of parameters), the embeddings of the requests whose answers the exact
 * response cache holds, so a paraphrase finds the answer of an earlier request. The scope is a
 * hard partition, a key of the index, never text added to what is embedded: a lookup can only
 * see entries of its own scope. In memory (embedded defaults) or in Redis, side by side with one
 * contract test.
 */
export interface SemanticIndex {
  /** The entry of `scope` most similar to `vector`, when at least `minSimilarity`. */
  nearest(scope: string, vector: Float32Array, minSimilarity: number): Promise<SemanticMatch | undefined>;
  /** Adds `key` with `vector` to `scope` for `ttlSeconds` (replacing an entry of the same key). */
  add(scope: string, key: string, vector: Float32Array, ttlSeconds: number): Promise<void>;
}

/**
 * The partition a request's semantic lookups stay in: a SHA-256 of the tenant, the model's id,
 * version and creation time, the system messages and every generation parameter. Only the
 * conversation itself (semanticText) is compared by meaning.
 */
export function semanticScope(tenantId: string, model: Pick<ModelRecord, "id" | "version" | "createdAt">, request: GenerationRequest): string {
  const system = request.prompt.kind === "chat" ? request.prompt.messages.filter((message) => message.role === "system").map((message) => message.content) : [];
  const { maxTokens, temperature, topP, stop, seed } = request.parameters;
  const parts = [tenantId, model.id, model.version, model.createdAt, request.prompt.kind, system, maxTokens, temperature ?? null, topP ?? null, stop ?? null, seed ?? null];
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

/** What is embedded for a lookup: the prompt, or the conversation without its system messages. */
export function semanticText(prompt: GenerationPrompt): string {
  if (prompt.kind === "text") return prompt.text;
  return prompt.messages
    .filter((message) => message.role !== "system")
    .map((message) => `${message.role}: ${message.content}`)
    .join("\n");
}

export { cosineSimilarity } from "../../../platform/vectors/cosine-similarity.ts";
