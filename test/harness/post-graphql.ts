import type { GraphQLFormattedError } from "graphql";

/** A GraphQL answer as it came over HTTP: status, raw text (to look for leaks) and parsed body. */
export interface RawGraphQLResult {
  status: number;
  text: string;
  body: { data?: Record<string, unknown> | null; errors?: GraphQLFormattedError[] };
}

/**
 * POSTs `query` with `variables` to `url` as the client package does (packages/client/src/graph-client.ts),
 * untyped, so tests can read partial data and errors exactly as sent (without `extensions`). Gives up after 30 s.
 */
export async function postGraphQL(url: string, apiKey: string, query: string, variables: Record<string, unknown> = {}): Promise<RawGraphQLResult> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  // The gateway's `extensions.cost` (test/gateway/operation-cost.test.ts) is left out of `body`:
  // these tests compare data and errors; `text` keeps the answer as sent.
  const { extensions: _extensions, ...body } = JSON.parse(text) as RawGraphQLResult["body"] & { extensions?: unknown };
  return { status: response.status, text, body };
}
