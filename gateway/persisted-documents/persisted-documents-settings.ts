import { z } from "zod";

/**
 * What the gateway accepts in place of a GraphQL document:
 * - `off`: full documents only (and Apollo's in-memory APQ); a `documentId` is refused.
 * - `allow`: full documents, or a `documentId` of the manifest (the default).
 * - `only`: trusted operations only: a `documentId` of the manifest, or a full document whose hash is
 *   in it. The default of browser-facing production deployments (CORS origins set, Redis stores).
 */
export const persistedDocumentsModes = ["off", "allow", "only"] as const;
export type PersistedDocumentsMode = (typeof persistedDocumentsModes)[number];

export interface PersistedDocumentsSettings {
  mode: PersistedDocumentsMode;
  /** The manifest on embedded stores: `{ "<sha256 hex>": "<document>" }`, as codegen's client-preset writes it. Default `<DATA_DIR>/persisted-documents.json`. */
  manifestPath: string | undefined;
}

/** The variables of the persisted documents, merged into the gateway's environment. */
export const persistedDocumentsEnvironment = {
  PERSISTED_DOCUMENTS_MODE: z.enum(persistedDocumentsModes).optional(),
  PERSISTED_DOCUMENTS_FILE: z.string().optional(),
};

/** `only` when the gateway faces browsers in production (CORS origins configured, Redis stores); `allow` otherwise. */
export function defaultPersistedDocumentsMode(browserFacingProduction: boolean): PersistedDocumentsMode {
  return browserFacingProduction ? "only" : "allow";
}
