import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { loggingSettingsOf, type Logger, type LogLevel } from "./logger.ts";
import {
  errorCodeOf,
  noteCaller,
  noteOperation,
  noteOperationStarted,
  noteResponseErrors,
  runInRequestScope,
  startRequestLogRecord,
  type RequestLogRecord,
} from "./request-scope.ts";

/** The message of every access line. */
export const accessLogMessage = "graphql request";

/** Codes that mean the service failed, not the client: their lines are `error`. */
const serverFailureCodes = new Set(["INTERNAL_SERVER_ERROR"]);

/** The fields of one access line. */
export interface AccessLine {
  method: string;
  operationName: string | undefined;
  operationType: string | undefined;
  /** Only when a batch ran more than one operation. */
  operationCount: number | undefined;
  status: number;
  /** `extensions.code` of the first error sent (`null`: it had none); absent without errors. */
  errorCode: string | null | undefined;
  errorCount: number;
  durationMillis: number;
  tenantId: string | undefined;
  apiKeyId: string | undefined;
  requestId: string;
  traceId: string | undefined;
  /** True when the client went away before the response was complete. */
  clientClosed: boolean | undefined;
  /** The LOG_REQUEST_SAMPLE_RATE a sampled line stood for (absent at 1 and on lines always written). */
  sampleRate: number | undefined;
}

export interface RequestLog {
  /**
   * Runs `handle` (which serves `request`) in the request's log scope. For a request to the
   * GraphQL path (`path`: the target's path, parsed once by the server; undefined when the target
   * is no URL), writes one access line once the response is over (sent or abandoned).
   */
  run(request: IncomingMessage, response: ServerResponse, path: string | undefined, handle: () => void): void;
}

/**
 * One access line per GraphQL request: operation name and type, HTTP status, error codes (first,
 * and how many), duration, tenant, API key id, request and trace ids. Refusals written before
 * Apollo (401, 429, 413, 400...) are included: they record their codes in the request scope
 * (`noteResponseErrors`), as Apollo's plugin (`requestLogPlugin`) does for operations.
 *
 * Successful requests are written at the logger's LOG_REQUEST_SAMPLE_RATE, chosen on the request
 * id so the gateway and its subgraphs keep the same ones; failed, abandoned and slow requests
 * (LOG_SLOW_REQUEST_MILLIS) always. Levels: `error` for 5xx or an INTERNAL_SERVER_ERROR, `warn`
 * for other failures (4xx, errors in a 200, a client gone), `info` otherwise.
 */
export function createRequestLog(
  logger: Logger,
  options: {
    graphqlPath: string;
    /** Told of every GraphQL request once it is over, logged or not (sampling aside): its line and every error code it sent (Prometheus RED series). */
    onRequestEnd?: (line: AccessLine, errorCodes: readonly (string | null)[]) => void;
  },
): RequestLog {
  const settings = loggingSettingsOf(logger);
  return {
    run(request, response, path, handle) {
      // CORS preflights are the browser's, not GraphQL requests.
      if (request.method === "OPTIONS" || path !== options.graphqlPath) {
        handle();
        return;
      }
      const record = startRequestLogRecord(request);
      response.once("close", () => {
        const line = accessLine(record, response);
        options.onRequestEnd?.(line, record.errorCodes);
        const level = levelOf(line);
        const always = level !== "info" || line.durationMillis >= settings.slowRequestMillis;
        if (!always && !sampled(line.requestId, settings.requestSampleRate)) return;
        if (!always && settings.requestSampleRate < 1) line.sampleRate = settings.requestSampleRate;
        logger[level](accessLogMessage, { ...line });
      });
      runInRequestScope(record, handle);
    },
  };
}

function accessLine(record: RequestLogRecord, response: ServerResponse): AccessLine {
  const clientClosed = !response.writableFinished;
  record.requestId ??= randomUUID();
  return {
    method: record.method,
    operationName: record.operationName,
    operationType: record.operationType,
    operationCount: record.operationCount > 1 ? record.operationCount : undefined,
    status: response.statusCode,
    errorCode: record.errorCodes.length === 0 ? undefined : record.errorCodes[0],
    errorCount: record.errorCodes.length,
    durationMillis: Math.round((performance.now() - record.startedAt) * 10) / 10,
    tenantId: record.tenantId,
    apiKeyId: record.apiKeyId,
    requestId: record.requestId,
    traceId: record.traceId,
    clientClosed: clientClosed ? true : undefined,
    sampleRate: undefined,
  };
}

function levelOf(line: AccessLine): LogLevel {
  if (line.status >= 500) return "error";
  if (line.errorCode !== undefined && line.errorCode !== null && serverFailureCodes.has(line.errorCode)) return "error";
  if (line.status >= 400 || line.errorCount > 0 || line.clientClosed === true) return "warn";
  return "info";
}

/** Whether a successful request is logged at `rate`: the same answer for the same request id in every service. */
export function sampled(requestId: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  // FNV-1a, 32 bits: cheap, and spread well enough over UUIDs and client-chosen ids.
  let hash = 0x811c9dc5;
  for (let index = 0; index < requestId.length; index += 1) {
    hash ^= requestId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 0x1_0000_0000 < rate;
}

/**
 * Apollo's side of the access line: the caller (from `contextValue.request`, a `RequestContext`),
 * the operation's name and type, and the codes of the errors in the response. Operations Apollo
 * runs for the service itself (`executeOperation`, without an HTTP request) are not counted.
 */
export function requestLogPlugin<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  return {
    async contextCreationDidFail({ error }) {
      noteResponseErrors([{ extensions: { code: errorCodeOf(error) ?? "INTERNAL_SERVER_ERROR" } }]);
    },
    async invalidRequestWasReceived({ error }) {
      noteResponseErrors([{ extensions: { code: errorCodeOf(error) ?? "BAD_REQUEST" } }]);
    },
    async requestDidStart({ request, contextValue }) {
      if (request.http === undefined) return;
      noteOperationStarted();
      noteCaller((contextValue as { request?: unknown }).request);
      noteOperation(request.operationName, undefined);
      return {
        async didResolveOperation({ operationName, operation }) {
          noteOperation(operationName, operation?.operation);
        },
        async willSendResponse({ response }) {
          const body = response.body;
          noteResponseErrors(body.kind === "single" ? body.singleResult.errors : body.initialResult.errors);
        },
      };
    },
  };
}
