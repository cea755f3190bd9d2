/**
 * Splits a document into blocks (paragraphs, Markdown headings, fenced code) and sections (the text
 * under one heading), lazily, line by line. Blocks are ranges of the text, so chunks can later be
 * cut from it with the original separators.
 */

/** The text under one heading (or before the first one). A chunk never spans two sections. */
export interface Section {
  /** Position of the section in the document, from 0; tells two sections with equal paths apart. */
  index: number;
  /** Headings above the section, outermost first, joined with " > "; "" before the first heading. */
  headingPath: string;
}

export type BlockKind = "paragraph" | "heading" | "code";

/** A run of text that packing keeps whole when it fits: `text.slice(start, end)`, trimmed of whitespace at both ends. */
export interface TextBlock {
  kind: BlockKind;
  start: number;
  end: number;
  section: Section;
}

/**
 * ATX heading, matched on the line without its trailing spaces and tabs: up to 3 spaces, 1 to 6
 * `#`, then a space, a tab or the end of the line. (Matching trailing `[ \t]*$` after a lazy title
 * instead backtracked over every space run: a 20,000-space heading took ~1 s.)
 */
const headingPattern = /^ {0,3}(#{1,6})(?:[ \t]+(.*))?$/;

/**
 * Longest heading title kept in a heading path, in UTF-16 code units; a longer one is cut and ends
 * with "…". Every chunk of a section carries its path, so without a cap a 2,000,000-character
 * heading would be copied into each of thousands of chunks. Real headings are far shorter.
 */
export const maximumHeadingTitleLength = 256;
/** Fence opening: up to 3 spaces, then 3 or more backticks or tildes; a backtick fence's info string has no backtick. */
const fenceOpeningPattern = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const fenceClosingPattern = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

interface OpenFence {
  marker: string;
  start: number;
  /** End of the last non-blank line inside the fence so far. */
  end: number;
}

/**
 * The blocks of `text` (line feeds only: normalize CRLF first), in order. Paragraphs are separated
 * by blank lines. In Markdown, ATX headings (outside fenced code) are blocks of their own that open
 * a new section, and a fenced code block is one block whatever blank lines or `#` lines it holds (an
 * unclosed fence runs to the end of the text). Plain text has one section and no headings or fences.
 */
export function* readBlocks(text: string, markdown: boolean): Generator<TextBlock> {
  let section: Section = { index: 0, headingPath: "" };
  const headings: { level: number; title: string }[] = [];
  let paragraph: { start: number; end: number } | undefined;
  let fence: OpenFence | undefined;

  let lineStart = 0;
  for (;;) {
    const newline = text.indexOf("\n", lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    const contentStart = lineStart + (line.length - line.trimStart().length);
    const contentEnd = lineStart + line.trimEnd().length;
    const blank = contentEnd <= contentStart;

    if (fence !== undefined) {
      const closing = fenceClosingPattern.exec(line);
      if (closing?.[1] !== undefined && closing[1][0] === fence.marker[0] && closing[1].length >= fence.marker.length) {
        yield { kind: "code", start: fence.start, end: contentEnd, section };
        fence = undefined;
      } else if (!blank) {
        fence.end = contentEnd;
      }
    } else if (blank) {
      if (paragraph !== undefined) yield { kind: "paragraph", ...paragraph, section };
      paragraph = undefined;
    } else {
      const opening = markdown ? fenceOpeningPattern.exec(line) : null;
      const heading = markdown && opening === null ? headingPattern.exec(withoutTrailingBlanks(line)) : null;
      if (opening?.[1] !== undefined && !(opening[1].startsWith("`") && (opening[2] ?? "").includes("`"))) {
        // A fence interrupts a paragraph without a blank line before it (CommonMark).
        if (paragraph !== undefined) yield { kind: "paragraph", ...paragraph, section };
        paragraph = undefined;
        fence = { marker: opening[1], start: contentStart, end: contentEnd };
      } else if (heading?.[1] !== undefined) {
        if (paragraph !== undefined) yield { kind: "paragraph", ...paragraph, section };
        paragraph = undefined;
        section = { index: section.index + 1, headingPath: enterHeading(headings, heading[1].length, headingTitle(heading[2] ?? "")) };
        yield { kind: "heading", start: contentStart, end: contentEnd, section };
      } else if (paragraph === undefined) {
        paragraph = { start: contentStart, end: contentEnd };
      } else {
        paragraph.end = contentEnd;
      }
    }

    if (newline === -1) break;
    lineStart = newline + 1;
  }
  if (fence !== undefined) yield { kind: "code", start: fence.start, end: fence.end, section };
  if (paragraph !== undefined) yield { kind: "paragraph", ...paragraph, section };
}

/** The line without trailing spaces and tabs. */
function withoutTrailingBlanks(line: string): string {
  let end = line.length;
  while (end > 0 && isBlank(line.charCodeAt(end - 1))) end -= 1;
  return end === line.length ? line : line.slice(0, end);
}

/**
 * The heading's text without an optional closing run of `#` (which needs a space before it), cut to
 * `maximumHeadingTitleLength`. Scanned by hand, in linear time: the expression `/[ \t]+#+$/`
 * backtracked over every run of spaces.
 */
function headingTitle(raw: string): string {
  let hashes = raw.length;
  while (hashes > 0 && raw.charCodeAt(hashes - 1) === 0x23) hashes -= 1;
  if (hashes === 0) return "";
  let end = raw.length;
  if (hashes < raw.length && isBlank(raw.charCodeAt(hashes - 1))) {
    end = hashes;
    while (end > 0 && isBlank(raw.charCodeAt(end - 1))) end -= 1;
  }
  return capTitle(raw.slice(0, end).trim());
}

function capTitle(title: string): string {
  if (title.length <= maximumHeadingTitleLength) return title;
  let end = maximumHeadingTitleLength - 1;
  // Never leave half of a surrogate pair.
  const last = title.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${title.slice(0, end)}…`;
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** Replaces the headings at `level` and deeper with the new one and returns the path. */
function enterHeading(headings: { level: number; title: string }[], level: number, title: string): string {
  while (headings.length > 0 && (headings.at(-1)?.level ?? 0) >= level) headings.pop();
  headings.push({ level, title });
  // An empty heading (`#` alone) still opens a section but names nothing in the path.
  return headings
    .map((heading) => heading.title)
    .filter((headingTitle) => headingTitle !== "")
    .join(" > ");
}
