/**
 * Finer units of a block, as ranges of the document text: sentences, lines, words, and pieces of a
 * word. Each splitter covers every non-whitespace character of its input range exactly once, in
 * order, so a chunk cut from first to last range loses nothing.
 */

export interface TextRange {
  start: number;
  end: number;
}

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

/** Sentences by the Unicode sentence rules (which also break after every line feed), trimmed. */
export function* sentenceRanges(text: string, range: TextRange): Generator<TextRange> {
  for (const sentence of sentenceSegmenter.segment(text.slice(range.start, range.end))) {
    const start = range.start + sentence.index;
    const trimmed = trimRange(text, start, start + sentence.segment.length);
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
 * Consecutive pieces of `piecesOf` user-perceived characters (grapheme clusters, so an emoji or a
 * letter with its accents is never cut), the last one possibly shorter. Yields the range itself
 * when it is a single character.
 */
export function* characterPieces(text: string, range: TextRange, charactersPerPiece: number): Generator<TextRange> {
  let pieceStart = range.start;
  let count = 0;
  for (const grapheme of graphemeSegmenter.segment(text.slice(range.start, range.end))) {
    if (count === charactersPerPiece) {
      const start = range.start + grapheme.index;
      yield { start: pieceStart, end: start };
      pieceStart = start;
      count = 0;
    }
    count += 1;
  }
  if (pieceStart < range.end) yield { start: pieceStart, end: range.end };
}

/** Number of grapheme clusters in the range. */
export function characterCount(text: string, range: TextRange): number {
  let count = 0;
  for (const _grapheme of graphemeSegmenter.segment(text.slice(range.start, range.end))) count += 1;
  return count;
}

function isWhitespace(text: string, index: number): boolean {
  return /\s/u.test(text[index] ?? "");
}
