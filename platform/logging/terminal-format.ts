import { accessLogMessage } from "./access-log.ts";

/**
 * One JSON log line as a person at a terminal reads it (`npm start`): the service, the level, the
 * message, then the fields as `key=value`; access lines condensed to
 * `POST query OneModel 200 34ms tenant=dev key=key_12ab req=…`; an error's cause chain on the line,
 * its stack below it on `error` lines. A line that is not JSON is shown as it is.
 */
export function formatLogLineForTerminal(service: string, line: string, options: { color: boolean }): string {
  const prefix = `${service.padEnd(15)}| `;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return `${prefix}${line}`;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return `${prefix}${line}`;
  const { time: _time, level, service: _service, message, ...fields } = parsed as Record<string, unknown>;
  const levelText = paint(String(level ?? "").padEnd(5), levelColors[String(level)], options.color);
  const body = message === accessLogMessage ? formatAccess(fields) : [String(message ?? ""), ...formatFields(fields)].join(" ");
  const stack = level === "error" ? stackOf(fields.error) : undefined;
  const stackLines = stack === undefined ? "" : `\n${stack.split("\n").slice(1, 9).map((frame) => `${" ".repeat(prefix.length)}  ${frame.trim()}`).join("\n")}`;
  return `${prefix}${levelText} ${body}${stackLines}`;
}

const levelColors: Record<string, string> = { debug: "2", info: "36", warn: "33", error: "31" };

function paint(text: string, code: string | undefined, color: boolean): string {
  return color && code !== undefined ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function formatAccess(fields: Record<string, unknown>): string {
  const { method, operationType, operationName, status, durationMillis, errorCode, errorCount, tenantId, apiKeyId, requestId, traceId, operationCount, clientClosed, sampleRate, ...rest } = fields;
  const parts = [
    String(method ?? ""),
    operationType === undefined ? undefined : String(operationType),
    operationName === undefined ? "(anonymous)" : String(operationName),
    operationCount === undefined ? undefined : `×${String(operationCount)}`,
    String(status ?? ""),
    `${String(durationMillis ?? "?")}ms`,
    errorCode === undefined ? undefined : `${String(errorCode)}${Number(errorCount) > 1 ? ` (+${Number(errorCount) - 1})` : ""}`,
    clientClosed === true ? "client-closed" : undefined,
    tenantId === undefined ? undefined : `tenant=${String(tenantId)}`,
    apiKeyId === undefined ? undefined : `key=${String(apiKeyId)}`,
    `req=${String(requestId)}`,
    traceId === undefined ? undefined : `trace=${String(traceId)}`,
    sampleRate === undefined ? undefined : `sampled=${String(sampleRate)}`,
    ...formatFields(rest),
  ];
  return parts.filter((part) => part !== undefined && part !== "").join(" ");
}

function formatFields(fields: Record<string, unknown>): string[] {
  return Object.entries(fields).map(([key, value]) => `${key}=${formatValue(value)}`);
}

function formatValue(value: unknown): string {
  if (isSerializedError(value)) return quoteIfNeeded(errorChain(value));
  if (typeof value === "string") return quoteIfNeeded(value);
  return JSON.stringify(value) ?? String(value);
}

function quoteIfNeeded(text: string): string {
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}

interface SerializedError {
  type?: unknown;
  message: string;
  code?: unknown;
  extensions?: { code?: unknown };
  stack?: unknown;
  cause?: unknown;
}

function isSerializedError(value: unknown): value is SerializedError {
  return typeof value === "object" && value !== null && typeof (value as { message?: unknown }).message === "string" && ("stack" in value || "type" in value);
}

/** `Type [CODE]: message ← cause ← …` */
function errorChain(error: SerializedError): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 8 && isSerializedError(current); depth += 1) {
    const code = current.code ?? current.extensions?.code;
    parts.push(`${String(current.type ?? "Error")}${code === undefined ? "" : ` [${String(code)}]`}: ${current.message}`);
    current = current.cause;
  }
  if (typeof current === "string") parts.push(current);
  return parts.join(" ← ");
}

function stackOf(error: unknown): string | undefined {
  return isSerializedError(error) && typeof error.stack === "string" ? error.stack : undefined;
}
