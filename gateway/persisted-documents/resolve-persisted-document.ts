import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import { documentIdOf, normalizeDocumentId } from "./document-id.ts";
import type { PersistedDocumentStore } from "./persisted-document-store.ts";
import type { PersistedDocumentsMode } from "./persisted-documents-settings.ts";

/** One GraphQL-over-HTTP request as the gateway received it: the parsed POST body, or the GET query string. */
export interface OperationRequest {
  body: unknown;
  search: string;
}

/** The fields of an operation these rules read; the others pass through untouched. */
export interface Operation {
  query?: unknown;
  documentId?: unknown;
  /** `persistedQuery.sha256Hash`: an APQ hash, looked up in the manifest first. */
  extensions?: unknown;
}

function persistedQueryHash(extensions: unknown): unknown {
  if (typeof extensions !== "object" || extensions === null) return undefined;
  const persistedQuery = (extensions as { persistedQuery?: unknown }).persistedQuery;
  return typeof persistedQuery === "object" && persistedQuery !== null ? (persistedQuery as { sha256Hash?: unknown }).sha256Hash : undefined;
}

/**
 * The rules for one operation, whatever carries it (an HTTP body or query string, a graphql-ws
 * `subscribe` payload): a `documentId` (or an APQ hash the manifest knows) is replaced by the
 * manifest's document; in `only` mode a document the manifest does not hold is refused. An empty
 * `query` counts as none (graphql-ws requires the field, so clients that send an id send `""`).
 */
export function createPersistedOperationResolver(store: PersistedDocumentStore, mode: PersistedDocumentsMode): <Shape extends Operation>(operation: Shape) => Promise<Shape> {
  const resolveOperation = async (operation: Operation): Promise<Operation> => {
    const { documentId, ...rest } = operation;
    if (documentId !== undefined) {
      if (mode === "off") throw refusal(ErrorCode.PersistedDocumentNotFound, "This gateway does not serve persisted documents (PERSISTED_DOCUMENTS_MODE=off); send the document as `query`.");
      return { ...rest, query: await manifestDocument(store, documentId) };
    }
    const persistedHash = persistedQueryHash(operation.extensions);
    if (typeof persistedHash === "string" && mode !== "off") {
      // Codegen's client-preset ids in Apollo's APQ shape (Apollo Client's and urql's persisted
      // query links): the manifest answers, and its document wins over any text sent beside the id
      // (graphql-ws links send both, printed their own way). The hash is dropped so Apollo Server
      // does not check it against the text as APQ would.
      const id = normalizeDocumentId(persistedHash);
      const document = id === undefined ? undefined : await store.find(id);
      if (document !== undefined) return { ...operation, query: document, extensions: withoutPersistedQuery(operation.extensions) };
      if (mode === "only" && typeof operation.query !== "string") throw refusal(ErrorCode.PersistedDocumentNotFound, `No persisted document has the id "${persistedHash}".`);
    }
    if (typeof operation.query === "string") {
      if (mode === "only" && (await store.find(documentIdOf(operation.query))) === undefined) {
        throw refusal(ErrorCode.PersistedDocumentRequired, "Only the operations of the persisted documents manifest run here (PERSISTED_DOCUMENTS_MODE=only): send its `documentId`.");
      }
    }
    return operation;
  };
  return async <Shape extends Operation>(operation: Shape): Promise<Shape> => {
    if (operation.query !== "") return (await resolveOperation(operation)) as Shape;
    const { query: _empty, ...rest } = operation;
    const resolved = await resolveOperation(rest);
    return { ...resolved, query: typeof resolved.query === "string" ? resolved.query : "" } as Shape;
  };
}

/**
 * Puts the manifest's document in place of a `documentId` (or of an APQ hash the manifest knows),
 * and in `only` mode refuses any document the manifest does not hold, before Apollo sees the request.
 * Batched bodies are checked operation by operation.
 */
export function createPersistedDocumentResolver(store: PersistedDocumentStore, mode: PersistedDocumentsMode): (request: OperationRequest) => Promise<OperationRequest> {
  const resolveOperation = createPersistedOperationResolver(store, mode);
  return async ({ body, search }) => {
    if (Array.isArray(body)) return { body: await Promise.all(body.map((operation) => (isOperation(operation) ? resolveOperation(operation) : operation))), search };
    if (isOperation(body)) return { body: await resolveOperation(body), search };
    if (body !== undefined && body !== null && body !== "") return { body, search };
    return { body, search: await resolveSearch(search, resolveOperation) };
  };
}

/** A GET request's parameters: `documentId`, `query` and `extensions` as in a POST body. */
async function resolveSearch(search: string, resolveOperation: (operation: Operation) => Promise<Operation>): Promise<string> {
  const parameters = new URLSearchParams(search);
  const operation: Operation = {};
  const documentId = parameters.get("documentId");
  const query = parameters.get("query");
  const extensions = parameters.get("extensions");
  if (documentId !== null) operation.documentId = documentId;
  if (query !== null) operation.query = query;
  if (extensions !== null) {
    try {
      operation.extensions = JSON.parse(extensions) as unknown;
    } catch {
      return search; // Apollo answers a malformed `extensions` parameter itself.
    }
  }
  if (documentId === null && query === null && extensions === null) return search;
  const resolved = await resolveOperation(operation);
  parameters.delete("documentId");
  if (typeof resolved.query === "string") parameters.set("query", resolved.query);
  // A manifest hash resolved here leaves `extensions` without it (see resolveOperation).
  if (resolved.extensions !== operation.extensions) {
    if (typeof resolved.extensions === "object" && resolved.extensions !== null && Object.keys(resolved.extensions).length > 0) parameters.set("extensions", JSON.stringify(resolved.extensions));
    else parameters.delete("extensions");
  }
  const text = parameters.toString();
  return text === "" ? "" : `?${text}`;
}

async function manifestDocument(store: PersistedDocumentStore, documentId: unknown): Promise<string> {
  const id = typeof documentId === "string" ? normalizeDocumentId(documentId) : undefined;
  if (id === undefined) throw refusal(ErrorCode.BadRequest, "documentId must be the SHA-256 of a document, hex (optionally prefixed `sha256:`).");
  const document = await store.find(id);
  if (document === undefined) throw refusal(ErrorCode.PersistedDocumentNotFound, `No persisted document has the id "${id}": push the app's manifest (npm run persisted-documents -- push <file>).`);
  return document;
}

function withoutPersistedQuery(extensions: unknown): Record<string, unknown> {
  const { persistedQuery: _persistedQuery, ...others } = extensions as Record<string, unknown>;
  return others;
}

function isOperation(value: unknown): value is Operation {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function refusal(code: ErrorCode, message: string): ServiceError {
  return new ServiceError(code, message, { httpStatus: 400 });
}
