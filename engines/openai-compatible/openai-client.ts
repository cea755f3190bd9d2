/**
 * The `openai` SDK client the engine talks through.
 */
import OpenAI from "openai";
import { traceContextFetch } from "../../platform/tracing/trace-context-fetch.ts";
import { errorBodyNormalizingFetch } from "./error-body-normalizing-fetch.ts";
import type { ResolvedOpenAICompatibleEngineOptions } from "./openai-compatible-options.ts";

/** `transport` carries every request: the guarded fetch (upstream-transport.ts) or a test's. */
export function createOpenAIClient(options: ResolvedOpenAICompatibleEngineOptions, transport: typeof fetch): OpenAI {
  return new OpenAI({
    baseURL: options.baseUrl,
    // The SDK refuses to start without a key (and would read OPENAI_API_KEY); local servers need none,
    // so an empty one is passed and the Authorization header removed below.
    apiKey: options.apiKey ?? "",
    // Explicit nulls so that OPENAI_ORG_ID / OPENAI_PROJECT_ID in the environment add no headers.
    organization: null,
    project: null,
    webhookSecret: null,
    defaultHeaders: options.apiKey === undefined ? { Authorization: null } : undefined,
    // Retries are ours (retry-policy.ts): the SDK's would retry inside our timeout and hide attempts.
    maxRetries: 0,
    // The SDK's own timer covers only the wait for headers; request-attempt.ts covers the rest.
    timeout: options.requestTimeoutMillis,
    // Each request carries the engine call's `traceparent`, so a traced server (vLLM) continues the trace.
    fetch: errorBodyNormalizingFetch(traceContextFetch(transport)),
    // Failures surface as EngineErrors; the SDK would also print malformed chunks to the console.
    logLevel: "off",
  });
}
