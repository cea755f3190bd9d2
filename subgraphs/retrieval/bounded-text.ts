/** Bounds on what one search hit carries, so a page of hits has a bounded size whatever was ingested. */

/** Default and range of `SearchInput.maxTextBytes`, in UTF-8 bytes. */
export const hitTextBytes = { default: 8_192, minimum: 64, maximum: 65_536 } as const;

/** Longest heading path a chunk shows, in characters, all headings together (separators not counted). */
export const maximumHeadingPathCharacters = 200;

/** Shortest a heading is cut to while others still need room, in characters. */
const minimumHeadingCharacters = 16;

/**
 * `text` cut to at most `maximumBytes` of UTF-8, at a code point boundary (never half a character),
 * with whether it was cut.
 */
export function truncateUtf8(text: string, maximumBytes: number): { text: string; truncated: boolean } {
  // Each UTF-16 unit takes at most 3 bytes: short texts need no encoding at all.
  if (text.length * 3 <= maximumBytes) return { text, truncated: false };
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maximumBytes) return { text, truncated: false };
  let end = maximumBytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the character that did not fit.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return { text: bytes.subarray(0, end).toString("utf8"), truncated: true };
}

/**
 * A stored heading path (`" > "`-joined, "" for none) as a response shows it: at most
 * `maximumCharacters` characters in all. When over, headings that would get fewer than 16 characters
 * are dropped from the middle (replaced by one "…"): the outermost and the innermost say the most.
 * The rest share the room evenly, short ones whole; a heading over its share is cut, ending with "…".
 * Linear in the length of the path.
 */
export function boundedHeadingPath(stored: string, maximumCharacters = maximumHeadingPathCharacters): string[] {
  if (stored === "") return [];
  let headings = stored.split(" > ");
  if (headings.reduce((sum, heading) => sum + heading.length, 0) <= maximumCharacters) return headings;
  const room = Math.max(1, Math.floor(maximumCharacters / minimumHeadingCharacters));
  if (headings.length > room) {
    const outer = Math.ceil((room - 1) / 2);
    headings = [...headings.slice(0, outer), "…", ...headings.slice(headings.length - (room - 1 - outer))];
  }
  // The largest share such that every heading cut to it fits: short headings first take what they need.
  const lengths = headings.map((heading) => heading.length).sort((left, right) => left - right);
  let left = maximumCharacters;
  let share = maximumCharacters;
  for (const [index, length] of lengths.entries()) {
    share = Math.floor(left / (lengths.length - index));
    if (length > share) break;
    left -= length;
  }
  return headings.map((heading) => (heading.length <= share ? heading : `${heading.slice(0, Math.max(0, share - 1))}…`));
}
