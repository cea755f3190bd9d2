import type { Redis } from "ioredis";
import { z } from "zod";
import { withRedis } from "../../platform/storage/redis-connection.ts";
import { assertAcquireRequest, assertPositiveWholeNumber, type AcquireOutcome, type AcquireRequest, type RateLimitStore, type RuleOutcome } from "./rate-limit-store.ts";
import { defineRateLimitCommands } from "./redis-rate-limit-scripts.ts";

export interface RedisRateLimitStoreOptions {
  /**
   * The time, in epoch milliseconds. Default: Redis' own clock (`TIME`), the same for every
   * replica. Tests pass a controllable clock.
   */
  clock?: () => number;
}

const acquireReplySchema = z.array(z.number().int());

/**
 * Rate limits in Redis, shared by every gateway replica: one atomic script per request, so limits
 * hold exactly across replicas (see `rate-limit-store.ts` for the algorithm, and
 * `redis-rate-limit-scripts.ts` for the key layout). Failures surface as a retryable
 * `SERVICE_UNAVAILABLE` (`withRedis`); the caller decides whether to admit without limits.
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #clock: (() => number) | undefined;

  /** `redis` stays owned by the caller; `keyPrefix` namespaces every key (for example `aigraph:`). */
  constructor(redis: Redis, keyPrefix: string, options: RedisRateLimitStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = keyPrefix;
    this.#clock = options.clock;
    defineRateLimitCommands(redis);
  }

  async acquire(request: AcquireRequest): Promise<AcquireOutcome> {
    assertAcquireRequest(request);
    if (request.rules.length === 0) return { admitted: true, rules: [] };
    const keys = request.rules.map((rule) => this.#key(rule.kind, rule.partition));
    const ruleArguments = request.rules.flatMap((rule) => [rule.kind, rule.limit, rule.kind === "rate" ? rule.windowMillis : 0]);
    const reply = await withRedis(() => this.#redis.rateLimitAcquire(keys.length, ...keys, this.#nowArgument(), request.leaseId, request.leaseMillis, ...ruleArguments));
    const [admitted, ...values] = acquireReplySchema.parse(reply);
    if (values.length !== request.rules.length * 4) throw new Error(`rate-limit script answered ${values.length} values for ${request.rules.length} rules`);
    const rules: RuleOutcome[] = request.rules.map((_, index) => {
      const [allowed, remaining, resetMillis, retryAfterMillis] = values.slice(index * 4, index * 4 + 4) as [number, number, number, number];
      return { allowed: allowed === 1, remaining, resetMillis: resetMillis < 0 ? null : resetMillis, retryAfterMillis };
    });
    return { admitted: admitted === 1, rules };
  }

  async renew(partitions: readonly string[], leaseId: string, leaseMillis: number): Promise<void> {
    assertPositiveWholeNumber("leaseMillis", leaseMillis);
    if (partitions.length === 0) return;
    const keys = partitions.map((partition) => this.#key("concurrency", partition));
    await withRedis(() => this.#redis.rateLimitRenew(keys.length, ...keys, this.#nowArgument(), leaseId, leaseMillis));
  }

  async release(partitions: readonly string[], leaseId: string): Promise<void> {
    if (partitions.length === 0) return;
    await withRedis(async () => {
      const pipeline = this.#redis.pipeline();
      for (const partition of partitions) pipeline.zrem(this.#key("concurrency", partition), leaseId);
      const results = await pipeline.exec();
      const failure = results?.find(([error]) => error !== null)?.[0];
      if (failure) throw failure;
    });
  }

  /** The connection belongs to the caller (shared infrastructure): nothing to close here. */
  async close(): Promise<void> {}

  #key(kind: "rate" | "concurrency", partition: string): string {
    return `${this.#prefix}rate-limit:${kind}:${partition}`;
  }

  #nowArgument(): string | number {
    return this.#clock === undefined ? "" : this.#clock();
  }
}
