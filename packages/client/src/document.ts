import type { DocumentTypeDecoration } from "@graphql-typed-document-node/core";
import { Kind, print, type DocumentNode } from "graphql";

/**
 * A typed operation, as GraphQL Code Generator makes them: the client preset's `graphql()` output
 * (a `TypedDocumentNode`, or a `TypedDocumentString` with `documentMode: "string"`), or any
 * `TypedDocumentNode<Result, Variables>` from `@graphql-typed-document-node/core`.
 */
export type GraphDocument<Result, Variables> = DocumentTypeDecoration<Result, Variables>;

/**
 * The arguments after the document: `variables` may be left out when the operation has none or
 * only optional ones; then the per-call options.
 */
export type OperationArguments<Variables, Options> = {} extends Variables ? [variables?: Variables, options?: Options] : [variables: Variables, options?: Options];

/** What goes on the wire for one operation. */
export interface OperationSource {
  /** The document's text; absent when only `documentId` is sent. */
  query?: string;
  /** A persisted document's id (`sha256:<hex>`), sent instead of the text. */
  documentId?: string;
  operationName?: string;
}

interface PersistedMetadata {
  __meta__?: { hash?: unknown };
}

const printed = new WeakMap<object, { query: string | undefined; operationName: string | undefined; hash: string | undefined }>();

function describe(document: object): { query: string | undefined; operationName: string | undefined; hash: string | undefined } {
  const cached = printed.get(document);
  if (cached !== undefined) return cached;
  const hash = (document as PersistedMetadata).__meta__?.hash;
  let query: string | undefined;
  let operationName: string | undefined;
  if (document instanceof String) {
    query = document.toString();
    operationName = /^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(query)?.[1];
  } else if ((document as { kind?: unknown }).kind === Kind.DOCUMENT) {
    const node = document as DocumentNode;
    query = print(node);
    const operations = node.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    operationName = operations.length === 1 ? operations[0]?.name?.value : undefined;
  }
  const description = { query, operationName, hash: typeof hash === "string" && hash.length > 0 ? hash : undefined };
  printed.set(document, description);
  return description;
}

/**
 * The operation's text (printed once per document and cached) or, for a document that carries a
 * persisted-document hash (the client preset's `persistedDocuments` option) when `useDocumentIds`,
 * its `documentId`.
 */
export function operationSource(document: unknown, useDocumentIds: boolean): OperationSource {
  if (typeof document === "string") return { query: document };
  if (typeof document !== "object" || document === null) throw new TypeError("Expected a GraphQL document (a TypedDocumentNode or a TypedDocumentString).");
  const { query, operationName, hash } = describe(document);
  const named = operationName === undefined ? {} : { operationName };
  if (hash !== undefined && (useDocumentIds || query === undefined)) return { documentId: hash.includes(":") ? hash : `sha256:${hash}`, ...named };
  if (query === undefined) throw new TypeError("The document has neither text nor a persisted-document hash.");
  return { query, ...named };
}
