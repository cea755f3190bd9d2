import { z } from "zod";

/**
 * Ids and aliases: what OpenAI-style clients send as `model` (`llama-3.1-8b`, `openai/gpt-4o`,
 * `qwen2.5:7b`). A tenant's private models carry its scope first (`@acme/support-bot`, see
 * platform/authorization/model-scope.ts); shared ones cannot start with `@`.
 */
export const modelNamePattern = /^(?:@[a-z0-9][a-z0-9-]{0,62}\/)?[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$/;

export const modelCapabilities = ["CHAT", "COMPLETION", "EMBEDDING"] as const;
export const modelStatuses = ["ACTIVE", "DEPRECATED", "DISABLED"] as const;
export const engineKinds = ["LLAMA_CPP", "OPENAI_COMPATIBLE"] as const;

export type ModelCapability = (typeof modelCapabilities)[number];
export type ModelStatus = (typeof modelStatuses)[number];
export type EngineKind = (typeof engineKinds)[number];

/** The schema of a stored model: what the embedded file and Redis hold, checked again on every read. */
export const modelRecordSchema = z.object({
  id: z.string().regex(modelNamePattern),
  displayName: z.string(),
  family: z.string(),
  capabilities: z.array(z.enum(modelCapabilities)),
  contextLength: z.number().int().positive(),
  embeddingDimensions: z.number().int().positive().nullable(),
  engine: z.object({
    kind: z.enum(engineKinds),
    modelPath: z.string().nullable(),
    baseUrl: z.string().nullable(),
    upstreamModel: z.string().nullable(),
    /** Write-only secret for the upstream server; never leaves the registry through GraphQL. */
    apiKey: z.string().nullable(),
    /**
     * A Jinja chat template that replaces the GGUF file's: the model's (LLAMA_CPP) or the tokenizer
     * file's (OPENAI_COMPATIBLE). Absent: the file's is used.
     */
    chatTemplate: z.string().optional(),
    /** OPENAI_COMPATIBLE: a GGUF file of the served model, read for exact token counts. */
    tokenizerPath: z.string().optional(),
  }),
  pricing: z.object({
    inputPerMillionTokens: z.number().nonnegative(),
    outputPerMillionTokens: z.number().nonnegative(),
    currency: z.string(),
  }),
  status: z.enum(modelStatuses),
  aliases: z.array(z.string()),
  defaultParameters: z.object({
    temperature: z.number().nullable(),
    topP: z.number().nullable(),
    maxTokens: z.number().int().nullable(),
    stop: z.array(z.string()).nullable(),
  }),
  version: z.number().int().positive(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** A model as stored. GraphQL resolvers map it onto the `Model` type (codegen mapper). */
export type ModelRecord = z.infer<typeof modelRecordSchema>;
export type ModelEngineRecord = ModelRecord["engine"];

/** What defines a model, without the bookkeeping the registry assigns. */
export type ModelDefinition = Omit<ModelRecord, "version" | "createdAt" | "updatedAt">;

/** Every name that resolves to the model. */
export function namesOf(record: Pick<ModelRecord, "id" | "aliases">): string[] {
  return [record.id, ...record.aliases];
}
