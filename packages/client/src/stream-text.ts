import type { ResultOf } from "@graphql-typed-document-node/core";
import type { GraphClient, SubscribeOptions } from "./graph-client.js";
import { GraphClientError } from "./graph-client-error.js";
import { ErrorCode } from "./generated/schema-enums.js";
import { graphql } from "./generated/operations/index.js";
import type { CompletionInput, FinishReason } from "./generated/operations/graphql.js";

/** The package's own operation behind `streamText`. */
export const StreamTextDocument = graphql(`
  subscription StreamText($input: CompletionInput!) {
    completionStream(input: $input) {
      __typename
      ... on TextDeltaEvent { id text }
      ... on TextEndEvent {
        id
        completion { id text finishReason usage { promptTokens completionTokens totalTokens estimated } }
      }
    }
  }
`);

/** What to generate: a model id or alias and either `prompt` or `messages`, with the sampling settings of `CompletionInput`. */
export type StreamTextInput = CompletionInput;

/** The finished completion, once its stream ended. */
export interface StreamedCompletion {
  /** Reads it again within 24 hours: `completion(id:)`. */
  id: string;
  /** All the deltas joined. */
  text: string;
  finishReason: FinishReason;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number; estimated: boolean };
}

/** The text deltas of a completion, as they are generated. */
export interface TextStream extends AsyncIterableIterator<string> {
  /**
   * The finished completion. Rejects when the stream fails (with the same error) or is left before
   * its end (a `GraphClientError` with code REQUEST_CANCELLED, or the abort signal's reason).
   */
  readonly completion: Promise<StreamedCompletion>;
}

export function streamText(client: GraphClient, input: StreamTextInput, options: SubscribeOptions = {}): TextStream {
  const events = client.subscribe(StreamTextDocument, { input }, options);
  let resolveCompletion!: (completion: StreamedCompletion) => void;
  let rejectCompletion!: (error: unknown) => void;
  const completion = new Promise<StreamedCompletion>((resolve, reject) => {
    resolveCompletion = resolve;
    rejectCompletion = reject;
  });
  // Callers who only iterate never read `completion`: its rejection must not be reported as unhandled.
  completion.catch(() => undefined);
  let ended = false;
  const onAbort = () => end({ error: options.signal?.reason });
  const end = (outcome: { completion: StreamedCompletion } | { error: unknown }) => {
    if (ended) return;
    ended = true;
    options.signal?.removeEventListener("abort", onAbort);
    if ("completion" in outcome) resolveCompletion(outcome.completion);
    else rejectCompletion(outcome.error);
  };
  const left = () => new GraphClientError([{ message: "The stream was left before the completion ended.", extensions: { code: ErrorCode.RequestCancelled } }]);

  const stream: TextStream = {
    completion,
    async next(): Promise<IteratorResult<string>> {
      for (;;) {
        let result: IteratorResult<ResultOf<typeof StreamTextDocument>>;
        try {
          result = await events.next();
        } catch (error) {
          end({ error });
          throw error;
        }
        if (result.done) {
          end({ error: new GraphClientError([{ message: "The stream ended without its completion.", extensions: { code: ErrorCode.ServiceUnavailable, retryable: true } }]) });
          return { value: undefined, done: true };
        }
        const event = result.value.completionStream;
        if (event.__typename === "TextDeltaEvent") return { value: event.text, done: false };
        if (event.__typename === "TextEndEvent") end({ completion: event.completion });
      }
    },
    async return(): Promise<IteratorResult<string>> {
      end({ error: left() });
      await events.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  return stream;
}
