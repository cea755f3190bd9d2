/**
 * An app of @federated-ai-graph/client, as a team outside this repository would write it: the
 * package imported by name (its built `dist/`), documents from the app's own `graphql()`
 * (generated into src/gql by the client preset), `module: NodeNext`, no DOM types. The package's
 * test type-checks this file and runs it against a stack; it prints what it saw as one JSON line.
 */
import { createGraphClient, ErrorCode, GraphClientError, isGraphClientError, type GraphClientErrorCode, type StreamedCompletion } from "@federated-ai-graph/client";
import WebSocket from "ws";
import { graphql } from "./gql/index.js";

const AppModels = graphql(`
  query AppModels($first: Int) {
    models(first: $first) { totalCount nodes { id capabilities } }
  }
`);

const AppCompletion = graphql(`
  mutation AppCompletion($input: CompletionInput!) {
    createCompletion(input: $input) { id text finishReason }
  }
`);

const AppStream = graphql(`
  subscription AppStream($input: CompletionInput!) {
    completionStream(input: $input) {
      __typename
      ... on TextStartEvent { id completionId }
      ... on TextDeltaEvent { id completionId index text }
      ... on TextEndEvent { id completionId }
    }
  }
`);

/** Never called: each line fails to compile if the package's types stop following the app's documents. */
export function typeChecks(client: ReturnType<typeof createGraphClient>): void {
  // @ts-expect-error `input` is required by AppCompletion.
  void client.request(AppCompletion);
  // @ts-expect-error `first` is an Int.
  void client.request(AppModels, { first: "5" });
  void client.request(AppModels).then((data) => {
    const total: number | undefined = data.models?.totalCount;
    // @ts-expect-error not selected by AppModels.
    void data.models?.nodes[0]?.displayName;
    return total;
  });
  const code: GraphClientErrorCode = ErrorCode.RateLimited;
  // @ts-expect-error not an error code.
  const wrong: GraphClientErrorCode = "RATE_LIMTED";
  void [code, wrong];
}

const url = process.env.GATEWAY_URL;
const apiKey = process.env.API_KEY;
const model = process.env.MODEL;
if (url === undefined || apiKey === undefined || model === undefined) throw new Error("Set GATEWAY_URL, API_KEY and MODEL.");

let tokenCalls = 0;
const client = createGraphClient({
  url,
  getToken: () => {
    tokenCalls += 1;
    return apiKey;
  },
  webSocketImpl: WebSocket,
});

async function codeOf(promise: Promise<unknown>): Promise<{ code: GraphClientErrorCode; retryable: boolean; status: number | undefined; path: readonly (string | number)[] | undefined } | string> {
  try {
    await promise;
    return "no error";
  } catch (error) {
    if (isGraphClientError(error)) return { code: error.code, retryable: error.retryable, status: error.status, path: error.path };
    return error instanceof Error ? error.name : String(error);
  }
}

const models = await client.request(AppModels, { first: 5 });
const completion = await client.request(AppCompletion, { input: { model, prompt: "Hello", maxTokens: 4, seed: 1 } });

const events: { typename: string; id: string }[] = [];
for await (const data of client.subscribe(AppStream, { input: { model, prompt: "Hello", maxTokens: 4, seed: 1 } })) {
  events.push({ typename: data.completionStream.__typename, id: data.completionStream.id });
}

const deltas: string[] = [];
const stream = client.streamText({ model, prompt: "Hello", maxTokens: 4, seed: 1 });
for await (const text of stream) deltas.push(text);
const streamed: StreamedCompletion = await stream.completion;

const missingModel = await codeOf(client.request(AppCompletion, { input: { model: "no-such-model", prompt: "x" } }));
const missingModelStream = await codeOf((async () => {
  for await (const text of client.streamText({ model: "no-such-model", prompt: "x" })) void text;
})());
const aborted = await codeOf(client.request(AppModels, {}, { signal: AbortSignal.abort() }));
const wrongUrl = await codeOf(createGraphClient({ url: new URL("/nowhere", url).href, apiKey }).request(AppModels));
const badKey = await codeOf(createGraphClient({ url, apiKey: "not-a-key" }).request(AppModels));

await client.close();
console.log(
  JSON.stringify({
    modelIds: models.models?.nodes.map((node) => node.id) ?? [],
    completion: { text: completion.createCompletion?.text, finishReason: completion.createCompletion?.finishReason },
    events,
    deltas,
    streamed: { text: streamed.text, finishReason: streamed.finishReason, completionTokens: streamed.usage.completionTokens },
    missingModel,
    missingModelStream,
    aborted,
    wrongUrl,
    badKey,
    tokenCalls,
    isError: new GraphClientError([{ message: "x", extensions: { code: "MODEL_NOT_FOUND" } }]).code === ErrorCode.ModelNotFound,
  }),
);
