import { ErrorCode } from "../../platform/errors/error-code.ts";
import { badUserInput, ServiceError } from "../../platform/errors/service-error.ts";
import type { DocumentMediaType, IngestDocumentInput, MetadataEntryInput, MetadataFilterInput } from "./generated/resolvers-types.ts";
import type { RetrievalLimits } from "./retrieval-limits.ts";
import type { MetadataFilter } from "./catalog/retrieval-catalog.ts";
import { metadataKeyProblem } from "./metadata-keys.ts";

/** An ingestion request that passed every check. */
export interface ValidatedDocument {
  collectionId: string;
  source: string;
  title: string | null;
  content: string;
  mediaType: "text/plain" | "text/markdown";
  metadata: Record<string, string>;
  waitForCompletion: boolean;
}

const mediaTypes: Record<DocumentMediaType, ValidatedDocument["mediaType"]> = { TEXT_PLAIN: "text/plain", TEXT_MARKDOWN: "text/markdown" };

/**
 * Checks a document before any of it is stored: non-empty text, not binary, within the size limit,
 * well-formed source and metadata. Each failure names the field at fault.
 */
export function validateDocumentInput(input: IngestDocumentInput, limits: RetrievalLimits): ValidatedDocument {
  const source = input.source.trim();
  if (source.length === 0 || source.length > 2_048) throw badUserInput("input.source", "source must have 1 to 2,048 characters.");
  if (input.title !== undefined && input.title !== null && input.title.length > 500) throw badUserInput("input.title", "title must have at most 500 characters.");
  const bytes = Buffer.byteLength(input.content, "utf8");
  if (bytes > limits.maximumDocumentBytes) {
    throw new ServiceError(ErrorCode.DocumentTooLarge, `The document has ${bytes} bytes; the limit is ${limits.maximumDocumentBytes}.`, {
      field: "input.content",
      details: { maximumBytes: limits.maximumDocumentBytes, actualBytes: bytes },
    });
  }
  if (input.content.trim().length === 0) throw badUserInput("input.content", "The document has no text.");
  if (looksBinary(input.content)) {
    throw badUserInput("input.content", "The document looks binary (NUL bytes, control characters or undecodable bytes); send UTF-8 text or Markdown.");
  }
  return {
    collectionId: input.collectionId,
    source,
    title: input.title ?? null,
    content: input.content,
    mediaType: mediaTypes[input.mediaType ?? "TEXT_MARKDOWN"],
    metadata: validateMetadata(input.metadata ?? [], limits),
    waitForCompletion: input.waitForCompletion ?? true,
  };
}

function validateMetadata(entries: readonly MetadataEntryInput[], limits: RetrievalLimits): Record<string, string> {
  if (entries.length > limits.maximumMetadataEntries) throw badUserInput("input.metadata", `At most ${limits.maximumMetadataEntries} metadata entries.`);
  const metadata: Record<string, string> = {};
  entries.forEach((entry, index) => {
    const problem = metadataKeyProblem(entry.key);
    if (problem !== undefined) throw badUserInput(`input.metadata[${index}].key`, problem);
    if (Object.hasOwn(metadata, entry.key)) throw badUserInput(`input.metadata[${index}].key`, `The metadata key "${entry.key}" appears twice.`);
    if (entry.value.length > 1_024) throw badUserInput(`input.metadata[${index}].value`, "A metadata value has at most 1,024 characters.");
    metadata[entry.key] = entry.value;
  });
  return metadata;
}

/**
 * Text decoded from a binary file carries NUL bytes, the replacement character of undecodable
 * bytes, or many control characters; real prose and Markdown carry almost none.
 */
export function looksBinary(content: string): boolean {
  if (content.includes("\u0000")) return true;
  const sample = content.slice(0, 65_536);
  let suspicious = 0;
  for (let index = 0; index < sample.length; index += 1) {
    const code = sample.charCodeAt(index);
    if (code === 0xfffd || (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d && code !== 0x0c)) suspicious += 1;
  }
  return suspicious > Math.max(8, sample.length * 0.01);
}

/**
 * Validates search filters against the keys the collection's documents use: a filter on a key no
 * document has is almost always a typo, which would otherwise silently match nothing.
 */
export function validateFilters(filters: readonly MetadataFilterInput[] | null | undefined, knownKeys: readonly string[], field: string): MetadataFilter[] {
  const list = filters ?? [];
  if (list.length > 16) throw badUserInput(field, "At most 16 filters.");
  return list.map((filter, index) => {
    const problem = metadataKeyProblem(filter.key);
    if (problem !== undefined) throw badUserInput(`${field}[${index}].key`, problem);
    if (!knownKeys.includes(filter.key)) {
      throw new ServiceError(
        ErrorCode.BadUserInput,
        `No document of the collection has the metadata key "${filter.key}"${knownKeys.length > 0 ? `; known keys: ${knownKeys.join(", ")}` : "; its documents have no metadata"}.`,
        { field: `${field}[${index}].key`, details: { knownKeys } },
      );
    }
    if (filter.values.length === 0 || filter.values.length > 100) throw badUserInput(`${field}[${index}].values`, "A filter has 1 to 100 values.");
    return { key: filter.key, values: filter.values };
  });
}
