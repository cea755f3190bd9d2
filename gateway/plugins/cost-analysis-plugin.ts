import type { ApolloServerPlugin } from "@apollo/server";
import type { CostAnalyzer } from "../cost/cost-analyzer.ts";
import { readCostDirectives } from "../cost/cost-directives.ts";
import { costExtension, type OperationCostEstimate } from "../cost/operation-cost-estimate.ts";
import type { GatewayContext } from "../gateway-context.ts";

/**
 * Prices every operation before the gateway plans it (`didResolveOperation`, after validation)
 * and refuses it there when it is over a ceiling or the tenant's remaining quota: nothing reaches a
 * subgraph. Every response then carries `extensions.cost { estimated actual }`.
 */
export function costAnalysisPlugin(analyzer: CostAnalyzer): ApolloServerPlugin<GatewayContext> {
  return {
    async serverWillStart() {
      return {
        schemaDidLoadOrUpdate({ apiSchema, coreSupergraphSdl }) {
          if (coreSupergraphSdl !== undefined) analyzer.useSchema({ apiSchema, directives: readCostDirectives(coreSupergraphSdl) });
        },
      };
    },
    async requestDidStart({ contextValue }) {
      if (contextValue.internal === true) return;
      let estimate: OperationCostEstimate | undefined;
      return {
        async didResolveOperation({ document, operation, request }) {
          if (operation === undefined || operation === null) return;
          estimate = await analyzer.analyze(document, operation, request.variables, contextValue.request);
        },
        async willSendResponse({ response }) {
          if (estimate === undefined || response.body.kind !== "single") return;
          response.body.singleResult.extensions = { ...response.body.singleResult.extensions, cost: costExtension(estimate, contextValue.metered) };
        },
      };
    },
  };
}
