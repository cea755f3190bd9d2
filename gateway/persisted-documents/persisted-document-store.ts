/**
 * The manifest of trusted operations: document id (SHA-256 of the document, hex) → document. Written
 * by `npm run persisted-documents -- push <manifest.json>` (what codegen's client-preset emits with
 * `persistedDocuments: true`), read by every gateway replica.
 */
export interface PersistedDocumentStore {
  /** The document with this id, or undefined. */
  find(id: string): Promise<string | undefined>;
  /** Adds (or replaces) documents; returns how many the store holds after. */
  add(documents: Readonly<Record<string, string>>): Promise<number>;
  count(): Promise<number>;
}
