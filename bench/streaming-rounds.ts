/**
 * Streamed generations measured the same way on every path: through GraphQL (`completionStream`
 * over graphql-ws) or from an engine directly; streams run N at a time, paths in alternating
 * rounds. Shared by `streaming-full-stack.ts` (one process) and `streaming-multi-process.ts`.
 */
import type { ExecutionResult } from "graphql";
import type { Client } from "graphql-ws";
import type { GenerationRequest, InferenceEngine } from "../engines/engine.ts";
import { percentile } from "./measure.ts";

export interface StreamMeasure {
  /** From the start of the call to the first text delta, in milliseconds. */
  firstTokenMillis: number;
  /** Completion tokens the stream reported in its end event. */
  tokens: number;
  /** Prompt tokens the stream reported in its end event. */
  promptTokens: number;
}

/** What a benchmark stream selects: the event's type, each delta's text, and the usage at the end. */
export const benchStreamQuery = `
  subscription BenchStream($input: CompletionInput!) {
    completionStream(input: $input) {
      __typename
      ... on TextDeltaEvent { text }
      ... on TextEndEvent { completion { usage { promptTokens completionTokens } } }
    }
  }
`;

type StreamEvent = { __typename: string; text?: string; completion?: { usage: { promptTokens: number; completionTokens: number } } };

/** One `completionStream` over an open graphql-ws client, read to its end. */
export async function streamThroughGraphql(client: Client, input: Record<string, unknown>): Promise<StreamMeasure> {
  const start = performance.now();
  let firstTokenMillis = Number.NaN;
  let tokens = 0;
  let promptTokens = 0;
  for await (const result of client.iterate({ query: benchStreamQuery, variables: { input } }) as AsyncIterable<ExecutionResult<{ completionStream: StreamEvent }>>) {
    if (result.errors !== undefined) throw new Error(JSON.stringify(result.errors));
    const event = result.data?.completionStream;
    if (event?.__typename === "TextDeltaEvent" && Number.isNaN(firstTokenMillis)) firstTokenMillis = performance.now() - start;
    if (event?.__typename === "TextEndEvent") {
      tokens = event.completion?.usage.completionTokens ?? 0;
      promptTokens = event.completion?.usage.promptTokens ?? 0;
    }
  }
  return { firstTokenMillis, tokens, promptTokens };
}

/** One streamed generation from `engine`, read to its end. */
export async function streamDirectly(engine: InferenceEngine, request: GenerationRequest): Promise<StreamMeasure> {
  const start = performance.now();
  let firstTokenMillis = Number.NaN;
  for await (const event of engine.streamGeneration(request)) {
    if (event.type === "text-delta" && Number.isNaN(firstTokenMillis)) firstTokenMillis = performance.now() - start;
    if (event.type === "text-end") return { firstTokenMillis, tokens: event.result.usage.completionTokens, promptTokens: event.result.usage.promptTokens };
  }
  throw new Error("the stream ended without text-end");
}

/** Runs `requests` streams, `concurrency` at a time; returns their measures and the wall time. */
export async function runStreams(run: (index: number) => Promise<StreamMeasure>, concurrency: number, requests: number, firstIndex: number) {
  const measures: StreamMeasure[] = [];
  let started = 0;
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < requests) {
        started += 1;
        measures.push(await run(firstIndex + started));
      }
    }),
  );
  return { measures, seconds: (performance.now() - begin) / 1000 };
}

export interface StreamSummary {
  requests: number;
  tokens: number;
  seconds: number;
  tokensPerSecond: number;
  timeToFirstTokenMillis: { p50: number; p99: number };
  /** Tokens per second of each round, to show the spread within the run. */
  roundTokensPerSecond: number[];
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * Every path at one concurrency, in alternating rounds (A, B, A, B...) so that a drift of the
 * machine's speed during the run falls on all paths alike.
 */
export async function alternatingRounds<Name extends string>(
  paths: readonly (readonly [Name, (index: number) => Promise<StreamMeasure>])[],
  concurrency: number,
  rounds: number,
  requestsPerRound: number,
  /** Called around each path's round, e.g. to read the processes' CPU time. */
  hooks: { before?(name: Name): void; after?(name: Name): void } = {},
): Promise<Record<Name, StreamSummary>> {
  const totals = new Map<Name, { measures: StreamMeasure[]; seconds: number; rounds: number[] }>(paths.map(([name]) => [name, { measures: [], seconds: 0, rounds: [] }]));
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, run] of paths) {
      hooks.before?.(name);
      const result = await runStreams(run, concurrency, requestsPerRound, round * requestsPerRound);
      hooks.after?.(name);
      const total = totals.get(name)!;
      total.measures.push(...result.measures);
      total.seconds += result.seconds;
      total.rounds.push(round2(result.measures.reduce((sum, measure) => sum + measure.tokens, 0) / result.seconds));
    }
  }
  const summaries = {} as Record<Name, StreamSummary>;
  for (const [name, { measures, seconds, rounds: perRound }] of totals) {
    const tokens = measures.reduce((sum, measure) => sum + measure.tokens, 0);
    const firstTokens = measures.map((measure) => measure.firstTokenMillis).sort((left, right) => left - right);
    summaries[name] = {
      requests: measures.length,
      tokens,
      seconds: round2(seconds),
      tokensPerSecond: round2(tokens / seconds),
      timeToFirstTokenMillis: { p50: round2(percentile(firstTokens, 0.5)), p99: round2(percentile(firstTokens, 0.99)) },
      roundTokensPerSecond: perRound,
    };
  }
  return summaries;
}

/** Throughput ratio and added TTFT p50 of `path` against `baseline`. */
export function compareStreams(baseline: StreamSummary, path: StreamSummary) {
  return {
    throughputRatio: Math.round((path.tokensPerSecond / baseline.tokensPerSecond) * 1000) / 1000,
    addedTimeToFirstTokenP50Millis: round2(path.timeToFirstTokenMillis.p50 - baseline.timeToFirstTokenMillis.p50),
  };
}
