import { pino, stdTimeFunctions, type Logger as PinoLogger } from "pino";
import { sanitizeFields } from "./log-fields.ts";
import { loggingSettingsFromEnvironment, type LoggingSettings } from "./logging-settings.ts";
import { requestLogBindings } from "./request-scope.ts";

/** Severity of a log line, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `bindings` to every line (loggers from `createLogger` have it; see `withFields` for any logger). */
  child?(bindings: Record<string, unknown>): Logger;
}

/** Where log lines go: one call per line, the line ending in `\n`. */
export interface LogDestination {
  write(line: string): unknown;
}

export interface LoggerOptions extends Partial<LoggingSettings> {
  /** Default: stderr (stdout stays free for what a command prints to its user). Tests pass their own. */
  destination?: LogDestination;
}

/** The logging settings each logger from `createLogger` was made with (the access log reads its sample rate there). */
const settingsOfLogger = new WeakMap<Logger, LoggingSettings>();

/**
 * A logger writing one JSON object per line (pino) to stderr, so log collectors (kubectl logs,
 * Loki) can parse them and stdout stays free for what a command prints to its user:
 *
 *     {"level":"info","time":"2026-12-02T10:00:00.000Z","service":"gateway","requestId":"…","message":"listening","url":"…"}
 *
 * `requestId` (and `traceId`, when the client sent a `traceparent`) is added to every line written
 * while a GraphQL request is being served (see `request-scope.ts`). Fields are made safe first
 * (`log-fields.ts`): errors with their `cause` chain, BigInts, cycles, and secrets and prompt text
 * redacted. Settings not given come from LOG_REQUEST_SAMPLE_RATE, LOG_SLOW_REQUEST_MILLIS and
 * LOG_PROMPTS.
 */
export function createLogger(service: string, minimumLevel: LogLevel = "info", options: LoggerOptions = {}): Logger {
  const { destination = stderrDestination, ...given } = options;
  const settings: LoggingSettings = { ...loggingSettingsFromEnvironment(), ...definedOnly(given) };
  const root = pino(
    {
      level: minimumLevel,
      base: { service },
      messageKey: "message",
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Fields are serialized by `sanitizeFields` already: pino's `err` serializer would rework them.
      serializers: { err: (value: unknown) => value },
      mixin: () => requestLogBindings(),
    },
    destination,
  );
  return wrap(root, settings);
}

const stderrDestination: LogDestination = { write: (line) => process.stderr.write(line) };

function wrap(target: PinoLogger, settings: LoggingSettings): Logger {
  const write = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (!target.isLevelEnabled(level)) return;
    target[level](fields === undefined ? {} : sanitizeFields(fields, settings), message);
  };
  const logger: Logger = {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    child: (bindings) => wrap(target.child(sanitizeFields(bindings, settings)), settings),
  };
  settingsOfLogger.set(logger, settings);
  return logger;
}

/** The settings `logger` was created with; the environment's for loggers not made by `createLogger` (test doubles). */
export function loggingSettingsOf(logger: Logger): LoggingSettings {
  return settingsOfLogger.get(logger) ?? loggingSettingsFromEnvironment();
}

/** `logger` with `bindings` on every line: its own child when it has one, a wrapper otherwise. */
export function withFields(logger: Logger, bindings: Record<string, unknown>): Logger {
  if (logger.child !== undefined) return logger.child(bindings);
  const merge = (fields: Record<string, unknown> | undefined) => ({ ...bindings, ...fields });
  return {
    debug: (message, fields) => logger.debug(message, merge(fields)),
    info: (message, fields) => logger.info(message, merge(fields)),
    warn: (message, fields) => logger.warn(message, merge(fields)),
    error: (message, fields) => logger.error(message, merge(fields)),
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
