import { parse } from "graphql";
import { badUserInput } from "../../platform/errors/service-error.ts";
import { documentIdOf, normalizeDocumentId } from "./document-id.ts";

/**
 * A persisted documents manifest as codegen's client-preset writes it (`persisted-documents.json`:
 * `{ "<sha256 hex>": "<document>" }`), checked: every id is the SHA-256 of its document and every
 * document parses. Throws BAD_USER_INPUT naming the first bad entry.
 */
export function readManifest(json: unknown): Record<string, string> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw badUserInput("manifest", "A manifest is a JSON object of document id → document.");
  const documents: Record<string, string> = {};
  for (const [key, document] of Object.entries(json)) {
    const id = normalizeDocumentId(key);
    if (id === undefined) throw badUserInput("manifest", `"${key}" is not a SHA-256 document id (client-preset's default hashAlgorithm).`);
    if (typeof document !== "string") throw badUserInput("manifest", `The document of ${id} is not a string.`);
    if (documentIdOf(document) !== id) throw badUserInput("manifest", `${id} is not the SHA-256 of its document: was the manifest edited, or written with another hashAlgorithm?`);
    try {
      parse(document);
    } catch (error) {
      throw badUserInput("manifest", `The document of ${id} does not parse: ${(error as Error).message}`);
    }
    documents[id] = document;
  }
  return documents;
}
