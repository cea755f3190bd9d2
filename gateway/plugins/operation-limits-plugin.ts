import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import type { GraphQLSchema } from "graphql";
import { LruCache } from "../../platform/cache/lru-cache.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import { checkDocumentLimits, type OperationLimitRefusal } from "../limits/check-document-limits.ts";
import type { OperationLimits } from "../limits/operation-limits.ts";

export interface OperationLimitsPluginOptions {
  limits: OperationLimits;
  /** Verdicts remembered, by query hash, so a repeated document is checked once. Default 10,000. */
  cachedVerdicts?: number;
}

/**
 * Refuses documents over the operation limits before Apollo Server parses, validates or plans them
 * (`didResolveSource`, the first hook that sees the query text). The verdict of each distinct
 * document is cached by its hash, so the usual traffic (the same few documents) pays one map lookup:
 * the measured cost is in docs/BENCHMARKS.md. The refusal is a 400 whose code names the limit.
 */
export function operationLimitsPlugin<Context extends BaseContext & { internal?: boolean }>(options: OperationLimitsPluginOptions): ApolloServerPlugin<Context> {
  const verdicts = new LruCache<string, OperationLimitRefusal | null>(options.cachedVerdicts ?? 10_000);
  let schema: GraphQLSchema | undefined;
  return {
    async serverWillStart() {
      return {
        schemaDidLoadOrUpdate({ apiSchema }) {
          schema = apiSchema;
        },
      };
    },
    async requestDidStart({ contextValue }) {
      // The gateway's own queries (the cost analysis's) are built within the limits' spirit but may list many models.
      if (contextValue.internal === true) return;
      return {
        async didResolveSource({ source, queryHash }) {
          if (schema === undefined) return;
          let refusal = verdicts.get(queryHash);
          if (refusal === undefined) {
            refusal = checkDocumentLimits(source, schema, options.limits) ?? null;
            verdicts.set(queryHash, refusal);
          }
          if (refusal !== null) {
            throw new ServiceError(refusal.code, refusal.message, { httpStatus: 400, details: { maximum: refusal.maximum, found: refusal.found } });
          }
        },
      };
    },
  };
}
