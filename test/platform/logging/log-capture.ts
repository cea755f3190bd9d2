import type { LogDestination } from "../../../platform/logging/logger.ts";

/** A log destination that keeps every line, parsed, and checks each is one JSON object on one line. */
export interface CapturedLog extends LogDestination {
  readonly lines: Record<string, unknown>[];
  /** The raw text written, for "never appears anywhere" checks. */
  readonly text: () => string;
  /** Resolves with the first line `matches` accepts, waiting for it (access lines are written when the response closes). */
  waitFor(matches: (line: Record<string, unknown>) => boolean, timeoutMillis?: number): Promise<Record<string, unknown>>;
}

export function captureLog(): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  return {
    lines,
    text: () => raw.join(""),
    write(line: string) {
      if (!line.endsWith("\n") || line.slice(0, -1).includes("\n")) throw new Error(`not one line: ${line}`);
      raw.push(line);
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
    async waitFor(matches, timeoutMillis = 5_000) {
      const deadline = Date.now() + timeoutMillis;
      for (;;) {
        const found = lines.find(matches);
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no matching log line; got:\n${raw.join("")}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}
