/**
 * Splits a document into blocks (paragraphs, Markdown headings, fenced code, lists, tables, block
 * quotes) and sections (the text under one heading), lazily, line by line. Blocks are ranges of the
 * text, so chunks can later be cut from it with the original separators.
 */

/** The text under one heading (or before the first one). A chunk never spans two sections. */
export interface Section {
  /** Position of the section in the document, from 0; tells two sections with equal paths apart. */
  index: number;
  /** Headings above the section, outermost first, joined with " > "; "" before the first heading. */
  headingPath: string;
}

/**
 * What a block is. Packing keeps any block whole when it fits; one that does not is split at
 * sentences (paragraph, heading, quote) or at lines (code, list, table: an item or a row stays whole
 * as long as it fits).
 */
export type BlockKind = "paragraph" | "heading" | "code" | "list" | "table" | "quote";

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
/** Setext underline, matched on the line without trailing blanks: `=` for level 1, `-` for level 2. */
const setextUnderlinePattern = /^ {0,3}(=+|-+)$/;
/** A list item's marker: `-`, `+`, `*`, or 1 to 9 digits and `.` or `)`, then a blank or the end of the line. */
const listItemPattern = /^ {0,3}(?:[-+*]|(\d{1,9})[.)])(?:[ \t]|$)/;
/** A block quote line: up to 3 spaces, then `>`. */
const quotePattern = /^ {0,3}>/;
/** A table delimiter cell: dashes with optional alignment colons. */
const delimiterCellPattern = /^:?-+:?$/;

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

/** A block being read: lines join it until something ends it. */
interface OpenBlock {
  kind: "paragraph" | "list" | "table" | "quote";
  start: number;
  /** End of the last non-blank line so far. */
  end: number;
  /** Start (after indentation) of the last line, and end of the line before it (-1 for a one-line block): where a table header splits off. */
  lastLineStart: number;
  previousLineEnd: number;
  /** A list after a blank line: continues only with another item or an indented line. */
  afterBlank: boolean;
}

/**
 * The blocks of `text` (line feeds only: normalize CRLF first), in order. Paragraphs are separated
 * by blank lines. In Markdown (outside fenced code): ATX and setext headings are blocks of their own
 * that open a new section; a fenced code block is one block whatever blank lines or `#` lines it
 * holds (an unclosed fence runs to the end of the text); a list (its items, their indented
 * continuations and the blank lines between them), a table (a header row with `|`, its delimiter
 * row, the rows up to a blank line) and a block quote (`>` lines and their lazy continuations) are
 * one block each. Plain text has one section and only paragraphs.
 *
 * Linear in the text's length: each line is looked at a bounded number of times by anchored
 * patterns without nested repetition, and a setext heading's title reads at most four times the
 * title cap.
 */
export function* readBlocks(text: string, markdown: boolean): Generator<TextBlock> {
  let section: Section = { index: 0, headingPath: "" };
  const headings: { level: number; title: string }[] = [];
  let open: OpenBlock | undefined;
  let fence: OpenFence | undefined;
  const close = function* (): Generator<TextBlock> {
    if (open !== undefined) yield { kind: open.kind, start: open.start, end: open.end, section };
    open = undefined;
  };
  const begin = (kind: OpenBlock["kind"], start: number, end: number): void => {
    open = { kind, start, end, lastLineStart: start, previousLineEnd: -1, afterBlank: false };
  };
  const extend = (block: OpenBlock, start: number, end: number): void => {
    block.previousLineEnd = block.end;
    block.lastLineStart = start;
    block.end = end;
    block.afterBlank = false;
  };

  let lineStart = 0;
  for (;;) {
    const newline = text.indexOf("\n", lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    const indentation = line.length - line.trimStart().length;
    const contentStart = lineStart + indentation;
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
      // A list may go on after blank lines (a loose list); every other block ends here.
      if (open?.kind === "list") open.afterBlank = true;
      else yield* close();
    } else if (!markdown) {
      if (open === undefined) begin("paragraph", contentStart, contentEnd);
      else extend(open, contentStart, contentEnd);
    } else {
      const trimmed = withoutTrailingBlanks(line);
      const opening = fenceOpeningPattern.exec(line);
      const heading = opening === null ? headingPattern.exec(trimmed) : null;
      const listItem = listItemPattern.exec(line);
      if (open?.kind === "list" && open.afterBlank && listItem === null && indentation < 2) yield* close();
      if (opening?.[1] !== undefined && !(opening[1].startsWith("`") && (opening[2] ?? "").includes("`"))) {
        // A fence interrupts any block without a blank line before it (CommonMark).
        yield* close();
        fence = { marker: opening[1], start: contentStart, end: contentEnd };
      } else if (heading?.[1] !== undefined) {
        yield* close();
        section = { index: section.index + 1, headingPath: enterHeading(headings, heading[1].length, headingTitle(heading[2] ?? "")) };
        yield { kind: "heading", start: contentStart, end: contentEnd, section };
      } else if (open?.kind === "paragraph" && setextUnderlinePattern.test(trimmed)) {
        // The paragraph above was a setext heading's title.
        const title = setextTitle(text, open.start, open.end);
        section = { index: section.index + 1, headingPath: enterHeading(headings, trimmed.trimStart().startsWith("=") ? 1 : 2, title) };
        yield { kind: "heading", start: open.start, end: contentEnd, section };
        open = undefined;
      } else if (open?.kind === "paragraph" && isTableDelimiterRow(trimmed) && text.slice(open.lastLineStart, open.end).includes("|")) {
        // The paragraph's last line was a table's header row: the lines before it stay a paragraph.
        const header = open.lastLineStart;
        if (open.previousLineEnd >= 0) yield { kind: "paragraph", start: open.start, end: open.previousLineEnd, section };
        begin("table", header, contentEnd);
      } else if (quotePattern.test(line)) {
        if (open?.kind === "quote") extend(open, contentStart, contentEnd);
        else {
          yield* close();
          begin("quote", contentStart, contentEnd);
        }
      } else if (listItem !== null && !(open?.kind === "paragraph" && !startsList(listItem, line))) {
        if (open?.kind === "list") extend(open, contentStart, contentEnd);
        else {
          yield* close();
          begin("list", contentStart, contentEnd);
        }
      } else if (open === undefined) {
        begin("paragraph", contentStart, contentEnd);
      } else {
        // A paragraph's next line, an item's continuation, a table's next row, a quote's lazy line.
        extend(open, contentStart, contentEnd);
      }
    }

    if (newline === -1) break;
    lineStart = newline + 1;
  }
  if (fence !== undefined) yield { kind: "code", start: fence.start, end: fence.end, section };
  yield* close();
}

/**
 * Whether a list item may interrupt a paragraph (CommonMark): a bullet or `1.`/`1)` with text after
 * it. So a wrapped line starting "2024. The" stays in its paragraph.
 */
function startsList(item: RegExpExecArray, line: string): boolean {
  const number = item[1];
  if (number !== undefined && number !== "1") return false;
  return line.slice(item[0].length).trim() !== "";
}

/** A GFM delimiter row: cells of dashes (alignment colons allowed) separated by `|`, at least one `|`. */
function isTableDelimiterRow(line: string): boolean {
  const row = line.trim();
  if (!row.includes("|") || !row.includes("-")) return false;
  const inner = row.slice(row.startsWith("|") ? 1 : 0, row.endsWith("|") ? -1 : undefined);
  return inner.split("|").every((cell) => delimiterCellPattern.test(cell.trim()));
}

/** A setext heading's title: its lines joined by single spaces, capped; reads a bounded prefix of a long one. */
function setextTitle(text: string, start: number, end: number): string {
  const prefix = text.slice(start, Math.min(end, start + 4 * maximumHeadingTitleLength));
  return capTitle(prefix.replace(/\s+/g, " ").trim());
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
