import type { Redis } from "ioredis";
import type { Logger } from "../logging/logger.ts";

/** Keys every call leaves in Redis for a while: what the memory budget is made of. */
export interface RetainedKeyFamily {
  /** As in docs/OPERATIONS.md (for example `inference:completion:<id>`). */
  name: string;
  /** Redis memory one call's key takes (`MEMORY USAGE`, measured with bench/redis-bytes-per-call.ts), in bytes. */
  bytesPerCall: number;
  /** How long each stays, in seconds. */
  retentionSeconds: number;
}

/** What Redis says about its memory. */
export interface RedisMemoryLimits {
  /** `maxmemory` in bytes; 0 means unlimited. */
  maxmemoryBytes: number;
  /** `maxmemory-policy` (`noeviction`, `allkeys-lru`...); undefined when Redis did not say. */
  policy: string | undefined;
  /** Where the figures came from: `INFO memory`, or `CONFIG GET` when INFO lacked them. */
  source: "INFO" | "CONFIG";
}

export interface MemoryBudget {
  /** Bytes the families hold at `expectedCallsPerSecond` sustained over their retentions. */
  neededBytes: number;
  /** Calls a second the families can sustain within `headroomFraction` of maxmemory; null when maxmemory is unlimited. */
  sustainableCallsPerSecond: number | null;
  /** True when maxmemory is set and `neededBytes` exceeds `headroomFraction` of it. */
  tooSmall: boolean;
}

/** The share of maxmemory the per-call keys may fill; the rest is for quotas, buckets, catalogues, a usage-stream backlog and fragmentation. Default 0.8. */
export const defaultHeadroomFraction = 0.8;

/**
 * Reads `maxmemory` and its policy: from `INFO memory` (managed Redis services allow it), else from
 * `CONFIG GET` (which they often forbid). Undefined when Redis answers neither.
 */
export async function readRedisMemoryLimits(redis: Redis): Promise<RedisMemoryLimits | undefined> {
  const info = await redis.info("memory").catch(() => "");
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, "m").exec(info)?.[1]?.trim();
  const maxmemory = field("maxmemory");
  if (maxmemory !== undefined && /^\d+$/.test(maxmemory)) return { maxmemoryBytes: Number(maxmemory), policy: field("maxmemory_policy"), source: "INFO" };
  const config = (await redis.config("GET", "maxmemory*").catch(() => [])) as string[];
  const settings = new Map<string, string>();
  for (let index = 0; index + 1 < config.length; index += 2) settings.set(String(config[index]), String(config[index + 1]));
  const configured = settings.get("maxmemory");
  if (configured === undefined || !/^\d+$/.test(configured)) return undefined;
  return { maxmemoryBytes: Number(configured), policy: settings.get("maxmemory-policy"), source: "CONFIG" };
}

/** The memory `families` need at `expectedCallsPerSecond`, against `maxmemoryBytes` (0: unlimited). */
export function memoryBudget(families: readonly RetainedKeyFamily[], expectedCallsPerSecond: number, maxmemoryBytes: number, headroomFraction = defaultHeadroomFraction): MemoryBudget {
  const bytesPerCallPerSecond = families.reduce((sum, family) => sum + family.bytesPerCall * family.retentionSeconds, 0);
  const neededBytes = Math.ceil(bytesPerCallPerSecond * expectedCallsPerSecond);
  if (maxmemoryBytes === 0) return { neededBytes, sustainableCallsPerSecond: null, tooSmall: false };
  const usableBytes = maxmemoryBytes * headroomFraction;
  return { neededBytes, sustainableCallsPerSecond: bytesPerCallPerSecond === 0 ? null : usableBytes / bytesPerCallPerSecond, tooSmall: neededBytes > usableBytes };
}

export interface MemoryBudgetCheck {
  redis: Redis;
  families: readonly RetainedKeyFamily[];
  /** EXPECTED_CALLS_PER_SECOND: sustained calls a second the deployment plans for; 0 only reports what maxmemory sustains. */
  expectedCallsPerSecond: number;
  logger: Logger;
  headroomFraction?: number;
}

/**
 * The start-up check of docs/OPERATIONS.md: warns when Redis' maxmemory cannot hold the per-call
 * keys at the expected rate over their retentions (Redis would fill up and refuse writes:
 * STORE_FULL), or when its policy evicts keys (quota counters and de-duplication markers would go).
 * Logs what it found otherwise. Never throws: Redis forbidding both INFO and CONFIG skips the check
 * with a line saying so. Resolves to the budget, or undefined when maxmemory could not be read.
 */
export async function checkRedisMemoryBudget(check: MemoryBudgetCheck): Promise<MemoryBudget | undefined> {
  const { redis, families, expectedCallsPerSecond, logger } = check;
  const limits = await readRedisMemoryLimits(redis).catch(() => undefined);
  const retention = Object.fromEntries(families.map((family) => [family.name, { bytesPerCall: family.bytesPerCall, retentionSeconds: family.retentionSeconds }]));
  if (limits === undefined) {
    logger.info("Redis memory budget not checked: Redis answers neither INFO memory nor CONFIG GET maxmemory", { expectedCallsPerSecond });
    return undefined;
  }
  const budget = memoryBudget(families, expectedCallsPerSecond, limits.maxmemoryBytes, check.headroomFraction ?? defaultHeadroomFraction);
  const fields = {
    maxmemoryBytes: limits.maxmemoryBytes,
    maxmemoryPolicy: limits.policy ?? null,
    expectedCallsPerSecond,
    neededBytes: budget.neededBytes,
    sustainableCallsPerSecond: budget.sustainableCallsPerSecond === null ? null : Math.floor(budget.sustainableCallsPerSecond * 10) / 10,
    retention,
    source: limits.source,
  };
  if (limits.policy !== undefined && limits.policy !== "noeviction") {
    logger.warn(`Redis evicts keys under memory pressure (maxmemory-policy ${limits.policy}): quota counters, stream slots and usage de-duplication markers may be evicted, so quotas and usage drift. Use noeviction (a full Redis then refuses writes with STORE_FULL).`, fields);
  }
  if (budget.tooSmall) {
    logger.warn(
      `Redis maxmemory (${limits.maxmemoryBytes} bytes) cannot hold the configured retention at ${expectedCallsPerSecond} calls/s (about ${budget.neededBytes} bytes needed, more than ${Math.round((check.headroomFraction ?? defaultHeadroomFraction) * 100)} % of maxmemory): raise maxmemory or shorten COMPLETION_RETENTION_MILLIS / USAGE_EVENT_RETENTION_SECONDS, or calls will fail with STORE_FULL once it fills.`,
      fields,
    );
  } else {
    logger.info(limits.maxmemoryBytes === 0 ? "Redis has no maxmemory: per-call keys are bounded by their retention only" : "Redis memory budget holds the configured retention", fields);
  }
  return budget;
}
