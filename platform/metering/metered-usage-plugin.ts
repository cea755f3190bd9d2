import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { meteredUsageExtension, type MeteredUsage } from "./metered-usage.ts";

/** Puts what the operation's model calls used in `extensions.metered` of its response (only when it made any). */
export function meteredUsagePlugin<Context extends BaseContext & { metered?: MeteredUsage }>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const metered = contextValue.metered;
          if (metered === undefined || metered.calls === 0 || response.body.kind !== "single") return;
          response.body.singleResult.extensions = { ...response.body.singleResult.extensions, [meteredUsageExtension]: { ...metered } };
        },
      };
    },
  };
}
