import { z } from "zod";

/**
 * Ids and aliases: what OpenAI-style clients send as `model` (`llama-3.1-8b`, `openai/gpt-4o`,
 * `qwen2.5:7b`). A tenant's private models carry its scope first (`@acme/support-bot`, see
 * platform/authorization/model-scope.ts); shared ones cannot start with `@`.
 */
export const modelNamePattern = /^(?:@[a-z0-9][a-z0-9-]{0,62}\/)?[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$/;

export const modelCapabilities = ["CHAT", "COMPLETION", "EMBEDDING", "RERANKING"] as const;
export const modelStatuses = ["ACTIVE", "DEPRECATED", "DISABLED"] as const;
export const engineKinds = ["LLAMA_CPP", "OPENAI_COMPATIBLE"] as const;

export type ModelCapability = (typeof modelCapabilities)[number];
export type ModelStatus = (typeof modelStatuses)[number];
export type EngineKind = (typeof engineKinds)[number];

const engineRecordSchema = z.object({
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
});

export const deploymentNamePattern = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const routingStrategies = ["WEIGHTED", "LEAST_BUSY"] as const;
export type RoutingStrategy = (typeof routingStrategies)[number];

const deploymentRecordSchema = z.object({
  name: z.string().regex(deploymentNamePattern),
  engine: engineRecordSchema,
  /** Share of its priority's traffic, 0 to 1,000. */
  weight: z.number().int().min(0).max(1_000),
  /** Lower first, 0 to 100. */
  priority: z.number().int().min(0).max(100),
  /** Calls it serves at once at full speed (LEAST_BUSY); null: 1. */
  maxConcurrentRequests: z.number().int().positive().nullable(),
});

export const splitStickinesses = ["TENANT", "API_KEY"] as const;
export type SplitStickiness = (typeof splitStickinesses)[number];

const aliasSplitRecordSchema = z.object({
  alias: z.string(),
  stickiness: z.enum(splitStickinesses),
  /** The other models and their shares in percent; the rest stays on this model. */
  arms: z.array(z.object({ modelId: z.string().regex(modelNamePattern), percent: z.number().positive().max(100) })),
});

/** The schema of a stored model: what the embedded file and Redis hold, checked again on every read. */
export const modelRecordSchema = z.object({
  id: z.string().regex(modelNamePattern),
  displayName: z.string(),
  family: z.string(),
  capabilities: z.array(z.enum(modelCapabilities)),
  contextLength: z.number().int().positive(),
  embeddingDimensions: z.number().int().positive().nullable(),
  /** The engine of the first deployment (all of them when `deployments` is absent: one deployment, `default`). */
  engine: engineRecordSchema,
  /**
   * Where the model is served, when more than one engine serves it (engines/routing/): absent for a
   * model with one engine (`engine`). The first deployment's engine is also `engine`.
   */
  deployments: z.array(deploymentRecordSchema).optional(),
  /** How calls are spread among the deployments of one priority. Absent: WEIGHTED. */
  routing: z.enum(routingStrategies).optional(),
  /**
   * Canary and A/B splits: requests that name the model by one of its aliases go in part to other
   * models (arms), sticky per tenant or API key (subgraphs/inference/alias-split.ts). Absent: none.
   */
  aliasSplits: z.array(aliasSplitRecordSchema).optional(),
  /** Default TTL of the exact response cache for deterministic requests that do not ask (subgraphs/inference/cache/). Absent: none. */
  responseCacheTtlSeconds: z.number().int().positive().optional(),
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
export type ModelDeploymentRecord = z.infer<typeof deploymentRecordSchema>;
export type AliasSplitRecord = z.infer<typeof aliasSplitRecordSchema>;

/** The deployments that serve a model: its `deployments`, or its one `engine` as the deployment `default`. */
export function deploymentsOf(record: Pick<ModelRecord, "engine" | "deployments">): ModelDeploymentRecord[] {
  if (record.deployments !== undefined && record.deployments.length > 0) return record.deployments;
  return [{ name: "default", engine: record.engine, weight: 1, priority: 0, maxConcurrentRequests: null }];
}

/** What defines a model, without the bookkeeping the registry assigns. */
export type ModelDefinition = Omit<ModelRecord, "version" | "createdAt" | "updatedAt">;

/** Every name that resolves to the model. */
export function namesOf(record: Pick<ModelRecord, "id" | "aliases">): string[] {
  return [record.id, ...record.aliases];
}
