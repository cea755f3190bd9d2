import { z } from "zod";
import { booleanVariable, integerVariable } from "../config/parse-environment.ts";

/** How much the logs say, beyond their level. Every field documents its variable and default. */
export interface LoggingSettings {
  /**
   * Share of successful GraphQL requests that get an access line, 0 to 1 (LOG_REQUEST_SAMPLE_RATE,
   * default 1: all). Requests that failed (HTTP status 400 and up, or any error in the response),
   * that the client left, or that took at least `slowRequestMillis` are always logged. The choice
   * is made on the request id, so the gateway and its subgraphs keep or drop the same requests.
   */
  requestSampleRate: number;
  /** A request that takes at least this long is always logged, whatever the sample rate, in milliseconds (LOG_SLOW_REQUEST_MILLIS, default 1000). */
  slowRequestMillis: number;
  /**
   * Whether prompt and completion text may appear in logs (LOG_PROMPTS, default false): fields
   * named `prompt`, `messages`, `text`, `texts`, `content`, `input` or `completion` are written as
   * `[REDACTED]` unless it is true. Secrets (API keys, passwords, tokens, Authorization headers)
   * are redacted whatever it says.
   */
  logPrompts: boolean;
}

export const defaultLoggingSettings: LoggingSettings = { requestSampleRate: 1, slowRequestMillis: 1_000, logPrompts: false };

/** The variables of `LoggingSettings`, part of every service's environment (`commonEnvironment`). */
export const loggingEnvironment = {
  LOG_REQUEST_SAMPLE_RATE: z.coerce
    .number({ message: "expected a number from 0 to 1" })
    .min(0, "expected a number from 0 to 1")
    .max(1, "expected a number from 0 to 1")
    .default(defaultLoggingSettings.requestSampleRate),
  LOG_SLOW_REQUEST_MILLIS: integerVariable(defaultLoggingSettings.slowRequestMillis, 0, 3_600_000),
  LOG_PROMPTS: booleanVariable(defaultLoggingSettings.logPrompts),
};

export function toLoggingSettings(values: z.infer<z.ZodObject<typeof loggingEnvironment>>): LoggingSettings {
  return { requestSampleRate: values.LOG_REQUEST_SAMPLE_RATE, slowRequestMillis: values.LOG_SLOW_REQUEST_MILLIS, logPrompts: values.LOG_PROMPTS };
}

/**
 * The settings in `environment`, for loggers created without explicit ones. Services validate
 * these variables at start-up with the rest of their configuration (a bad value stops them
 * there); here a bad value falls back to its default, so a logger can always be created.
 */
export function loggingSettingsFromEnvironment(environment: NodeJS.ProcessEnv = process.env): LoggingSettings {
  const settings = { ...defaultLoggingSettings };
  for (const [name, schema] of Object.entries(loggingEnvironment)) {
    const raw = environment[name]?.trim();
    if (raw === undefined || raw === "") continue;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) continue;
    if (name === "LOG_REQUEST_SAMPLE_RATE") settings.requestSampleRate = parsed.data as number;
    else if (name === "LOG_SLOW_REQUEST_MILLIS") settings.slowRequestMillis = parsed.data as number;
    else settings.logPrompts = parsed.data as boolean;
  }
  return settings;
}
