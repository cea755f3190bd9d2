import { EventLoopPacer } from "./event-loop-pacer.ts";
import { measureJoinCosts } from "./join-costs.ts";
import { normalizeLineEndings } from "./line-endings.ts";
import { readBlocks } from "./markdown-blocks.ts";
import { packChunks } from "./pack-chunks.ts";
import { segmentBlocks } from "./segment-blocks.ts";
import { verifyChunks } from "./verify-chunks.ts";

export interface ChunkingOptions {
  /** Largest chunk, in the counter's tokens; a positive integer. */
  maxTokens: number;
  /** Tokens of the end of one chunk repeated at the start of the next (same section only); an integer from 0 to below `maxTokens`. */
  overlapTokens: number;
  /** `text/markdown` adds headings (sections), fenced code, lists, tables and block quotes to plain text's blank-line paragraphs. */
  mediaType: "text/plain" | "text/markdown";
  /** Stops the chunking: once aborted, the generator throws the signal's reason at its next step. */
  signal?: AbortSignal;
}

export interface TextChunk {
  /** Position in the document, from 0. */
  index: number;
  /** The chunk's part of the document, separators included; line endings normalized to `\n`. */
  text: string;
  /** Markdown headings above the chunk, outermost first, joined with " > "; "" when none. */
  headingPath: string;
  /** Tokens of `text`, as the counter counted it. */
  tokenCount: number;
}

/** Tokens of each text, in order, in the embedding model's tokenizer (one batched call). */
export type CountTokens = (texts: readonly string[]) => Promise<number[]>;

/**
 * Splits a document into chunks for embedding, yielding each as soon as it is settled: blocks are
 * read lazily and the counter is called in batches (a few hundred segments, 32 chunks), so memory
 * stays bounded by a batch, not the document.
 *
 * Paragraphs (blank-line separated) of one section are packed greedily up to `maxTokens`; Markdown
 * ATX and setext headings outside fenced code open a new section and set the heading path, and no
 * chunk spans two sections; a fenced code block, a list, a table or a block quote stays whole when it
 * fits (markdown-blocks.ts). A block too big for a chunk is split at sentences (lines for code, list
 * items and table rows), then whitespace, then characters. Each chunk after the first of a
 * section starts with the trailing whole sentences or paragraphs of the one before that fit in
 * `overlapTokens`. Every chunk's text is counted as a whole and split again if it is over
 * `maxTokens`, so none is, except a single character that alone counts more than `maxTokens`.
 *
 * Line endings are normalized to `\n` first. Whitespace-only text yields no chunks.
 *
 * Linear in the document's length, and cooperative: the work runs in slices of about 10 ms
 * (`EventLoopPacer`) with a turn of the event loop between them, so a 4 MiB document, a
 * 1,000,000-character word or thousands of headings never hold up other requests or health checks.
 */
export async function* chunkDocument(text: string, options: ChunkingOptions, countTokens: CountTokens): AsyncGenerator<TextChunk> {
  assertValidOptions(options);
  const pacer = new EventLoopPacer(options.signal === undefined ? {} : { signal: options.signal });
  const normalized = await normalizeLineEndings(text, pacer);
  // A test for any non-whitespace rather than trim(), which copies a 4 MiB text (~20 ms).
  if (!/\S/u.test(normalized)) return;
  const joinCosts = await measureJoinCosts(countTokens);
  const blocks = readBlocks(normalized, options.mediaType === "text/markdown");
  const segments = segmentBlocks(blocks, { text: normalized, maxTokens: options.maxTokens, countTokens, joinCosts, pacer });
  const candidates = packChunks(segments, { text: normalized, maxTokens: options.maxTokens, overlapTokens: options.overlapTokens, joinCosts, pacer });
  let index = 0;
  for await (const chunk of verifyChunks(candidates, { text: normalized, maxTokens: options.maxTokens, countTokens, pacer })) {
    // Chunks are settled a batch at a time: a cancelled chunking yields none of a batch's rest.
    options.signal?.throwIfAborted();
    yield { index, text: chunk.text, headingPath: chunk.section.headingPath, tokenCount: chunk.tokens };
    index += 1;
  }
}

function assertValidOptions(options: ChunkingOptions): void {
  if (!Number.isInteger(options.maxTokens) || options.maxTokens < 1) throw new RangeError(`maxTokens must be a positive integer, got ${options.maxTokens}`);
  if (!Number.isInteger(options.overlapTokens) || options.overlapTokens < 0 || options.overlapTokens >= options.maxTokens) {
    throw new RangeError(`overlapTokens must be an integer from 0 to below maxTokens (${options.maxTokens}), got ${options.overlapTokens}`);
  }
}
