import { ServiceError } from "../../platform/errors/service-error.ts";
import type { CostAnalyzer } from "../cost/cost-analyzer.ts";
import { checkDocumentLimits } from "../limits/check-document-limits.ts";
import type { OperationLimits } from "../limits/operation-limits.ts";
import type { SubscriptionGuard } from "./subscription-starter.ts";

/** The operation limits and the cost analysis, for subscriptions (which do not pass through Apollo Server's plugins). */
export function subscriptionGuard(limits: OperationLimits, analyzer: CostAnalyzer): SubscriptionGuard {
  return {
    checkDocument(source, apiSchema) {
      const refusal = checkDocumentLimits(source, apiSchema, limits);
      return refusal === undefined ? undefined : new ServiceError(refusal.code, refusal.message, { details: { maximum: refusal.maximum, found: refusal.found } });
    },
    async checkOperation(document, operation, variables, caller) {
      try {
        await analyzer.analyze(document, operation, variables, caller);
        return undefined;
      } catch (error) {
        if (error instanceof ServiceError) return new ServiceError(error.code, error.message, { details: withoutHttp(error.extensions) });
        throw error;
      }
    },
  };
}

/** The refusal's extensions without the HTTP status meant for Apollo Server (a WebSocket error has none). */
function withoutHttp(extensions: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { http: _http, code: _code, retryable: _retryable, ...details } = extensions;
  return details;
}
