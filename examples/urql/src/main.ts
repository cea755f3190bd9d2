/**
 * The example page: signs in (the access token arrives in the URL fragment, as from an OIDC
 * redirect), lists the models (a GET query), runs a completion (a mutation) and streams an answer
 * over Server-Sent Events. What it saw is shown on the page and kept in `#result` as JSON (the
 * repository's test reads it).
 */
import type { Client } from "@urql/core";
import { ExampleCompletion, ExampleModels, ExampleStream } from "./operations.js";
import { createUrqlClient } from "./urql-client.js";

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

/** Streams one completion over SSE; resolves with the text and the finish reason. */
function stream(client: Client, prompt: string): Promise<{ deltas: number; text: string; finishReason: string }> {
  return new Promise((resolve, reject) => {
    let text = "";
    let deltas = 0;
    const output = document.createElement("output");
    document.getElementById("streams")?.append(output);
    const { unsubscribe } = client.subscription(ExampleStream, { input: { model, prompt, maxTokens: 8, seed: 7 } }).subscribe((result) => {
      if (result.error !== undefined) {
        unsubscribe();
        return reject(result.error);
      }
      const event = result.data?.completionStream;
      if (event?.__typename === "TextDeltaEvent") {
        deltas += 1;
        text += event.text;
        output.textContent = text;
      } else if (event?.__typename === "TextEndEvent") {
        // The server ends the stream after this event; unsubscribing earlier would cancel the generation.
        resolve({ deltas, text, finishReason: event.completion.finishReason });
      }
    });
  });
}

async function main(): Promise<void> {
  const client = createUrqlClient({ url: graphqlUrl, getToken: accessToken });
  const models = await client.query(ExampleModels, {}).toPromise();
  if (models.error !== undefined) throw models.error;
  const modelIds = models.data?.models?.nodes.map((node) => node.id) ?? [];
  show(`models: ${modelIds.join(", ")}`);
  const completion = await client.mutation(ExampleCompletion, { input: { model, prompt: "Hello", maxTokens: 8, seed: 7 } }).toPromise();
  if (completion.error !== undefined) throw completion.error;
  show(`completion: ${completion.data?.createCompletion?.text ?? ""}`);
  const sse = await stream(client, "Hello");
  show(`SSE stream: ${sse.deltas} events, ${sse.finishReason}`);
  const result = { modelIds, completion: { text: completion.data?.createCompletion?.text, finishReason: completion.data?.createCompletion?.finishReason }, sse };
  document.getElementById("result")!.textContent = JSON.stringify(result);
  document.body.dataset.status = "done";
}

main().catch((error: unknown) => {
  show(`failed: ${error instanceof Error ? error.message : String(error)}`);
  document.getElementById("result")!.textContent = JSON.stringify({ error: error instanceof Error ? error.message : String(error) });
  document.body.dataset.status = "failed";
});
