import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";

const message =
  "This subscription asked for no streaming transport. Subscribe on this URL with one of: multipart HTTP (Accept: multipart/mixed;subscriptionSpec=1.0, what Apollo Client sends), " +
  "Server-Sent Events (Accept: text/event-stream, the graphql-sse protocol), or a WebSocket with the graphql-ws protocol (graphql-transport-ws).";

/**
 * Refuses subscriptions that arrive as plain HTTP requests (neither multipart nor SSE, which the
 * gateway's streaming transports take before Apollo sees them) with `SUBSCRIPTION_OVER_HTTP` and
 * status 400, naming the three transports that work.
 * Without it, a POST reaches `@apollo/gateway`, which cannot execute subscriptions and answers
 * 500; a GET gets Apollo Server's generic 405 ("GET requests only support query operations"),
 * which this rewrites so both say what to do instead.
 */
export function subscriptionOverHttpPlugin<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation === "subscription") {
            throw new ServiceError(ErrorCode.SubscriptionOverHttp, message, { httpStatus: 400 });
          }
        },
        async willSendResponse({ operation, response }) {
          // Apollo Server refuses non-query GETs before `didResolveOperation` runs.
          if (operation?.operation !== "subscription" || response.http.status !== 405) return;
          response.http.status = 400;
          response.http.headers.delete("allow");
          response.body = {
            kind: "single",
            singleResult: { errors: [{ message, extensions: { code: ErrorCode.SubscriptionOverHttp, retryable: false } }] },
          };
        },
      };
    },
  };
}
