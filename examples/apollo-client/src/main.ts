/**
 * The example page: signs in (the access token arrives in the URL fragment, as from an OIDC
 * redirect), lists the models, runs a completion (a mutation), and streams one answer over
 * multipart HTTP and one over graphql-ws. What it saw is shown on the page and kept in
 * `#result` as JSON (the repository's test reads it).
 */
import type { ApolloClient } from "@apollo/client";
import { createApolloClient } from "./apollo-client.js";
import { ExampleCompletion, ExampleModels, ExampleStream } from "./operations.js";

/** `?graphql=<url>&model=<id>`; defaults: a local `npm start`, the demo model. */
const parameters = new URLSearchParams(location.search);
const graphqlUrl = parameters.get("graphql") ?? "http://localhost:4000/graphql";
const model = parameters.get("model") ?? "demo";

/** The access token: taken from `#access_token=…` once, then kept for the tab. Use your OIDC library here. */
function accessToken(): string {
  const fromRedirect = new URLSearchParams(location.hash.slice(1)).get("access_token");
  if (fromRedirect !== null) {
    sessionStorage.setItem("access_token", fromRedirect);
    history.replaceState(null, "", location.pathname + location.search);
  }
  const token = sessionStorage.getItem("access_token");
  if (token === null) throw new Error("Not signed in: no access token.");
  return token;
}

function show(line: string): void {
  const item = document.createElement("li");
  item.textContent = line;
  document.getElementById("log")?.append(item);
}

/** Streams one completion over `transport`; resolves with the text and the finish reason. */
function stream(client: ApolloClient, transport: "multipart" | "websocket", prompt: string): Promise<{ deltas: number; text: string; finishReason: string }> {
  return new Promise((resolve, reject) => {
    let text = "";
    let deltas = 0;
    let finishReason = "";
    const output = document.createElement("output");
    document.getElementById("streams")?.append(output);
    client
      .subscribe({ query: ExampleStream, variables: { input: { model, prompt, maxTokens: 8, seed: 7 } }, context: { transport } })
      .subscribe({
        next: ({ data, error }) => {
          if (error !== undefined) return reject(error);
          const event = data?.completionStream;
          if (event?.__typename === "TextDeltaEvent") {
            deltas += 1;
            text += event.text;
            output.textContent = text;
          } else if (event?.__typename === "TextEndEvent") finishReason = event.completion.finishReason;
        },
        error: reject,
        complete: () => resolve({ deltas, text, finishReason }),
      });
  });
}

async function main(): Promise<void> {
  const client = createApolloClient({ url: graphqlUrl, getToken: accessToken });
  const models = await client.query({ query: ExampleModels });
  const modelIds = models.data?.models?.nodes.map((node) => node.id) ?? [];
  show(`models: ${modelIds.join(", ")}`);
  const completion = await client.mutate({ mutation: ExampleCompletion, variables: { input: { model, prompt: "Hello", maxTokens: 8, seed: 7 } } });
  show(`completion: ${completion.data?.createCompletion?.text ?? ""}`);
  const multipart = await stream(client, "multipart", "Hello");
  show(`multipart stream: ${multipart.deltas} events, ${multipart.finishReason}`);
  const webSocket = await stream(client, "websocket", "Hello");
  show(`graphql-ws stream: ${webSocket.deltas} events, ${webSocket.finishReason}`);
  const result = { modelIds, completion: { text: completion.data?.createCompletion?.text, finishReason: completion.data?.createCompletion?.finishReason }, multipart, webSocket };
  document.getElementById("result")!.textContent = JSON.stringify(result);
  document.body.dataset.status = "done";
}

main().catch((error: unknown) => {
  show(`failed: ${error instanceof Error ? error.message : String(error)}`);
  document.getElementById("result")!.textContent = JSON.stringify({ error: error instanceof Error ? error.message : String(error) });
  document.body.dataset.status = "failed";
});
