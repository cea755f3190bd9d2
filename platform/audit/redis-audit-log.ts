import type { Redis } from "ioredis";
import { createLogger, type Logger } from "../logging/logger.ts";
import { withRedis } from "../storage/redis-connection.ts";
import { assembleAuditEvent, checkAuditEventInput, formatAuditEventId, parseAuditEventId, storedAuditEventInputSchema, type AuditAction, type AuditEvent, type AuditEventInput } from "./audit-event.ts";
import { checkAuditLogQuery, toAuditLogPage, type AuditLog, type AuditLogPage, type AuditLogQuery } from "./audit-log.ts";
import { defineAuditLogCommands } from "./redis-audit-log-scripts.ts";

export interface RedisAuditLogOptions {
  /**
   * Approximate number of events each stream keeps (`XADD … MAXLEN ~`; Redis trims whole nodes of
   * about 100 entries, so a stream may hold somewhat more). Default 100,000. Every stream is
   * trimmed on its own: the global one keeps the newest events of the whole installation, a
   * tenant's or an action's stream the newest of its own, so a flood of one tenant's `ROLE_DENIED`
   * cannot push another tenant's events, or a `MODEL_DELETED`, out of their streams (only out of
   * the global one). At about 0.5 KB an event, 100,000 events are some 50 MB per full stream.
   */
  maximumStreamLength?: number;
  /** Warnings about entries that cannot be read. Default: an `audit` logger on stderr. */
  logger?: Logger;
}

/** Matches a Redis stream id. */
const streamIdPattern = /^(\d+)-(\d+)$/;

/**
 * The audit log in Redis streams, shared by every replica of every service (see
 * `redis-audit-log-scripts.ts` for the layout and the atomic append). `list` reads the one stream
 * that matches its filters with XREVRANGE, newest first, and pages with the stream id (the event's
 * id holds it) as an exclusive bound, which needs Redis 6.2 or later. Events keep the order Redis
 * gave them: one clock, one sequence, across all writers.
 *
 * Failures surface as a retryable SERVICE_UNAVAILABLE (`withRedis`); `record` then stored nothing.
 */
export class RedisAuditLog implements AuditLog {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #maximumStreamLength: number;
  readonly #logger: Logger;

  /** `redis` stays owned by the caller; `keyPrefix` namespaces every key (for example `aigraph:`). */
  constructor(redis: Redis, keyPrefix: string, options: RedisAuditLogOptions = {}) {
    this.#redis = redis;
    this.#prefix = keyPrefix;
    this.#maximumStreamLength = options.maximumStreamLength ?? 100_000;
    if (!Number.isSafeInteger(this.#maximumStreamLength) || this.#maximumStreamLength < 1) throw new RangeError(`maximumStreamLength must be a positive whole number, got ${this.#maximumStreamLength}`);
    this.#logger = options.logger ?? createLogger("audit");
    defineAuditLogCommands(redis);
  }

  async record(input: AuditEventInput): Promise<AuditEvent> {
    const checked = checkAuditEventInput(input);
    const keys = [this.streamKey(), this.streamKey(checked.tenantId), this.streamKey(undefined, checked.action), this.streamKey(checked.tenantId, checked.action)];
    const streamId = await withRedis(() => this.#redis.auditLogAppend(keys.length, ...keys, this.#maximumStreamLength, JSON.stringify(checked)));
    const parsed = parseStreamId(streamId);
    if (parsed === undefined) throw new Error(`audit log script answered ${String(streamId)}, not a stream id`);
    return assembleAuditEvent(parsed.id, new Date(parsed.millis).toISOString(), checked);
  }

  async list(query: AuditLogQuery): Promise<AuditLogPage> {
    const { tenantId, action, first, afterId } = checkAuditLogQuery(query);
    const key = this.streamKey(tenantId, action);
    let end = afterId === undefined ? "+" : `(${toStreamId(afterId)}`;
    const matching: AuditEvent[] = [];
    // One more than the page, to know whether another follows; again only if entries were skipped.
    while (matching.length <= first) {
      const wanted = first + 1 - matching.length;
      const entries = await withRedis(() => this.#redis.xrevrange(key, end, "-", "COUNT", wanted));
      for (const [streamId, fields] of entries) {
        const event = this.#parseEntry(key, streamId, fields);
        if (event !== undefined) matching.push(event);
      }
      const last = entries.at(-1);
      if (last === undefined || entries.length < wanted) break;
      end = `(${last[0]}`;
    }
    return toAuditLogPage(matching, first);
  }

  /** The connection belongs to the caller (shared infrastructure): nothing to close here. */
  async close(): Promise<void> {}

  /**
   * The stream holding the events of `tenantId` (every tenant's when undefined) with `action`
   * (every action's when undefined). Tenant ids are URI-encoded, so none can forge another key.
   */
  streamKey(tenantId?: string, action?: AuditAction): string {
    const byAction = action === undefined ? "" : `:action:${action}`;
    const byTenant = tenantId === undefined ? "" : `:tenant:${encodeURIComponent(tenantId)}`;
    return `${this.#prefix}audit-log${byAction}${byTenant}`;
  }

  #parseEntry(key: string, streamId: string, fields: string[]): AuditEvent | undefined {
    const parsed = parseStreamId(streamId);
    const index = fields.indexOf("event");
    const json = index >= 0 && index % 2 === 0 ? fields[index + 1] : undefined;
    let value: unknown;
    try {
      value = json === undefined ? undefined : JSON.parse(json);
    } catch {
      value = undefined;
    }
    const result = storedAuditEventInputSchema.safeParse(value);
    if (parsed === undefined || !result.success) {
      this.#logger.warn("skipping a malformed audit log entry", { key, streamId });
      return undefined;
    }
    return assembleAuditEvent(parsed.id, new Date(parsed.millis).toISOString(), result.data as AuditEventInput);
  }
}

function parseStreamId(streamId: unknown): { id: string; millis: number } | undefined {
  const match = typeof streamId === "string" ? streamIdPattern.exec(streamId) : null;
  if (match === null) return undefined;
  const millis = Number(match[1]);
  const sequence = BigInt(match[2] as string);
  if (!Number.isSafeInteger(millis) || millis > 9_999_999_999_999 || sequence >= 1n << 64n) return undefined;
  return { id: formatAuditEventId(millis, sequence), millis };
}

/** The stream id of an event id (checked by the cursor's decoding). */
function toStreamId(id: string): string {
  const parsed = parseAuditEventId(id);
  if (parsed === undefined) throw new Error(`not an audit event id: ${id}`);
  return `${parsed.millis}-${parsed.sequence}`;
}
