import type { Logger } from "../../../platform/logging/logger.ts";

export interface CapturedLine {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

/** A logger that keeps its lines, for assertions. */
export function capturingLogger(): Logger & { lines: CapturedLine[] } {
  const lines: CapturedLine[] = [];
  const write = (level: string) => (message: string, fields: Record<string, unknown> = {}) => void lines.push({ level, message, fields });
  return { lines, debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
