/**
 * urql for the gateway, as an app sets it up: queries over GET (urql's default for queries within
 * the URL limit) and mutations over POST, subscriptions over Server-Sent Events with graphql-sse's
 * client in a `subscriptionExchange`. Persisted documents: every operation is sent as its
 * client-preset id (`persistedExchange`), so the gateway can run in PERSISTED_DOCUMENTS_MODE=only.
 */
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from "@urql/core";
import { persistedExchange } from "@urql/exchange-persisted";
import { createClient as createSseClient } from "graphql-sse";

export interface GraphSettings {
  /** The gateway's GraphQL URL, e.g. `https://api.example.com/graphql`. */
  url: string;
  /** The signed-in user's access token (a JWT from your OIDC provider). */
  getToken: () => string;
}

export function createUrqlClient(settings: GraphSettings): Client {
  const headers = () => ({ authorization: `Bearer ${settings.getToken()}` });
  // Distinct connections mode: one POST with `Accept: text/event-stream` per subscription.
  const sse = createSseClient({ url: settings.url, headers, retryAttempts: 0 });
  return new Client({
    url: settings.url,
    fetchOptions: () => ({ headers: headers() }),
    exchanges: [
      cacheExchange,
      persistedExchange({
        enforcePersistedQueries: true,
        enableForMutation: true,
        enableForSubscriptions: true,
        // The id codegen's client preset put on each document (`persistedDocuments: true`).
        generateHash: async (_query, document) => (document as { __meta__?: { hash?: string } }).__meta__?.hash,
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: sse.subscribe({ ...request, query: request.query ?? "" }, sink) }),
        }),
      }),
    ],
  });
}
