/**
 * A chunk's id names its document, the ingestion that wrote it and its position:
 * `<documentId>:<generation>:<index>`. An entity reference therefore finds its collection (through
 * the document) without an index of every chunk, and ids of a replaced version never resolve to
 * the new version's text.
 */
export function chunkIdOf(documentId: string, generation: string, index: number): string {
  return `${documentId}:${generation}:${index}`;
}

export interface ParsedChunkId {
  documentId: string;
  generation: string;
  index: number;
}

/** The parts of a chunk id, or undefined when `id` is not one. */
export function parseChunkId(id: string): ParsedChunkId | undefined {
  const match = /^([A-Za-z0-9_-]{1,64}):([A-Za-z0-9_-]{1,64}):(\d{1,9})$/.exec(id);
  if (match === null) return undefined;
  return { documentId: match[1] ?? "", generation: match[2] ?? "", index: Number(match[3]) };
}
