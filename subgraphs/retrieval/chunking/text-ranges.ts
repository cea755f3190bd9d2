/**
 * Finer units of a block, as ranges of the document text: sentences, lines, words, and pieces of a
 * word. Each splitter covers every non-whitespace character of its input range exactly once, in
 * order, so a chunk cut from first to last range loses nothing.
 */

export interface TextRange {
  start: number;
  end: number;
}

import type { EventLoopPacer } from "./event-loop-pacer.ts";
import { graphemeWindows, segmentInWindows, sentenceWindows, trustedSegments } from "./segment-in-windows.ts";

// "en" rather than the host's locale: chunk boundaries must not depend on the machine.
const sentenceSegmenter = new Intl.Segmenter("en", { granularity: "sentence" });
const graphemeSegmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

/** `text.slice(start, end)` without leading and trailing whitespace; undefined when nothing else is left. */
export function trimRange(text: string, start: number, end: number): TextRange | undefined {
  let trimmedStart = start;
  let trimmedEnd = end;
  while (trimmedStart < trimmedEnd && isWhitespace(text, trimmedStart)) trimmedStart += 1;
  while (trimmedEnd > trimmedStart && isWhitespace(text, trimmedEnd - 1)) trimmedEnd -= 1;
  return trimmedEnd > trimmedStart ? { start: trimmedStart, end: trimmedEnd } : undefined;
}

/**
 * Sentences by the Unicode sentence rules (which also break after every line feed), trimmed.
 * Segmented in windows (`sentenceWindows`): linear in the range's length, and each step does at
 * most one window's work.
 */
export function* sentenceRanges(text: string, range: TextRange): Generator<TextRange> {
  for (const sentence of segmentInWindows(sentenceSegmenter, text, range, sentenceWindows)) {
    const trimmed = trimRange(text, sentence.start, sentence.end);
    if (trimmed !== undefined) yield trimmed;
  }
}

/**
 * Non-blank lines. A line keeps its leading whitespace (indentation is meaning in code) except the
 * first, which starts where the range does.
 */
export function* lineRanges(text: string, range: TextRange): Generator<TextRange> {
  let lineStart = range.start;
  while (lineStart < range.end) {
    const newline = text.indexOf("\n", lineStart);
    const lineEnd = newline === -1 || newline > range.end ? range.end : newline;
    const trimmed = trimRange(text, lineStart, lineEnd);
    if (trimmed !== undefined) yield { start: lineStart, end: trimmed.end };
    lineStart = lineEnd + 1;
  }
}

/** Runs of non-whitespace characters. */
export function* wordRanges(text: string, range: TextRange): Generator<TextRange> {
  const pattern = /\S+/gu;
  const slice = text.slice(range.start, range.end);
  for (const match of slice.matchAll(pattern)) yield { start: range.start + match.index, end: range.start + match.index + match[0].length };
}

/**
 * Runs of consecutive words, each spanning at most `charactersPerRun` characters (a longer word is
 * a run of its own). Counting runs instead of single words keeps an over-long sentence to a few
 * counted texts per chunk.
 */
export function* wordRuns(text: string, range: TextRange, charactersPerRun: number): Generator<TextRange> {
  let run: TextRange | undefined;
  for (const word of wordRanges(text, range)) {
    if (run !== undefined && word.end - run.start > charactersPerRun) {
      yield run;
      run = undefined;
    }
    run = run === undefined ? { ...word } : { start: run.start, end: word.end };
  }
  if (run !== undefined) yield run;
}

/**
 * Consecutive pieces of `charactersPerPiece` user-perceived characters (grapheme clusters, so an
 * emoji or a letter with its accents is never cut), the last one possibly shorter. Yields the range
 * itself when it is a single character. Gives the event loop a turn whenever `pacer` says so.
 */
export async function* characterPieces(text: string, range: TextRange, charactersPerPiece: number, pacer: EventLoopPacer): AsyncGenerator<TextRange> {
  let pieceStart = range.start;
  let count = 0;
  for (const run of graphemeRuns(text, range)) {
    // A run of several clusters is ASCII, one character each, so a piece may end inside it.
    const width = run.clusters === 1 ? run.end - run.start : 1;
    let position = run.start;
    let left = run.clusters;
    while (left > 0) {
      if (count === charactersPerPiece) {
        yield { start: pieceStart, end: position };
        pieceStart = position;
        count = 0;
      }
      const taken = Math.min(left, charactersPerPiece - count);
      count += taken;
      position += taken * width;
      left -= taken;
    }
    if (pacer.due()) await pacer.pause();
  }
  if (pieceStart < range.end) yield { start: pieceStart, end: range.end };
}

/** Number of grapheme clusters in the range; gives the event loop a turn whenever `pacer` says so. */
export async function characterCount(text: string, range: TextRange, pacer: EventLoopPacer): Promise<number> {
  let count = 0;
  for (const run of graphemeRuns(text, range)) {
    count += run.clusters;
    if (pacer.due()) await pacer.pause();
  }
  return count;
}

/** A stretch of text holding `clusters` grapheme clusters: one cluster, or an ASCII run of one cluster per character. */
interface GraphemeRun extends TextRange {
  clusters: number;
}

/** Longest run of simple characters yielded at once, in characters: about 0.1 ms of scanning. */
const maximumSimpleRun = 65_536;

/**
 * The range's grapheme clusters, in order. Text of simple characters (`isSimpleCluster`) breaks
 * between every two of them, so a run of it is scanned directly, in runs of up to
 * `maximumSimpleRun`; the last simple character before other text is left to the segmenter,
 * since a combining mark after it joins its cluster. Other text goes through the segmenter one
 * window (`graphemeWindows`) at a time. Linear in the range's length: a 1,000,000-character word of
 * ASCII or CJK ideographs takes a few milliseconds (through the segmenter, in windows, ~10 s; in one
 * `Intl.Segmenter` pass, over 12 minutes).
 */
function* graphemeRuns(text: string, range: TextRange): Generator<GraphemeRun> {
  let position = range.start;
  while (position < range.end) {
    const limit = Math.min(range.end, position + maximumSimpleRun);
    let scan = position;
    while (scan < limit && isSimpleCluster(text.charCodeAt(scan))) scan += 1;
    // A character after the run that is not simple (a combining mark, say) may join its last one.
    const runEnd = scan === range.end || isSimpleCluster(text.charCodeAt(scan)) ? scan : scan - 1;
    if (runEnd > position) {
      yield { start: position, end: runEnd, clusters: runEnd - position };
      position = runEnd;
      continue;
    }
    for (const cluster of trustedSegments(graphemeSegmenter, text, { start: position, end: range.end }, graphemeWindows)) {
      yield { ...cluster, clusters: 1 };
      position = cluster.end;
    }
  }
}

/**
 * A UTF-16 code unit of a character whose grapheme cluster rules (UAX #29) never join it to a
 * neighbour that is also simple: no extending or spacing mark, joiner, prepended mark, Hangul jamo
 * or regional indicator, and no carriage return (which joins a line feed). Basic Latin to Spacing
 * Modifier Letters (below U+0300, where combining marks begin), CJK punctuation but its combining
 * tone marks (U+302A-302F), kana but its combining sound marks (U+3099-309A), CJK unified
 * ideographs and Hangul syllables (a syllable joins only jamo).
 */
function isSimpleCluster(code: number): boolean {
  if (code < 0x300) return code !== 0x0d;
  return (
    (code >= 0x3000 && code < 0x302a) ||
    (code >= 0x3030 && code < 0x3099) ||
    (code >= 0x309b && code < 0x3100) ||
    (code >= 0x4e00 && code < 0xa000) ||
    (code >= 0xac00 && code < 0xd7a4)
  );
}

function isWhitespace(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  // ASCII first: a regular expression per character made trimming a 1,000,000-space run take ~100 ms.
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return /\s/u.test(text[index] ?? "");
}
