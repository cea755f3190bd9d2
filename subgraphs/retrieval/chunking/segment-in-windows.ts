import type { TextRange } from "./text-ranges.ts";

/**
 * Window sizes for `segmentInWindows`, in UTF-16 code units.
 *
 * Why windows: V8's `Intl.Segmenter` iterator costs time in proportion to the length of the string
 * it walks at every step, so walking one long string is quadratic. Measured here (Node 20.20, 2
 * cores): sentences of 370,000 characters in one string, 21 s (1,500,000 characters: 409 s);
 * graphemes of an 80,000-character word, 8.0 s. In windows of 256 to 4,096 characters the same
 * work is linear: 80,000 graphemes in 100 ms.
 */
export interface SegmentWindows {
  /** Characters segmented at a time. */
  windowChars: number;
  /**
   * Characters at the end of a window whose breaks are not trusted, because the rules may look
   * further ahead than the window shows; the next window starts at the last trusted break.
   */
  marginChars: number;
  /**
   * Longest window: a segment longer than this is cut (see `forcedCut`). Even a single step of the
   * segmenter over one long segment is slow: 22 ms for 1,000,000 characters, 192 ms for 4,000,000.
   */
  maximumWindowChars: number;
}

/**
 * Sentences: 4,096-character windows, 1,024-character margin. A sentence break can depend on text
 * after it (UAX #29 SB8 looks past any run of digits, spaces and punctuation for a lowercase
 * letter), so the margin is wide; only a run of over 1,024 such characters right after a full stop
 * could be read differently than in one pass. A "sentence" over 65,536 characters (0.8 ms for one
 * segmenter step) is cut: it is far over any chunk size, so it is split further anyway.
 */
export const sentenceWindows: SegmentWindows = { windowChars: 4_096, marginChars: 1_024, maximumWindowChars: 65_536 };

/** Grapheme clusters: 512-character windows, 64-character margin (cluster rules look one character ahead). */
export const graphemeWindows: SegmentWindows = { windowChars: 512, marginChars: 64, maximumWindowChars: 65_536 };

/**
 * The segments of `text` within `range`, untrimmed and in order, as ranges of `text`: the same as
 * one pass of `segmenter` over the range, computed window by window from the last trusted break.
 * Each step of the generator does at most one window's work (see `trustedSegments`), so the work
 * stays linear in the range's length.
 */
export function* segmentInWindows(segmenter: Intl.Segmenter, text: string, range: TextRange, windows: SegmentWindows): Generator<TextRange> {
  let from = range.start;
  while (from < range.end) {
    const segments = trustedSegments(segmenter, text, { start: from, end: range.end }, windows);
    yield* segments;
    from = segments.at(-1)?.end ?? range.end;
  }
}

/**
 * The segments of the first window of `range` whose breaks are trusted (at least one, unless the
 * range is empty; `range.start` must be a break). A segment longer than a window is found by
 * doubling the window, and that step returns it alone, so the work stays linear; one longer than
 * `maximumWindowChars` is cut there (`forcedCut`).
 */
export function trustedSegments(segmenter: Intl.Segmenter, text: string, range: TextRange, windows: SegmentWindows): TextRange[] {
  const found: TextRange[] = [];
  if (range.start >= range.end) return found;
  const from = range.start;
  for (let windowChars = windows.windowChars; found.length === 0; windowChars = Math.min(2 * windowChars, windows.maximumWindowChars)) {
    const to = Math.min(range.end, from + windowChars);
    const trustedUpTo = to === range.end ? to : to - windows.marginChars;
    const widened = windowChars > windows.windowChars;
    for (const segment of segmenter.segment(text.slice(from, to))) {
      const end = from + segment.index + segment.segment.length;
      if (end > trustedUpTo) break;
      found.push({ start: from + segment.index, end });
      // A widened window holds one long segment; the ones after it are found in normal windows,
      // which keeps each call's work bounded by a normal window.
      if (widened) break;
    }
    if (found.length === 0 && windowChars === windows.maximumWindowChars) return [{ start: from, end: forcedCut(text, from, trustedUpTo) }];
  }
  return found;
}

/**
 * Where to end an over-long segment that starts at `from`, at or before `limit`: before the last
 * whitespace of its second half, else before its last ASCII character (a grapheme cluster starts
 * there unless a rare prepended mark comes before it), else at `limit`, moved off the middle of a
 * surrogate pair.
 */
function forcedCut(text: string, from: number, limit: number): number {
  const half = from + Math.ceil((limit - from) / 2);
  for (let position = limit; position > half; position -= 1) if (isAsciiWhitespace(text.charCodeAt(position))) return position;
  for (let position = limit; position > half; position -= 1) if (text.charCodeAt(position) < 0x80) return position;
  const code = text.charCodeAt(limit);
  return code >= 0xdc00 && code <= 0xdfff ? limit - 1 : limit;
}

function isAsciiWhitespace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}
