/**
 * Names the request's SERVER span after its GraphQL operation (`query ModelList`), as the GraphQL
 * semantic conventions ask, with `graphql.operation.name` and `graphql.operation.type`.
 */
import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { trace } from "@opentelemetry/api";

export function graphqlOperationSpanPlugin<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request }) {
      // Operations a service runs for itself (no HTTP request) have no request span of their own.
      if (request.http === undefined) return;
      const span = trace.getActiveSpan();
      if (span === undefined || !span.isRecording()) return;
      return {
        async didResolveOperation({ operationName, operation }) {
          const type = operation?.operation ?? "query";
          span.setAttribute("graphql.operation.type", type);
          if (typeof operationName === "string" && operationName !== "") span.setAttribute("graphql.operation.name", operationName.slice(0, 128));
          span.updateName(typeof operationName === "string" && operationName !== "" ? `${type} ${operationName.slice(0, 128)}` : type);
        },
      };
    },
  };
}
