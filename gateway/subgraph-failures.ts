import type { GatewayGraphQLResponse } from "@apollo/server-gateway-interface";
import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type GraphQLFormattedError, type SelectionSetNode } from "graphql";
import { ErrorCode, isRetryable } from "../platform/errors/error-code.ts";

/**
 * Why a subgraph fetch produced no GraphQL answer. Raised from the data source's
 * `didEncounterError` / `didReceiveResponse` hooks and turned into a GraphQL response by its
 * `process`, so Apollo's query-plan executor gives each error the path of the fields the fetch
 * was meant to resolve (a thrown error would reach the client without a path).
 */
export type SubgraphFailure =
  /** Connection refused or reset, DNS failure, timeout, a proxy's 502/503/504, a reply that is not GraphQL. */
  | { kind: "unavailable"; reason: string }
  /** The client went away; the fetch was aborted on purpose. */
  | { kind: "cancelled" }
  /**
   * The operation's deadline (OPERATION_DEADLINE_MILLIS, `deadlineMillis`) passed before the fetch
   * could start, or cut it short. Clients see SERVICE_UNAVAILABLE (retryable) with `deadlineMillis`.
   */
  | { kind: "deadline"; deadlineMillis: number }
  /** A non-2xx status whose body is still a GraphQL response: its errors (and codes) are the answer. */
  | { kind: "graphql-response"; response: GatewayGraphQLResponse };

/** Carries a `SubgraphFailure` from the data source's hooks to its `process`. Never reaches a client. */
export class SubgraphFetchFailed extends Error {
  readonly failure: SubgraphFailure;

  constructor(failure: SubgraphFailure, cause?: unknown) {
    super(failure.kind === "unavailable" ? `subgraph unavailable: ${failure.reason}` : `subgraph fetch: ${failure.kind}`, { cause });
    this.name = "SubgraphFetchFailed";
    this.failure = failure;
  }
}

/** Socket and timer error codes (Node's `errno` names and undici's) and how a client reads them. */
const transportReasons: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection reset",
  UND_ERR_SOCKET: "connection closed before a reply",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found",
  ETIMEDOUT: "timed out",
  UND_ERR_CONNECT_TIMEOUT: "timed out",
  UND_ERR_HEADERS_TIMEOUT: "timed out",
  UND_ERR_BODY_TIMEOUT: "timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "host unreachable",
};

/**
 * Classifies an error `RemoteGraphQLDataSource.sendRequest` hit: the fetch itself failed (no
 * `response`), the status was not 2xx, or the body could not be read or parsed. Decided from error
 * codes and the response, never from messages.
 */
export function classifyFetchError(error: unknown, response: { ok: boolean; status: number } | undefined, clientAborted: boolean): SubgraphFailure {
  if (clientAborted) return { kind: "cancelled" };
  const transport = transportReason(error);
  if (response === undefined) return { kind: "unavailable", reason: transport ?? "unreachable" };
  if (!response.ok) {
    const body = (error as { extensions?: { response?: { body?: unknown } } } | undefined)?.extensions?.response?.body;
    if (isGraphQLResponse(body) && Array.isArray(body.errors) && body.errors.length > 0) {
      return { kind: "graphql-response", response: body };
    }
    return { kind: "unavailable", reason: `answered HTTP ${response.status}` };
  }
  // A 2xx whose body broke off (a transport code) or was not a JSON object.
  return { kind: "unavailable", reason: transport ?? "its reply was not GraphQL" };
}

/** True when `error` (or an error it wraps) is the abort of one of our timers (`AbortSignal.timeout`), not a socket's own timeout. */
export function isAbortedByTimer(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth += 1) {
    if (current.name === "TimeoutError") return true;
  }
  return false;
}

function transportReason(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth += 1) {
    if (current.name === "TimeoutError") return "timed out";
    const code = (current as { code?: unknown }).code ?? firstAggregatedCode(current);
    if (typeof code === "string" && code in transportReasons) return transportReasons[code];
  }
  return undefined;
}

/** Node reports a failed connection to every address of a host as an `AggregateError`. */
function firstAggregatedCode(error: Error): unknown {
  return error instanceof AggregateError ? (error.errors[0] as { code?: unknown } | undefined)?.code : undefined;
}

/** A body a GraphQL server could have sent: an object with `data` or an `errors` array. */
export function isGraphQLResponse(body: unknown): body is GatewayGraphQLResponse {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  return "data" in body || Array.isArray((body as { errors?: unknown }).errors);
}

export function unavailableMessage(serviceName: string, reason: string): string {
  return `The ${serviceName} service is unavailable (${reason}); try again later.`;
}

/** Why a client got no answer from `serviceName` when the operation's deadline of `deadlineMillis` passed. */
export function deadlineMessage(serviceName: string, deadlineMillis: number): string {
  return `The operation ran past its deadline of ${deadlineMillis} ms before the ${serviceName} service answered; try again later.`;
}

/**
 * The response a failed fetch stands for: one error per field it was to resolve, each with the
 * path Apollo's executor maps to the client's response (`[field]` for root fetches,
 * `["_entities", index, field]` for entity fetches), so partial results name what is missing.
 */
export function failureResponse(
  serviceName: string,
  failure: Exclude<SubgraphFailure, { kind: "graphql-response" }>,
  request: { query?: string | undefined; variables?: Record<string, unknown> | undefined },
  document: DocumentNode | undefined,
): GatewayGraphQLResponse {
  const code = failure.kind === "cancelled" ? ErrorCode.RequestCancelled : ErrorCode.ServiceUnavailable;
  const message =
    failure.kind === "cancelled" ? "The request was cancelled."
    : failure.kind === "deadline" ? deadlineMessage(serviceName, failure.deadlineMillis)
    : unavailableMessage(serviceName, failure.reason);
  const extensions = { code, retryable: isRetryable(code), serviceName, ...(failure.kind === "deadline" ? { deadlineMillis: failure.deadlineMillis } : {}) };
  const paths = fieldPaths(request, document);
  const errors: GraphQLFormattedError[] =
    paths.length === 0 ? [{ message, extensions }] : paths.map((path) => ({ message, path, extensions }));
  return { data: null, errors };
}

/** Response paths (within the subgraph operation) of the fields `request` asks for. */
export function fieldPaths(request: { query?: string | undefined; variables?: Record<string, unknown> | undefined }, document: DocumentNode | undefined): (string | number)[][] {
  let parsed = document;
  if (parsed === undefined) {
    if (request.query === undefined) return [];
    try {
      parsed = parse(request.query);
    } catch {
      return [];
    }
  }
  const operation = parsed.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (operation === undefined || operation.kind !== Kind.OPERATION_DEFINITION) return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of parsed.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const roots = responseFields(operation.selectionSet, fragments, undefined);
  const entities = roots.find((field) => field.name === "_entities");
  const representations = request.variables?.representations;
  if (entities === undefined || !Array.isArray(representations)) return roots.map((field) => [field.key]);
  const paths: (string | number)[][] = [];
  representations.forEach((representation, index) => {
    const typename = (representation as { __typename?: unknown } | null)?.__typename;
    const matching = responseFields(entities.selectionSet, fragments, typeof typename === "string" ? typename : undefined);
    const fields = matching.length > 0 ? matching : responseFields(entities.selectionSet, fragments, undefined);
    for (const field of fields) paths.push([entities.key, index, field.key]);
  });
  return paths;
}

interface ResponseField {
  key: string;
  name: string;
  selectionSet: SelectionSetNode | undefined;
}

/**
 * Fields of `selectionSet` by response key (alias or name), through fragments; with `typename`,
 * only fragments on that type (or without a type condition). `__typename` is left out: it is
 * bookkeeping of the query plan, not a field the client is missing.
 */
function responseFields(selectionSet: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, typename: string | undefined, seen = new Set<string>()): ResponseField[] {
  const fields = new Map<string, ResponseField>();
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      if (selection.name.value !== "__typename" && !fields.has(key)) fields.set(key, { key, name: selection.name.value, selectionSet: selection.selectionSet });
      continue;
    }
    let nested: SelectionSetNode | undefined;
    let condition: string | undefined;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      nested = selection.selectionSet;
      condition = selection.typeCondition?.name.value;
    } else {
      const fragment = fragments.get(selection.name.value);
      if (fragment === undefined || seen.has(fragment.name.value)) continue;
      seen.add(fragment.name.value);
      nested = fragment.selectionSet;
      condition = fragment.typeCondition.name.value;
    }
    if (typename !== undefined && condition !== undefined && condition !== typename) continue;
    for (const field of responseFields(nested, fragments, undefined, seen)) {
      if (!fields.has(field.key)) fields.set(field.key, field);
    }
  }
  return [...fields.values()];
}
