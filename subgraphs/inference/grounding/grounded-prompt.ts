import type { ChatMessage, GenerationPrompt } from "../../../engines/engine.ts";
import type { GroundingSource } from "./grounding-source.ts";

export const groundingInstruction =
  "Answer using the numbered sources below. Cite the sources you use by their numbers in brackets, like [1]. If the sources do not contain the answer, say so.";

/** The source as the model sees it: `[n] label — heading path`, then the chunk's text. */
export function formatSource(source: GroundingSource, number: number): string {
  const heading = source.headingPath.length > 0 ? ` — ${source.headingPath.join(" > ")}` : "";
  return `[${number}] ${source.label}${heading}\n${source.text.trim()}`;
}

/**
 * `prompt` with `sources` put before it: in a system message for chat (merged into the first one
 * if there is one), as a preamble for plain completions.
 */
export function groundPrompt(prompt: GenerationPrompt, sources: readonly GroundingSource[]): GenerationPrompt {
  if (sources.length === 0) return prompt;
  const block = `${groundingInstruction}\n\n${sources.map((source, index) => formatSource(source, index + 1)).join("\n\n")}`;
  if (prompt.kind === "text") return { kind: "text", text: `Sources:\n${block}\n\n${prompt.text}` };
  const [first, ...rest] = prompt.messages;
  const messages: ChatMessage[] =
    first?.role === "system" ? [{ role: "system", content: `${first.content}\n\n${block}` }, ...rest] : [{ role: "system", content: block }, ...prompt.messages];
  return { kind: "chat", messages };
}

/** What to search for when the request gives no query: the prompt, or the last user message. */
export function defaultGroundingQuery(prompt: GenerationPrompt): string {
  if (prompt.kind === "text") return prompt.text;
  const lastUser = [...prompt.messages].reverse().find((message) => message.role === "user");
  return (lastUser ?? prompt.messages[prompt.messages.length - 1])?.content ?? "";
}

/**
 * The longest prefix of `sources` (best first) whose grounded prompt fits `budgetTokens`, found by
 * binary search over exact counts: a source that does not fit is left out with all after it, so
 * the numbering the model sees stays the retrieval order.
 */
export async function fitSources(
  prompt: GenerationPrompt,
  sources: readonly GroundingSource[],
  budgetTokens: number,
  countTokens: (prompt: GenerationPrompt) => Promise<number>,
): Promise<{ prompt: GenerationPrompt; sources: GroundingSource[]; promptTokens: number }> {
  let low = 0;
  let high = sources.length;
  let best = { prompt, sources: [] as GroundingSource[], promptTokens: await countTokens(prompt) };
  if (best.promptTokens > budgetTokens) return best;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    const candidate = groundPrompt(prompt, sources.slice(0, middle));
    const tokens = await countTokens(candidate);
    if (tokens <= budgetTokens) {
      best = { prompt: candidate, sources: sources.slice(0, middle), promptTokens: tokens };
      low = middle;
    } else {
      high = middle - 1;
    }
  }
  return best;
}
