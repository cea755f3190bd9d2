import type { RequestContext } from "../../platform/context/request-context.ts";
import type { ModelTokenDemand } from "./model-token-demands.ts";

/** What a read of cost inputs depends on: the caller's tenant (and key: visibility), and the models and collections named. */
export function costInputsKey(demands: readonly ModelTokenDemand[], caller: RequestContext): string {
  const models = [...new Set(demands.flatMap((demand) => (demand.modelId === undefined ? [] : [demand.modelId])))].sort();
  const collections = [...new Set(demands.flatMap((demand) => (demand.collectionId === undefined ? [] : [demand.collectionId])))].sort();
  return JSON.stringify([caller.tenantId, caller.apiKeyId, [...caller.roles].sort(), models, collections]);
}

/** What the estimate needs of a model: its live price and limits. */
export interface ModelCostFacts {
  contextLength: number;
  /** Per million tokens, in `currency`. */
  inputPerMillionTokens: number;
  outputPerMillionTokens: number;
  currency: string;
  /** The model's default `maxTokens`, or null. */
  defaultMaxTokens: number | null;
}

export interface CollectionCostFacts {
  chunkMaxTokens: number;
  embeddingModel: ModelCostFacts | null;
}

/** The tenant's quota and what is already counted against it; null limits are unlimited. */
export interface TenantBudget {
  tokensPerMinute: number | null;
  tokensPerDay: number | null;
  /** In millionths of the models' currency. */
  costMicrosPerMonth: number | null;
  tokensThisMinute: number;
  tokensToday: number;
  costMicrosThisMonth: number;
}

export interface CostInputs {
  /** By the id or alias the operation used; null when no model answers to it. */
  models: ReadonlyMap<string, ModelCostFacts | null>;
  /** By collection id; null when the caller's tenant has no such collection. */
  collections: ReadonlyMap<string, CollectionCostFacts | null>;
  /** Null when the tenant has no quota, or when it could not be read (the inference service still enforces it, exactly, per call). */
  budget: TenantBudget | null;
}

/** Runs a query through the gateway itself, as `caller`, skipping the gateway's own cost analysis. */
export type InternalQueryRunner = (query: string, variables: Record<string, unknown>, caller: RequestContext) => Promise<{ data?: Record<string, unknown> | null }>;

const modelFields = "contextLength pricing { inputPerMillionTokens outputPerMillionTokens currency } defaultParameters { maxTokens }";

/**
 * Reads, in one federated query through the gateway, the live price of every model the operation
 * names, the settings of the collections it names, and the tenant's quota with its current use.
 * One round trip per operation that puts models to work; none for any other operation.
 */
export async function readCostInputs(demands: readonly ModelTokenDemand[], caller: RequestContext, runQuery: InternalQueryRunner): Promise<CostInputs> {
  const modelIds = [...new Set(demands.flatMap((demand) => (demand.modelId === undefined ? [] : [demand.modelId])))];
  const collectionIds = [...new Set(demands.flatMap((demand) => (demand.collectionId === undefined ? [] : [demand.collectionId])))];
  const variables: Record<string, unknown> = {};
  const declarations: string[] = [];
  const selections = ["quota { tokensPerMinute tokensPerDay costPerMonth currentUse { tokensThisMinute tokensToday costThisMonth } }"];
  modelIds.forEach((id, index) => {
    variables[`m${index}`] = id;
    declarations.push(`$m${index}: ID!`);
    selections.push(`m${index}: model(id: $m${index}) { ${modelFields} }`);
  });
  collectionIds.forEach((id, index) => {
    variables[`c${index}`] = id;
    declarations.push(`$c${index}: ID!`);
    selections.push(`c${index}: collection(id: $c${index}) { chunkMaxTokens embeddingModel { ${modelFields} } }`);
  });
  const query = `query OperationCostInputs${declarations.length === 0 ? "" : `(${declarations.join(", ")})`} { ${selections.join(" ")} }`;
  const { data } = await runQuery(query, variables, caller);
  const models = new Map<string, ModelCostFacts | null>();
  modelIds.forEach((id, index) => models.set(id, readModel(data?.[`m${index}`])));
  const collections = new Map<string, CollectionCostFacts | null>();
  collectionIds.forEach((id, index) => {
    const collection = data?.[`c${index}`];
    collections.set(id, isRecord(collection) && typeof collection.chunkMaxTokens === "number" ? { chunkMaxTokens: collection.chunkMaxTokens, embeddingModel: readModel(collection.embeddingModel) } : null);
  });
  return { models, collections, budget: readBudget(data?.quota) };
}

function readModel(value: unknown): ModelCostFacts | null {
  if (!isRecord(value) || !isRecord(value.pricing) || typeof value.contextLength !== "number") return null;
  const { inputPerMillionTokens, outputPerMillionTokens, currency } = value.pricing;
  if (typeof inputPerMillionTokens !== "number" || typeof outputPerMillionTokens !== "number" || typeof currency !== "string") return null;
  const defaults = isRecord(value.defaultParameters) ? value.defaultParameters : {};
  return { contextLength: value.contextLength, inputPerMillionTokens, outputPerMillionTokens, currency, defaultMaxTokens: typeof defaults.maxTokens === "number" ? defaults.maxTokens : null };
}

function readBudget(value: unknown): TenantBudget | null {
  if (!isRecord(value) || !isRecord(value.currentUse)) return null;
  const limit = (item: unknown) => (typeof item === "number" ? item : null);
  const used = (item: unknown) => (typeof item === "number" ? item : 0);
  const costPerMonth = limit(value.costPerMonth);
  return {
    tokensPerMinute: limit(value.tokensPerMinute),
    tokensPerDay: limit(value.tokensPerDay),
    costMicrosPerMonth: costPerMonth === null ? null : Math.round(costPerMonth * 1_000_000),
    tokensThisMinute: used(value.currentUse.tokensThisMinute),
    tokensToday: used(value.currentUse.tokensToday),
    costMicrosThisMonth: Math.round(used(value.currentUse.costThisMonth) * 1_000_000),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
