/**
 * Turns the fields of a log call into plain JSON data, whatever they hold: errors become objects
 * with their `cause` chain, `code` and `extensions.code`; BigInts become strings; cycles and
 * over-deep nesting become markers; secrets and (unless allowed) prompt text are redacted by field
 * name at any depth, and credentials are scrubbed from every string. Nothing here throws.
 *
 * Redaction goes by name at every depth rather than by fixed paths (pino's `redact`): a prompt
 * nested in `event.input.messages[3].content` or a key in `error.cause.config.headers` has no
 * path anyone would list in advance.
 */

/** What redacted values are replaced with. */
export const redacted = "[REDACTED]";

/**
 * Field names (compared without case, `-`, `_` or `.`) whose values are secrets, always redacted.
 * Names ending in `password`, `secret` or `apikey` are secrets too (`redisPassword`, `engine.apiKey`).
 */
const secretNames = new Set([
  "authorization",
  "proxyauthorization",
  "cookie",
  "setcookie",
  "xapikey",
  "xinternalcontext",
  "token",
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "bearertoken",
  "privatekey",
  "passwd",
  "passphrase",
]);
const secretSuffixes = ["password", "secret", "apikey"];

/** Field names whose values are prompt or completion text: redacted unless LOG_PROMPTS=true. */
export const promptFieldNames: readonly string[] = ["prompt", "messages", "text", "texts", "content", "input", "completion"];
const promptNames = new Set(promptFieldNames);

/** Keys of a log line that pino writes itself; a field with one of these names is renamed `<name>Field`. */
const reservedKeys = new Set(["level", "time", "service", "message"]);

const maximumDepth = 10;
const maximumStringLength = 8_192;
const maximumArrayLength = 100;
const maximumKeys = 200;
const maximumCauseDepth = 8;

export interface SanitizeOptions {
  /** Whether prompt and completion text stays (LOG_PROMPTS). */
  logPrompts: boolean;
}

function normalizedName(key: string): string {
  return key.toLowerCase().replace(/[-_.]/g, "");
}

function isSecretName(key: string): boolean {
  const name = normalizedName(key);
  return secretNames.has(name) || secretSuffixes.some((suffix) => name.endsWith(suffix));
}

function isPromptName(key: string): boolean {
  return promptNames.has(normalizedName(key));
}

/** API keys we issue (`aig_` and 32 characters), bearer credentials and `user:password@` in URLs, wherever they appear in a string. */
const credentialPatterns: readonly [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${redacted}`],
  [/\baig_[A-Za-z0-9_-]{32}/g, `aig_${redacted}`],
  [/(\/\/)[^/\s:@]+:[^/\s@]+@/g, `$1${redacted}@`],
];

/** `text` with credentials removed and cut to a bounded length. */
export function scrubString(text: string): string {
  let result = text.length > maximumStringLength ? `${text.slice(0, maximumStringLength)}…(${text.length - maximumStringLength} more characters)` : text;
  for (const [pattern, replacement] of credentialPatterns) result = result.replace(pattern, replacement);
  return result;
}

/** The fields of one log call as plain JSON data (see the module comment). */
export function sanitizeFields(fields: Record<string, unknown>, options: SanitizeOptions): Record<string, unknown> {
  const walker = new Walker(options);
  const result: Record<string, unknown> = {};
  for (const key of safeKeys(fields)) {
    const name = reservedKeys.has(key) ? `${key}Field` : key;
    result[name] = walker.field(key, readProperty(fields, key), 0);
  }
  return result;
}

/** One error as plain data: type, message, code, extensions, stack, its `cause` chain and (AggregateError) its errors. */
export function serializeError(error: Error, options: SanitizeOptions): Record<string, unknown> {
  return new Walker(options).error(error, 0, 0);
}

class Walker {
  readonly #options: SanitizeOptions;
  /** Objects on the path from the root to the value being walked: a cycle back to one of them is `[Circular]`. */
  readonly #ancestors = new Set<object>();

  constructor(options: SanitizeOptions) {
    this.#options = options;
  }

  field(key: string, value: unknown, depth: number): unknown {
    if (value === undefined || value === null) return value;
    if (isSecretName(key)) return redacted;
    if (!this.#options.logPrompts && isPromptName(key)) return redacted;
    return this.value(value, depth);
  }

  value(value: unknown, depth: number): unknown {
    switch (typeof value) {
      case "string":
        return scrubString(value);
      case "number":
        return Number.isFinite(value) ? value : String(value);
      case "boolean":
      case "undefined":
        return value;
      case "bigint":
        return value.toString();
      case "symbol":
        return value.toString();
      case "function":
        return `[Function ${value.name || "anonymous"}]`;
    }
    if (value === null) return null;
    const object = value as object;
    if (this.#ancestors.has(object)) return "[Circular]";
    if (object instanceof Error) return this.error(object, depth, 0);
    if (depth >= maximumDepth) return "[Too deep]";
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? "Invalid Date" : object.toISOString();
    if (Buffer.isBuffer(object)) return `[Buffer ${object.length} bytes]`;
    if (ArrayBuffer.isView(object)) return `[${object.constructor.name} ${object.byteLength} bytes]`;
    if (object instanceof URL) return scrubString(object.href);
    this.#ancestors.add(object);
    try {
      if (Array.isArray(object)) return this.#array(object, depth);
      if (object instanceof Set) return this.#array([...object], depth);
      if (object instanceof Map) {
        const result: Record<string, unknown> = {};
        let count = 0;
        for (const [key, entry] of object) {
          if (count++ >= maximumKeys) break;
          result[String(key)] = this.field(String(key), entry, depth + 1);
        }
        return result;
      }
      if (typeof (object as { toJSON?: unknown }).toJSON === "function") {
        try {
          return this.value((object as { toJSON: () => unknown }).toJSON(), depth + 1);
        } catch {
          return "[Unserializable]";
        }
      }
      const result: Record<string, unknown> = {};
      const keys = safeKeys(object);
      for (const key of keys.slice(0, maximumKeys)) result[key] = this.field(key, readProperty(object, key), depth + 1);
      if (keys.length > maximumKeys) result["…"] = `${keys.length - maximumKeys} more keys`;
      return result;
    } finally {
      this.#ancestors.delete(object);
    }
  }

  error(error: Error, depth: number, causeDepth: number): Record<string, unknown> {
    this.#ancestors.add(error);
    try {
      const result: Record<string, unknown> = { type: safeName(error), message: scrubString(String(readProperty(error, "message") ?? "")) };
      const code = readProperty(error, "code");
      if (code !== undefined) result.code = this.value(code, depth + 1);
      const extensions = readProperty(error, "extensions");
      if (typeof extensions === "object" && extensions !== null) result.extensions = this.value(extensions, depth + 1);
      // Other own fields (a GraphQLError's `path`, an HTTP client's `status`...), redacted like any field.
      for (const key of safeKeys(error)) {
        if (key === "name" || key === "message" || key === "code" || key === "extensions" || key === "stack" || key === "cause" || key === "errors" || key === "originalError") continue;
        if (depth < maximumDepth) result[key] = this.field(key, readProperty(error, key), depth + 1);
      }
      const stack = readProperty(error, "stack");
      if (typeof stack === "string") result.stack = scrubString(stack);
      const errors = readProperty(error, "errors");
      if (Array.isArray(errors)) result.errors = this.#array(errors, depth);
      const cause = readProperty(error, "cause") ?? readProperty(error, "originalError");
      if (cause !== undefined && cause !== null) {
        if (causeDepth >= maximumCauseDepth) result.cause = "[Too deep]";
        else if (this.#ancestors.has(cause as object)) result.cause = "[Circular]";
        else result.cause = cause instanceof Error ? this.error(cause, depth, causeDepth + 1) : this.value(cause, depth + 1);
      }
      return result;
    } finally {
      this.#ancestors.delete(error);
    }
  }

  #array(items: readonly unknown[], depth: number): unknown[] {
    const result = items.slice(0, maximumArrayLength).map((item) => (item === undefined ? null : this.value(item, depth + 1)));
    if (items.length > maximumArrayLength) result.push(`…${items.length - maximumArrayLength} more items`);
    return result;
  }
}

function safeName(error: Error): string {
  try {
    return error.constructor?.name && error.constructor.name !== "Error" ? error.constructor.name : error.name;
  } catch {
    return "Error";
  }
}

/** Own enumerable keys, or none when a proxy refuses. */
function safeKeys(object: object): string[] {
  try {
    return Object.keys(object);
  } catch {
    return [];
  }
}

/** A property's value, or a marker when its getter throws. */
function readProperty(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return "[Unreadable]";
  }
}
