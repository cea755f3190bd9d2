import { createHash } from "node:crypto";
import type { GenerationRequest } from "../../../engines/engine.ts";
import type { ModelRecord } from "../../model-registry/model-record.ts";

/** Bumped when the key's layout or an entry's format changes, so old entries are never read. */
const keyFormatVersion = 1;

/**
 * What identifies the model that answers: its id and its registry version. Every change to a model
 * (engine, file path, template, default parameters, even pricing) makes a new version; `createdAt`
 * tells a model deleted and registered again (whose versions restart at 1) from the one before.
 */
function modelIdentity(model: Pick<ModelRecord, "id" | "version" | "createdAt">): [string, number, string] {
  return [model.id, model.version, model.createdAt];
}

/**
 * The cache key of a completion: SHA-256 (hex) of canonical JSON of the tenant, the model version
 * and the request as the engine gets it (the prompt after grounding, every sampling parameter).
 * Canonical by construction: arrays in a fixed order, absent parameters as null, so the same
 * request always gives the same bytes.
 */
export function completionCacheKey(tenantId: string, model: Pick<ModelRecord, "id" | "version" | "createdAt">, request: GenerationRequest): string {
  const { prompt, parameters } = request;
  const normalisedPrompt = prompt.kind === "text" ? ["text", prompt.text] : ["chat", prompt.messages.map((message) => [message.role, message.content])];
  return hashOf([
    keyFormatVersion,
    "completion",
    tenantId,
    modelIdentity(model),
    normalisedPrompt,
    [parameters.maxTokens, parameters.temperature ?? null, parameters.topP ?? null, parameters.stop ?? null, parameters.seed ?? null],
  ]);
}

/** The cache key of an embeddings call: tenant, model version and the texts in order. */
export function embeddingsCacheKey(tenantId: string, model: Pick<ModelRecord, "id" | "version" | "createdAt">, texts: readonly string[]): string {
  return hashOf([keyFormatVersion, "embeddings", tenantId, modelIdentity(model), texts]);
}

function hashOf(normalised: unknown[]): string {
  return createHash("sha256").update(JSON.stringify(normalised)).digest("hex");
}
