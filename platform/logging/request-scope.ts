import { AsyncLocalStorage } from "node:async_hooks";
import type { IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import { activeTraceId } from "../tracing/tracer.ts";

/**
 * What is known about the GraphQL request being served, filled in as it goes (admission, Apollo,
 * the response) and written as its access line when it ends (`access-log.ts`). It lives in an
 * AsyncLocalStorage for the request's whole asynchronous life, so any log line written meanwhile
 * gets its `requestId` and `traceId`, and code that answers the request outside Apollo (a refusal,
 * a body too large) can record its error codes without knowing about logs.
 */
export interface RequestLogRecord {
  readonly startedAt: number;
  readonly method: string;
  /** The caller's request id once known (the gateway's, carried to subgraphs in the signed context); until then the client's `x-request-id`, if well-formed. */
  requestId: string | undefined;
  /** The request's span's trace id when traces are recorded (platform/tracing/); else from the W3C `traceparent` header, when the client (or the gateway) sent one. */
  readonly traceId: string | undefined;
  tenantId: string | undefined;
  apiKeyId: string | undefined;
  /** The first operation's name and type (`query`, `mutation`, `subscription`). */
  operationName: string | undefined;
  operationType: string | undefined;
  /** Operations Apollo ran for this request (more than 1 for a batch). */
  operationCount: number;
  /** `extensions.code` of each error sent, in order (`null` for one without a code). */
  errorCodes: (string | null)[];
}

const scope = new AsyncLocalStorage<RequestLogRecord>();

/** Request ids a client may choose (the gateway's rule for `x-request-id`). */
const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;
/** W3C trace context: version-traceid-parentid-flags. */
const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const maximumOperationNameLength = 128;

/** A new record for `request`, started now. */
export function startRequestLogRecord(request: IncomingMessage): RequestLogRecord {
  const requestId = request.headers["x-request-id"];
  return {
    startedAt: performance.now(),
    method: request.method ?? "GET",
    requestId: typeof requestId === "string" && requestIdPattern.test(requestId) ? requestId : undefined,
    traceId: activeTraceId() ?? traceIdOf(request.headers.traceparent),
    tenantId: undefined,
    apiKeyId: undefined,
    operationName: undefined,
    operationType: undefined,
    operationCount: 0,
    errorCodes: [],
  };
}

/** The trace id of a W3C `traceparent` header; undefined when absent or malformed (or all zeros, or version ff). */
export function traceIdOf(traceparent: string | string[] | undefined): string | undefined {
  if (typeof traceparent !== "string") return undefined;
  const match = traceparentPattern.exec(traceparent.trim().toLowerCase());
  if (match === null || match[1] === "ff" || (match[1] === "00" && match[5] !== undefined)) return undefined;
  const traceId = match[2] ?? "";
  return /^0+$/.test(traceId) || /^0+$/.test(match[3] ?? "") ? undefined : traceId;
}

/** Runs `work` with `record` as the current request's. */
export function runInRequestScope<T>(record: RequestLogRecord, work: () => T): T {
  return scope.run(record, work);
}

/** The record of the request being served, if any. */
export function currentRequestLogRecord(): RequestLogRecord | undefined {
  return scope.getStore();
}

/** `requestId` and `traceId` of the request being served, for every log line written meanwhile. */
export function requestLogBindings(): Record<string, string> {
  const record = scope.getStore();
  if (record === undefined) return {};
  const bindings: Record<string, string> = {};
  if (record.requestId !== undefined) bindings.requestId = record.requestId;
  if (record.traceId !== undefined) bindings.traceId = record.traceId;
  return bindings;
}

/** Records who is calling (a `RequestContext`): its request id replaces the client's. Anything else is ignored. */
export function noteCaller(caller: unknown): void {
  const record = scope.getStore();
  if (record === undefined || typeof caller !== "object" || caller === null) return;
  const { requestId, tenantId, apiKeyId } = caller as Record<string, unknown>;
  if (typeof requestId === "string") record.requestId = requestId;
  if (typeof tenantId === "string") record.tenantId = tenantId;
  if (typeof apiKeyId === "string") record.apiKeyId = apiKeyId;
}

/** Records an operation Apollo runs for the request; the first one names the request. */
export function noteOperation(name: string | null | undefined, type: string | undefined): void {
  const record = scope.getStore();
  if (record === undefined) return;
  if (record.operationName === undefined && typeof name === "string" && name !== "") record.operationName = name.slice(0, maximumOperationNameLength);
  if (record.operationType === undefined && type !== undefined) record.operationType = type;
}

/** Counts one more operation run for the request. */
export function noteOperationStarted(): void {
  const record = scope.getStore();
  if (record !== undefined) record.operationCount += 1;
}

/** Records the errors of a response: GraphQL errors (`{ extensions: { code } }`), or a body `{ errors: [...] }`. */
export function noteResponseErrors(errorsOrBody: unknown): void {
  const record = scope.getStore();
  if (record === undefined) return;
  const errors = Array.isArray(errorsOrBody) ? errorsOrBody : (errorsOrBody as { errors?: unknown } | null | undefined)?.errors;
  if (!Array.isArray(errors)) return;
  for (const error of errors) record.errorCodes.push(errorCodeOf(error) ?? null);
}

/** The `extensions.code` of a GraphQL error (formatted or not). */
export function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
  return typeof code === "string" ? code : undefined;
}
