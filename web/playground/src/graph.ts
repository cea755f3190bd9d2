import { createClient, type Client } from "graphql-ws";

/** A GraphQL error as the gateway sends it. */
export interface GraphError {
  message: string;
  extensions?: { code?: string; retryable?: boolean };
}

export class RequestFailed extends Error {
  readonly code: string;
  constructor(errors: readonly GraphError[], status: number) {
    const first = errors[0];
    super(first === undefined ? `HTTP ${status}` : first.message);
    this.code = first?.extensions?.code ?? `HTTP_${status}`;
  }
}

/** The page's connection to the gateway it was served by: HTTP for queries and mutations, graphql-ws for streams. */
export class Graph {
  readonly #apiKey: string;
  readonly #socket: Client;

  constructor(apiKey: string) {
    this.#apiKey = apiKey;
    const url = new URL("/graphql", location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    this.#socket = createClient({ url: url.href, connectionParams: { authorization: `Bearer ${apiKey}` }, lazy: true, retryAttempts: 2 });
  }

  async request<Data>(query: string, variables: Record<string, unknown> = {}): Promise<Data> {
    const response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", authorization: `Bearer ${this.#apiKey}` },
      body: JSON.stringify({ query, variables }),
    });
    let body: { data?: Data | null; errors?: GraphError[] };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new RequestFailed([], response.status);
    }
    if (body.errors !== undefined && body.errors.length > 0) throw new RequestFailed(body.errors, response.status);
    if (body.data === undefined || body.data === null) throw new RequestFailed([], response.status);
    return body.data;
  }

  /** Events of a subscription; `signal` ends it (the server stops the model at once). */
  async *subscribe<Data>(query: string, variables: Record<string, unknown>, signal: AbortSignal): AsyncGenerator<Data> {
    const iterator = this.#socket.iterate<Data>({ query, variables });
    const stop = () => void iterator.return?.();
    signal.addEventListener("abort", stop, { once: true });
    try {
      for await (const result of iterator) {
        if (result.errors !== undefined && result.errors.length > 0) throw new RequestFailed(result.errors as GraphError[], 200);
        if (result.data !== undefined && result.data !== null) yield result.data;
      }
    } finally {
      signal.removeEventListener("abort", stop);
    }
  }

  close(): void {
    void this.#socket.dispose();
  }
}
