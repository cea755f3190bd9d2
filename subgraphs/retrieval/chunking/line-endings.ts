import type { EventLoopPacer } from "./event-loop-pacer.ts";

/**
 * Characters normalized per step. One `replace` over a whole 4 MiB document of CRLF lines took
 * 581 ms here (800,000 line endings); 16,384 characters take ~2 ms.
 */
const windowChars = 16_384;

/**
 * The text with CRLF and lone CR line endings turned into LF, a window at a time, giving the event
 * loop a turn whenever `pacer` says so. Text without a CR is returned as it is.
 */
export async function normalizeLineEndings(text: string, pacer: EventLoopPacer): Promise<string> {
  if (!text.includes("\r")) return text;
  const parts: string[] = [];
  for (let from = 0; from < text.length; ) {
    let to = Math.min(text.length, from + windowChars);
    // Never split a CRLF pair between two windows (it would become two line feeds).
    if (to < text.length && text.charCodeAt(to - 1) === 0x0d) to += 1;
    parts.push(text.slice(from, to).replace(/\r\n?/g, "\n"));
    from = to;
    if (pacer.due()) await pacer.pause();
  }
  return parts.join("");
}
