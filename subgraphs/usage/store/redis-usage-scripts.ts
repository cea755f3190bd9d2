import type { Redis, Result } from "ioredis";

/**
 * The Lua script that applies one usage event in Redis as one atomic step: the "seen before?" check
 * and the increments cannot be separated by a crash or interleaved with another aggregator, so an
 * event counts exactly once however often it is delivered (within the event retention). Registered
 * with ioredis' `defineCommand` (EVALSHA, falling back to EVAL after a NOSCRIPT reply, pipelines included).
 *
 * Layout (all under the key prefix):
 * - `usage-event:<eventId>`: "1", expiring `eventRetentionMillis` after it was applied.
 * - `usage-bucket:<tenant>:<model>:<hourStart>`: a hash of the hour's counters: requests,
 *   succeeded, failed, cancelled, cacheHits, promptTokens, completionTokens, costMicros, currency, `l<i>` and
 *   `t<i>` (latency and time-to-first-token counts by histogram bucket, only those seen), and its
 *   identity (tenantId, modelId, hourStart) so readers need not parse keys. Expires
 *   `bucketRetentionMillis` after its hour started.
 * - `usage-buckets-by-hour` and `usage-buckets-by-hour:<tenant>`: sorted sets of bucket keys scored
 *   by hour start (epoch milliseconds), so a query reads a range instead of scanning the keyspace.
 *   Members past the bucket retention are trimmed on writes; each set expires with its newest bucket.
 *
 * Tenant and model ids in keys are escaped (`%` → `%25`, `:` → `%3A`) so keys stay unambiguous.
 */

/**
 * KEYS: event, bucket, tenant index, all index.
 * ARGV: event retention millis, write bucket (1/0), bucket expiry (epoch millis), hour start
 * (epoch millis), prune scores below (epoch millis), now (epoch millis), tenantId, modelId,
 * hourStart ISO, currency, then field/increment pairs after `requests`. Returns 1 when the event
 * was new, 0 when it was a duplicate.
 *
 * A bucket's identity, expiry and index entries are written once, by the event that creates it
 * (its `requests` becomes 1): the common case, an event for an existing bucket, is a few HINCRBYs.
 */
const applyUsageEventSource = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
if ARGV[2] ~= '1' then return 1 end
if redis.call('HINCRBY', KEYS[2], 'requests', 1) == 1 then
  local expireAt = tonumber(ARGV[3])
  local now = tonumber(ARGV[6])
  redis.call('HSET', KEYS[2], 'tenantId', ARGV[7], 'modelId', ARGV[8], 'hourStart', ARGV[9])
  redis.call('PEXPIREAT', KEYS[2], expireAt)
  for index = 3, 4 do
    redis.call('ZADD', KEYS[index], ARGV[4], KEYS[2])
    redis.call('ZREMRANGEBYSCORE', KEYS[index], '-inf', '(' .. ARGV[5])
    local ttl = redis.call('PTTL', KEYS[index])
    if ttl < 0 or now + ttl < expireAt then redis.call('PEXPIREAT', KEYS[index], expireAt) end
  end
end
redis.call('HSET', KEYS[2], 'currency', ARGV[10])
for i = 11, #ARGV, 2 do redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1]) end
return 1
`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    /** See `applyUsageEventSource`: the 4 keys, then the arguments. Resolves to 1 (applied) or 0 (a duplicate). */
    usageApplyEvent(...keysAndArguments: string[]): Result<number, Context>;
  }
}

/** Registers the script on `redis` (idempotent: defining again replaces it with the same source). */
export function defineUsageStoreCommands(redis: Redis): void {
  redis.defineCommand("usageApplyEvent", { numberOfKeys: 4, lua: applyUsageEventSource });
}

/** Escapes an id for use as one `:`-separated key component. */
export function keyComponent(id: string): string {
  return id.replaceAll("%", "%25").replaceAll(":", "%3A");
}
