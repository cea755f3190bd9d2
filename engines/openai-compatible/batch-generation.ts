/**
 * Non-streamed generation for several requests: text prompts with equal parameters share one
 * `/completions` call (array prompt); every other request — a chat (the chat API has no batch
 * form), a text prompt alone, or the prompts of a batch the server refused — goes upstream as a
 * stream that is collected here, so a caller that leaves closes its request and the server stops
 * generating (measured with llama-cpp-python 0.3.36: an abandoned non-streamed call kept the server
 * busy and delayed the next request by 16.9 s), and streamed usage or exact counts apply.
 */
import { EngineError } from "../engine-error.ts";
import type { GenerationEvent, GenerationParameters, GenerationRequest, GenerationResult } from "../engine.ts";
import { LinkedAbortController } from "./linked-abort.ts";
import { samplingParametersKey } from "./sampling-parameters.ts";
import { estimateTextTokens } from "./token-estimate.ts";
import { callWithRetries, type UpstreamCallSettings } from "./upstream-call.ts";
import { cancelledError } from "./upstream-error.ts";
import { createTextCompletions, operations, type CompletedText, type UpstreamConnection } from "./upstream-requests.ts";
import { apportionTotal } from "./usage-apportionment.ts";

/**
 * Whether the server refused an array `prompt`, kept per engine (one engine per upstream model):
 * until `refusedUntil` (epoch milliseconds; 0 = never refused) prompts go one by one.
 */
export interface ArrayPromptSupport {
  refusedUntil: number;
  /** How long a refusal is remembered, in milliseconds, before one array call is tried again. */
  readonly refusalMemoryMillis: number;
}

/** Refusals that say nothing about the array form: sending the prompts one by one cannot help. */
const notAboutArrays: ReadonlySet<string> = new Set(["cancelled", "context-overflow", "upstream-unauthorized", "rate-limited"]);

export interface BatchGenerationSettings {
  readonly connection: UpstreamConnection;
  readonly call: UpstreamCallSettings;
  readonly arrayPrompts: ArrayPromptSupport;
  /** One streamed generation (the engine's `streamGeneration`), collected for requests that are not sent as an array. */
  readonly stream: (request: GenerationRequest, signal: AbortSignal) => AsyncIterable<GenerationEvent>;
}

interface TextGroup {
  readonly parameters: GenerationParameters;
  readonly positions: number[];
  readonly prompts: string[];
  /** Each prompt's own request (its per-caller signal included). */
  readonly requests: GenerationRequest[];
}

function groupTextRequests(requests: readonly GenerationRequest[]): TextGroup[] {
  const groups = new Map<string, TextGroup>();
  requests.forEach((request, position) => {
    if (request.prompt.kind !== "text") return;
    const key = samplingParametersKey(request.parameters);
    let group = groups.get(key);
    if (group === undefined) {
      group = { parameters: request.parameters, positions: [], prompts: [], requests: [] };
      groups.set(key, group);
    }
    group.positions.push(position);
    group.prompts.push(request.prompt.text);
    group.requests.push(request);
  });
  return [...groups.values()];
}

function estimatedResult(completed: CompletedText, promptTokens: number): GenerationResult {
  return { text: completed.text, finishReason: completed.finishReason, usage: { promptTokens, completionTokens: estimateTextTokens(completed.text), estimated: true } };
}

/** The group's prompts in one `/completions` call (a plain string for one prompt, an array for several). */
async function generateInOneCall(settings: BatchGenerationSettings, group: TextGroup, signal: AbortSignal, retries = true): Promise<GenerationResult[]> {
  const call = retries ? settings.call : { ...settings.call, retryPolicy: { ...settings.call.retryPolicy, maxRetries: 0 } };
  const batch = await callWithRetries(
    call,
    operations.completions,
    (attemptSignal) => createTextCompletions(settings.connection, group.prompts, group.parameters, attemptSignal),
    signal,
  );
  const { totalUsage } = batch;
  if (totalUsage !== undefined) {
    // One usage for the whole call: share the exact totals out by each prompt's estimated size.
    const promptShares = apportionTotal(totalUsage.promptTokens, group.prompts.map(estimateTextTokens));
    const completionShares = apportionTotal(totalUsage.completionTokens, batch.texts.map((completed) => estimateTextTokens(completed.text)));
    return batch.texts.map((completed, index) => ({
      text: completed.text,
      finishReason: completed.finishReason,
      usage: { promptTokens: promptShares[index] ?? 0, completionTokens: completionShares[index] ?? 0 },
    }));
  }
  return batch.texts.map((completed, index) =>
    completed.usage === undefined
      ? estimatedResult(completed, estimateTextTokens(group.prompts[index] ?? ""))
      : { text: completed.text, finishReason: completed.finishReason, usage: completed.usage },
  );
}

/**
 * One request as a collected stream. The request's own signal (one caller leaving) or the batch's
 * closes the upstream request, and the call rejects with `cancelled`: a non-streamed call has no
 * partial text to return.
 */
async function generateStreamed(settings: BatchGenerationSettings, request: GenerationRequest, signal: AbortSignal): Promise<GenerationResult> {
  const own = new LinkedAbortController([signal, request.signal]);
  try {
    for await (const event of settings.stream(request, own.signal)) {
      if (event.type !== "text-end") continue;
      if (event.result.finishReason === "cancelled") break;
      return event.result;
    }
    throw cancelledError(request.prompt.kind === "chat" ? operations.chatCompletions : operations.completions);
  } finally {
    own.dispose();
  }
}

async function generateEachPrompt(settings: BatchGenerationSettings, group: TextGroup, signal: AbortSignal): Promise<GenerationResult[]> {
  return Promise.all(group.requests.map((request) => generateStreamed(settings, request, signal)));
}

/**
 * One call for the group; batches degrade, never fail. Servers refuse the array form in their own
 * ways: Ollama's `/v1/completions` answers 400 (it takes only a string), llama-cpp-python answers
 * 500 (measured with 0.3.36: every caller of a batch failed after two retries of that 500). So the
 * array call is tried once, without retries, and whatever it fails with — except failures that
 * sending the prompts one by one cannot fix (overflow, auth, rate limits, cancellation) — the group
 * goes prompt by prompt with the usual retries. Once that worked, the refusal was about the array:
 * the engine sends no array to this upstream for `refusalMemoryMillis`.
 */
async function generateTextGroup(settings: BatchGenerationSettings, group: TextGroup, signal: AbortSignal): Promise<GenerationResult[]> {
  if (group.prompts.length === 1 || Date.now() < settings.arrayPrompts.refusedUntil) return generateEachPrompt(settings, group, signal);
  try {
    return await generateInOneCall(settings, group, signal, false);
  } catch (error) {
    if (!(error instanceof EngineError) || notAboutArrays.has(error.code)) throw error;
    const results = await generateEachPrompt(settings, group, signal);
    settings.arrayPrompts.refusedUntil = Date.now() + settings.arrayPrompts.refusalMemoryMillis;
    return results;
  }
}

/**
 * Results in request order. Rejects with the first call's EngineError (the other calls are then
 * aborted, since their results could not be returned anyway); with `cancelled` when `signal` aborts —
 * a non-streamed call has no partial text to return.
 */
export async function generateBatchResults(
  settings: BatchGenerationSettings,
  requests: readonly GenerationRequest[],
  signal?: AbortSignal,
): Promise<GenerationResult[]> {
  const results = new Array<GenerationResult | undefined>(requests.length).fill(undefined);
  const batch = new LinkedAbortController([signal]);
  const abortSiblingsOnFailure = <Value>(work: Promise<Value>): Promise<Value> =>
    work.catch((error: unknown) => {
      batch.abort();
      throw error;
    });
  try {
    const textWork = groupTextRequests(requests).map((group) =>
      abortSiblingsOnFailure(generateTextGroup(settings, group, batch.signal)).then((groupResults) => {
        group.positions.forEach((position, index) => (results[position] = groupResults[index]));
      }),
    );
    const chatWork = requests.map((request, position) =>
      request.prompt.kind === "chat"
        ? abortSiblingsOnFailure(generateStreamed(settings, request, batch.signal)).then((result) => {
            results[position] = result;
          })
        : Promise.resolve(),
    );
    await Promise.all([...textWork, ...chatWork]);
  } finally {
    batch.dispose();
  }
  return results.map((result) => result ?? { text: "", finishReason: "stop", usage: { promptTokens: 0, completionTokens: 0 } });
}
