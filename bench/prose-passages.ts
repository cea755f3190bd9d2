/**
 * Real English passages for the real-embedding retrieval benchmark: the prose of the Markdown files
 * and of the JSDoc comments in `.d.ts` files under `node_modules`, and of the manual pages
 * installed on the machine, split into passages of about 10 to 60 words and deduplicated. Code
 * blocks, examples, tables, headings, HTML and URLs are dropped; links keep their text.
 */
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";

/** Fewest words in a passage. */
export const minimumPassageWords = 10;
/** Most words in a passage; a longer sentence is cut into pieces of `longSentencePieceWords`. */
export const maximumPassageWords = 60;
const longSentencePieceWords = 40;

/** Files under `root` whose name ends with `suffix`, sorted by path; symbolic links are not followed. */
export async function filesUnder(root: string, suffix: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (directory: string): Promise<void> => {
    const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0))) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith(suffix)) found.push(path);
    }
  };
  await walk(root);
  return found;
}

/** The prose paragraphs of a Markdown text, with inline markup removed. */
export function markdownParagraphs(markdown: string): string[] {
  const paragraphs: string[] = [];
  let current: string[] = [];
  let inFence = false;
  const flush = () => {
    if (current.length > 0) paragraphs.push(cleanInline(current.join(" ")));
    current = [];
  };
  for (const line of markdown.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (/^(```|~~~)/.test(trimmed)) {
      inFence = !inFence;
      flush();
      continue;
    }
    if (inFence) continue;
    const indentedCode = current.length === 0 && /^( {4}|\t)/.test(line);
    if (trimmed === "" || indentedCode || /^#{1,6}(\s|$)/.test(trimmed) || trimmed.startsWith("|") || trimmed.startsWith("<") || /^[-=*_]{3,}$/.test(trimmed)) {
      flush();
      continue;
    }
    const listItem = /^([-*+]|\d+[.)])\s+/.exec(trimmed);
    if (listItem !== null) {
      flush();
      current.push(trimmed.slice(listItem[0].length));
    } else {
      current.push(trimmed.replace(/^(>\s?)+/, ""));
    }
  }
  flush();
  return paragraphs.filter((paragraph) => paragraph !== "");
}

/** The text of the JSDoc comments of a TypeScript declaration file, as Markdown. */
export function jsDocMarkdown(source: string): string {
  const comments: string[] = [];
  for (const match of source.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const lines = (match[1] ?? "")
      .split(/\r?\n/)
      .map((line) => line.replace(/^\s*\*\s?/, ""))
      // Tags (@param, @returns, @example ...) and what follows them are mostly names and code.
      .filter((line) => !line.trimStart().startsWith("@"));
    comments.push(lines.join("\n").replace(/\{@link\s+([^}|\s]+)(?:[|\s][^}]*)?\}/g, "$1"));
  }
  return comments.join("\n\n");
}

/** Font macros whose arguments are running text (`.B word`, `.BR name (2)`). */
const fontMacros = new Set(["B", "I", "BR", "BI", "IB", "IR", "RB", "RI", "SM", "SB"]);
/** Macros opening text that is not prose (examples, tables, equations) until the matching close. */
const skippedBlocks: Record<string, string> = { nf: "fi", EX: "EE", TS: "TE", EQ: "EN", de: ".", Bd: "Ed" };

/** The prose paragraphs of a manual page in troff (man or mdoc macros), escapes removed. */
export function manPageParagraphs(troff: string): string[] {
  const paragraphs: string[] = [];
  let current: string[] = [];
  let skipUntil: string | undefined;
  const flush = () => {
    if (current.length > 0) paragraphs.push(current.join(" ").replace(/\s+/g, " ").trim());
    current = [];
  };
  for (const line of troff.split(/\r?\n/)) {
    const request = /^[.'][ \t]*([A-Za-z][A-Za-z0-9]{0,3}|\.)(?=\s|$)[ \t]*(.*)$/.exec(line);
    const name = request?.[1];
    if (skipUntil !== undefined) {
      if (name === skipUntil) skipUntil = undefined;
      continue;
    }
    if (line.startsWith(".\\\"") || line.startsWith("'\\\"")) continue;
    if (name !== undefined) {
      const close = skippedBlocks[name];
      if (close !== undefined) {
        flush();
        skipUntil = close;
      } else if (fontMacros.has(name)) {
        current.push(troffText((request?.[2] ?? "").replace(/"/g, "")));
      } else {
        // Sections, paragraphs, indents, tagged items and every other request end a paragraph.
        flush();
      }
      continue;
    }
    if (line.startsWith(".") || line.startsWith("'")) {
      flush();
      continue;
    }
    if (line.trim() === "") {
      flush();
      continue;
    }
    current.push(troffText(line));
  }
  flush();
  return paragraphs.filter((paragraph) => paragraph !== "");
}

/** A line of troff text with its escapes resolved to plain characters or removed. */
function troffText(text: string): string {
  return text
    .replace(/\\f(\[[^\]]*\]|\(..|.)/g, "")
    .replace(/\\s[-+]?\d+/g, "")
    .replace(/\\\*(\[[^\]]*\]|\(..|.)/g, "")
    .replace(/\\\((em|en|hy)/g, "-")
    .replace(/\\\((aq|cq|oq)/g, "'")
    .replace(/\\\((dq|lq|rq)/g, '"')
    .replace(/\\\(../g, "")
    .replace(/\\\[[^\]]*\]/g, "")
    .replace(/\\[-]/g, "-")
    .replace(/\\e/g, "\\")
    .replace(/\\[ ~0]/g, " ")
    .replace(/\\[&%c|^:]/g, "")
    .replace(/\\w'[^']*'u?/g, "")
    .replace(/\\./g, "")
    .trim();
}

function cleanInline(text: string): string {
  return text
    .replace(/!\[[^\]]*\]\([^)]*\)/g, " ")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, "$1")
    .replace(/<[^>]*>/g, " ")
    .replace(/https?:\/\/\S+/g, " ")
    .replace(/`/g, "")
    .replace(/\*\*|__|\*/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** A paragraph's passages: sentences grouped until they reach the minimum, long ones cut. */
export function passagesOfParagraph(paragraph: string): string[] {
  const sentences = paragraph.split(/(?<=[.!?])\s+(?=["'(\[]?[A-Z0-9])/);
  const passages: string[] = [];
  let buffer: string[] = [];
  const emit = (words: string[]) => {
    if (words.length >= minimumPassageWords && looksLikeProse(words)) passages.push(words.join(" "));
  };
  for (const sentence of sentences) {
    const words = sentence.split(" ").filter((word) => word !== "");
    if (buffer.length + words.length > maximumPassageWords) {
      emit(buffer);
      buffer = [];
    }
    if (words.length > maximumPassageWords) {
      for (let start = 0; start < words.length; start += longSentencePieceWords) {
        // The last piece joins the one before when it would be too short on its own.
        const end = words.length - (start + longSentencePieceWords) < minimumPassageWords ? words.length : start + longSentencePieceWords;
        emit(words.slice(start, end));
        if (end === words.length) break;
      }
      continue;
    }
    buffer.push(...words);
    if (buffer.length >= minimumPassageWords) {
      emit(buffer);
      buffer = [];
    }
  }
  emit(buffer);
  return passages;
}

/** Most words are plain words (letters, an apostrophe or hyphen, trailing punctuation): not code or data. */
function looksLikeProse(words: readonly string[]): boolean {
  const plain = words.filter((word) => /^[("']?[A-Za-z][a-z'-]*[)"',.;:!?]*$/.test(word)).length;
  return plain / words.length >= 0.7;
}

/** Lower case, letters and digits only: passages differing in case or punctuation count as one. */
export function deduplicationKey(passage: string): string {
  return passage.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
}

export interface PassageSources {
  /** Distinct passages of the Markdown files under `node_modules`, in path order. */
  markdown: string[];
  /** Of the JSDoc comments in its `.d.ts` files, not already seen. */
  declarations: string[];
  /** Of the English manual pages (sections 1 to 8), not already seen; the 16,000 generated `gcloud` reference pages are left out. */
  manualPages: string[];
  files: { markdown: number; declarations: number; manualPages: number };
}

/** Every distinct passage of the three sources, each source in path order. */
export async function collectPassageSources(nodeModulesDirectory: string, manualDirectory: string): Promise<PassageSources> {
  const seen = new Set<string>();
  const distinct = (paragraphs: readonly string[], into: string[]) => {
    for (const paragraph of paragraphs) {
      for (const passage of passagesOfParagraph(paragraph)) {
        const key = deduplicationKey(passage);
        if (seen.has(key)) continue;
        seen.add(key);
        into.push(passage);
      }
    }
  };
  const sources: PassageSources = { markdown: [], declarations: [], manualPages: [], files: { markdown: 0, declarations: 0, manualPages: 0 } };
  for (const file of await filesUnder(nodeModulesDirectory, ".md")) {
    sources.files.markdown += 1;
    distinct(markdownParagraphs(await readFile(file, "utf8")), sources.markdown);
  }
  for (const file of await filesUnder(nodeModulesDirectory, ".d.ts")) {
    sources.files.declarations += 1;
    distinct(markdownParagraphs(jsDocMarkdown(await readFile(file, "utf8"))), sources.declarations);
  }
  for (let section = 1; section <= 8; section += 1) {
    for (const file of await filesUnder(join(manualDirectory, `man${section}`), ".gz")) {
      if (basename(file).startsWith("gcloud")) continue;
      sources.files.manualPages += 1;
      distinct(manPageParagraphs(gunzipSync(await readFile(file)).toString("utf8")), sources.manualPages);
    }
  }
  return sources;
}
