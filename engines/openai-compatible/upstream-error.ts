/**
 * Turns whatever an upstream call threw (SDK errors, fetch errors, JSON errors) into an EngineError
 * with the code callers base their retry decisions on.
 *
 * The EngineError's message reaches API clients, so it never quotes the upstream: not its error body,
 * not its addresses or the transport's error text (an engine URL pointed at an internal service would
 * otherwise read that service back to the caller). It says what happened (`POST /chat/completions: the
 * upstream engine answered HTTP 500`); the upstream's own words go to the server log only, through
 * the context's logger, and stay on the error's `cause`.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import type { Logger } from "../../platform/logging/logger.ts";
import { EgressRefusedError } from "../../platform/network/egress-policy.ts";
import { EngineError, type EngineErrorCode } from "../engine-error.ts";
import { retryAfterMillisFromHeaders } from "./retry-after.ts";

export interface UpstreamFailureContext {
  /** What was being done, for the message: `POST /chat/completions`. */
  readonly operation: string;
  /** The attempt's own deadline fired (the SDK reports it as a plain abort). */
  readonly timedOut: boolean;
  /** Where the upstream's own error text is written (warn level). Default: nowhere. */
  readonly logger?: Logger | undefined;
}

/** Most characters of an upstream error text kept for the log. */
const maximumLoggedDetailLength = 2_000;

/**
 * How servers say "prompt plus max_tokens does not fit": OpenAI and vLLM ("This model's maximum context
 * length is …", code `context_length_exceeded`), llama.cpp ("… exceeds the available context size",
 * type `exceed_context_size_error`), SGLang ("… longer than the model's context length"), TGI
 * ("`inputs` tokens + `max_new_tokens` must be <= …").
 */
const contextOverflowPatterns: readonly RegExp[] = [
  /maximum context length/i,
  /context[ _]length[ _]exceeded/i,
  /exceeds? the available context size/i,
  /exceed_context_size/i,
  /longer than the model'?s context length/i,
  /exceeds? the model'?s (maximum )?context/i,
  /context window/i,
  /tokens \+ `?max_new_tokens`? must be <=/i,
];

export function cancelledError(operation: string): EngineError {
  return new EngineError("cancelled", `${operation}: cancelled by the caller`);
}

interface UpstreamErrorDetails {
  readonly message: string;
  readonly code: string | undefined;
  readonly type: string | undefined;
}

function detailsOf(error: APIError): UpstreamErrorDetails {
  // `error.error` is the body's `error` member: an object on OpenAI-style servers, a string on TGI.
  const body: unknown = error.error;
  const bodyMessage =
    typeof body === "string" ? body : typeof body === "object" && body !== null && "message" in body ? String(body.message) : undefined;
  const code: unknown = error.code;
  return {
    message: bodyMessage ?? error.message,
    code: code === null || code === undefined ? undefined : String(code),
    type: error.type,
  };
}

function isContextOverflow(details: UpstreamErrorDetails): boolean {
  const text = `${details.message} ${details.code ?? ""} ${details.type ?? ""}`;
  return contextOverflowPatterns.some((pattern) => pattern.test(text));
}

function codeForStatus(status: number): EngineErrorCode {
  if (status === 401 || status === 403) return "upstream-unauthorized";
  if (status === 429) return "rate-limited";
  if (status === 408) return "timeout";
  if (status >= 500) return "unavailable";
  return "invalid-request";
}

/**
 * The HTTP status behind an SDK error. Errors sent inside an SSE stream carry no HTTP status (the
 * stream itself answered 200); vLLM puts the status it would have used in the body's numeric `code`.
 */
function statusOf(error: APIError, details: UpstreamErrorDetails): number | undefined {
  if (error.status !== undefined) return error.status;
  const fromCode = details.code === undefined ? Number.NaN : Number(details.code);
  return Number.isInteger(fromCode) && fromCode >= 400 && fromCode <= 599 ? fromCode : undefined;
}

function fromApiError(error: APIError, operation: string): EngineError {
  const details = detailsOf(error);
  const status = statusOf(error, details);
  const statusText = status === undefined ? "an error event" : `HTTP ${status}`;
  const message = `${operation}: the upstream engine answered ${statusText}`;
  const options = { upstreamStatus: status, cause: error };
  // An overflow never succeeds on retry, whatever status the server chose for it.
  if (status !== 401 && status !== 403 && status !== 429 && isContextOverflow(details)) {
    return new EngineError("context-overflow", `${operation}: the upstream engine answered ${statusText}: the prompt and completion exceed the model's context length`, options);
  }
  if (status === undefined) return new EngineError("unavailable", message, options);
  // Redirects are never followed (one could lead to an address the network policy refuses), and a
  // base URL that redirects will keep doing so: a misconfigured engine, not a transient failure.
  if (status >= 300 && status < 400) {
    return new EngineError("engine-unavailable", `${message}, a redirect; engine calls do not follow redirects, so register the final URL`, options);
  }
  const code = codeForStatus(status);
  const retryAfterMillis = code === "rate-limited" || code === "unavailable" ? retryAfterMillisFromHeaders(error.headers) : undefined;
  return new EngineError(code, message, { ...options, retryAfterMillis });
}

function describeCause(error: Error): string {
  const cause: unknown = error.cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}

/** The refusal behind an error, when the network policy refused the engine's address. */
function egressRefusalOf(error: unknown): EgressRefusedError | undefined {
  if (error instanceof EgressRefusedError) return error;
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  return cause instanceof EgressRefusedError ? cause : undefined;
}

/** The upstream's own words for the log: its error body's message, or the transport's error text. */
function upstreamDetail(error: unknown): string {
  const text = error instanceof APIError ? detailsOf(error).message : error instanceof Error ? describeCause(error) : String(error);
  return text.length > maximumLoggedDetailLength ? `${text.slice(0, maximumLoggedDetailLength)}…` : text;
}

function classify(error: unknown, context: UpstreamFailureContext): EngineError {
  const { operation } = context;
  if (error instanceof EngineError) return error;
  const refusal = egressRefusalOf(error);
  if (refusal !== undefined) {
    return new EngineError("engine-unavailable", `${operation}: the engine's address is not allowed by this server's engine network policy (ENGINE_ALLOWED_HOSTS)`, { cause: refusal });
  }
  if (context.timedOut || error instanceof APIConnectionTimeoutError) {
    return new EngineError("timeout", `${operation}: no reply within the request timeout`, { cause: error });
  }
  if (error instanceof APIUserAbortError) return cancelledError(operation);
  if (error instanceof APIConnectionError) {
    return new EngineError("unavailable", `${operation}: cannot connect to the upstream engine`, { cause: error });
  }
  if (error instanceof APIError) return fromApiError(error, operation);
  if (error instanceof SyntaxError) {
    return new EngineError("invalid-response", `${operation}: the upstream engine's reply is not valid JSON`, { cause: error });
  }
  if (error instanceof Error && error.name === "AbortError") return cancelledError(operation);
  // What is left comes from the transport: a connection dropped mid-body (`terminated`, `aborted`,
  // ECONNRESET) or refused.
  return new EngineError("unavailable", `${operation}: the connection to the upstream engine failed`, { cause: error });
}

export function toEngineError(error: unknown, context: UpstreamFailureContext): EngineError {
  const engineError = classify(error, context);
  if (engineError !== error && engineError.code !== "cancelled") {
    context.logger?.warn("an upstream engine call failed", {
      operation: context.operation,
      code: engineError.code,
      upstreamStatus: engineError.upstreamStatus,
      upstreamDetail: upstreamDetail(error),
    });
  }
  return engineError;
}
