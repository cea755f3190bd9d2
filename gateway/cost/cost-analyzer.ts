import { Kind, getVariableValues, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import type { RequestContext } from "../../platform/context/request-context.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import { findBudgetShortfall } from "./budget-check.ts";
import { costInputsKey, readCostInputs, type InternalQueryRunner } from "./cost-inputs.ts";
import { CostInputsCache } from "./cost-inputs-cache.ts";
import type { CostDirectives } from "./cost-directives.ts";
import type { CostLimits } from "./cost-limits.ts";
import { estimateFieldCost } from "./estimate-field-cost.ts";
import { findModelTokenDemands } from "./model-token-demands.ts";
import type { OperationCostEstimate } from "./operation-cost-estimate.ts";
import { priceModelDemands } from "./price-model-demands.ts";

export interface CostAnalyzerOptions {
  limits: CostLimits;
  runQuery: InternalQueryRunner;
  logger: Logger;
  /** How long one read of prices and budget serves a tenant's later operations, in milliseconds (cost-inputs-cache.ts). Default 0: every operation reads. */
  costInputsMaxAgeMillis?: number;
}

/** The schema the analyzer costs operations against, replaced when the supergraph changes. */
export interface CostSchema {
  apiSchema: GraphQLSchema;
  directives: CostDirectives;
}

/**
 * Prices a whole operation before it runs: the demand-control score and fan-out of its selection,
 * then, when it puts models to work, the model tokens and money at the registry's live prices,
 * checked against the per-operation ceilings and what is left of the tenant's quotas. Throws the
 * refusal (a ServiceError, HTTP 400 or 429) or returns the estimate.
 */
export class CostAnalyzer {
  readonly #options: CostAnalyzerOptions;
  readonly #inputs: CostInputsCache;
  #schema: CostSchema | undefined;

  constructor(options: CostAnalyzerOptions) {
    this.#options = options;
    this.#inputs = new CostInputsCache({ maxAgeMillis: options.costInputsMaxAgeMillis ?? 0 });
  }

  useSchema(schema: CostSchema): void {
    this.#schema = schema;
  }

  /** Undefined when no schema is loaded yet, or when the variables do not coerce (execution reports that). */
  async analyze(document: DocumentNode, operation: OperationDefinitionNode, rawVariables: Record<string, unknown> | undefined, caller: RequestContext): Promise<OperationCostEstimate | undefined> {
    const schema = this.#schema;
    if (schema === undefined) return undefined;
    const { limits } = this.#options;
    const coerced = getVariableValues(schema.apiSchema, operation.variableDefinitions ?? [], rawVariables ?? {});
    if (coerced.errors !== undefined) return undefined;
    const variables = coerced.coerced;
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const fields = estimateFieldCost({ schema: schema.apiSchema, operation, fragments, variables, directives: schema.directives, defaultListSize: limits.defaultListSize });
    if (limits.maximumFanOut > 0 && fields.objects > limits.maximumFanOut) {
      throw new ServiceError(ErrorCode.MaxFanOutExceeded, `The result could hold ${fields.objects} objects (lists multiplied by their sizes); at most ${limits.maximumFanOut} allowed. Ask for smaller pages (\`first\`) or fewer nested lists.`, {
        httpStatus: 400,
        details: { maximum: limits.maximumFanOut, estimated: fields.objects },
      });
    }
    if (limits.maximumCostScore > 0 && fields.score > limits.maximumCostScore) throw costExceeded("COST_SCORE", limits.maximumCostScore, fields.score, "cost score");
    const demands = findModelTokenDemands(schema.apiSchema, operation, fragments, variables);
    if (demands.length === 0) return { ...fields, modelTokens: 0, meteredTokens: 0, costMicros: 0, currency: null, mixedCurrencies: false };
    let inputs;
    try {
      inputs = await this.#inputs.get(costInputsKey(demands, caller), () => readCostInputs(demands, caller, this.#options.runQuery));
    } catch (error) {
      // The calls themselves will meet the same outage; the inference service still checks each.
      this.#options.logger.warn("operation cost inputs unavailable; pricing without them", { error });
      inputs = { models: new Map(), collections: new Map(), budget: null };
    }
    const models = priceModelDemands(demands, inputs, limits.defaultMaxTokens);
    if (limits.maximumModelTokens > 0 && models.modelTokens > limits.maximumModelTokens) throw costExceeded("MODEL_TOKENS", limits.maximumModelTokens, models.modelTokens, "model tokens");
    if (limits.maximumCostMicros > 0 && models.costMicros > limits.maximumCostMicros) throw costExceeded("COST_MICROS", limits.maximumCostMicros, models.costMicros, "cost (millionths of the currency)");
    if (inputs.budget !== null) {
      const nowMillis = Date.now();
      const shortfall = findBudgetShortfall(inputs.budget, models.meteredTokens, models.costMicros, nowMillis);
      if (shortfall !== undefined) {
        const resetsAt = new Date(shortfall.resetsAtMillis).toISOString();
        throw new ServiceError(
          ErrorCode.QuotaExceeded,
          `The operation would exceed the tenant's ${shortfall.limit} quota (${shortfall.limitValue}): ${shortfall.used} used, ${shortfall.requested} estimated for the whole operation. Nothing ran. It resets at ${resetsAt}.`,
          {
            httpStatus: 429,
            details: { ...shortfall, resetsAtMillis: undefined, resetsAt, retryAfterMillis: Math.max(0, shortfall.resetsAtMillis - nowMillis), scope: "OPERATION" },
          },
        );
      }
    }
    return { ...fields, ...models };
  }
}

function costExceeded(limit: "COST_SCORE" | "MODEL_TOKENS" | "COST_MICROS", maximum: number, estimated: number, what: string): ServiceError {
  return new ServiceError(ErrorCode.OperationCostExceeded, `The operation's estimated ${what} is ${estimated}; at most ${maximum} allowed per operation. Nothing ran.`, {
    httpStatus: 400,
    details: { limit, maximum, estimated },
  });
}
