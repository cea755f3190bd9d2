import type { Redis, Result } from "ioredis";
import { concurrencyRetryAfterMillis, gcraToleranceMillis } from "./rate-limit-store.ts";

/**
 * Lua scripts that make each rate-limit step atomic in Redis, registered with ioredis'
 * `defineCommand` (which sends EVALSHA and falls back to EVAL after a NOSCRIPT reply).
 *
 * Layout (keys under the store's prefix): `rate-limit:rate:<partition>` is a string holding the
 * partition's GCRA theoretical arrival time (epoch milliseconds, three decimals), expiring when it
 * is in the past (it then limits nothing); `rate-limit:concurrency:<partition>` is a sorted set of
 * the lease ids in flight, scored by lease expiry (epoch milliseconds), expiring with its latest
 * lease. Every key a script touches is passed in KEYS (one per rule). Under Redis Cluster the keys
 * of one call would also need one hash slot, which this layout does not arrange.
 *
 * The clock is Redis' own (`TIME`), so every gateway replica measures against one clock and skew
 * between their hosts cannot widen a limit; tests pass a time instead (`nowMillis`, '' for TIME).
 * Reading TIME in a script needs effects replication, the default since Redis 5.
 *
 * Lua numbers are doubles, like JavaScript's, so both stores compute the same GCRA; replies are
 * whole numbers, because Redis truncates Lua numbers to integers.
 */

const clockPrelude = `
local function clockMillis(given)
  if given ~= '' then return tonumber(given) end
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
end
`;

/**
 * KEYS: one per rule (a rate key or a concurrency key).
 * ARGV: nowMillis ('' for Redis' clock), lease id, lease millis, then per rule: kind ('rate' or
 * 'concurrency'), limit, window millis ('0' for concurrency).
 * Returns {admitted (1 or 0), then per rule: allowed (1 or 0), remaining, reset millis (-1 for
 * none), retry-after millis}.
 */
const acquireSource = `${clockPrelude}
local now = clockMillis(ARGV[1])
local leaseId = ARGV[2]
local leaseMillis = tonumber(ARGV[3])
local tolerance = ${gcraToleranceMillis}
local admitted = true
local outcomes = {}
local planned = {}

for index, key in ipairs(KEYS) do
  local base = 3 + (index - 1) * 3
  local kind = ARGV[base + 1]
  local limit = tonumber(ARGV[base + 2])
  local window = tonumber(ARGV[base + 3])
  if kind == 'rate' then
    local interval = window / limit
    local arrival = now
    local stored = redis.call('GET', key)
    if stored then arrival = math.max(tonumber(stored), now) end
    local nextArrival = arrival + interval
    if nextArrival - now <= window + tolerance then
      planned[index] = nextArrival
      local remaining = math.max(0, math.floor((window - (nextArrival - now)) / interval + tolerance))
      outcomes[index] = {1, remaining, math.ceil(nextArrival - now), 0}
    else
      admitted = false
      outcomes[index] = {0, 0, math.ceil(arrival - now), math.ceil(nextArrival - window - now)}
    end
  else
    -- Expired leases go first, so the slots of a crashed replica come back.
    redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%.3f', now))
    local inFlight = redis.call('ZCARD', key)
    if inFlight < limit then
      outcomes[index] = {1, limit - inFlight - 1, -1, 0}
    else
      admitted = false
      outcomes[index] = {0, 0, -1, ${concurrencyRetryAfterMillis}}
    end
  end
end

if admitted then
  for index, key in ipairs(KEYS) do
    if planned[index] then
      -- Formatted, not tostring'd: Lua would print a large number as '1.7e+12'.
      redis.call('SET', key, string.format('%.3f', planned[index]), 'PX', math.max(1, math.ceil(planned[index] - now)))
    else
      redis.call('ZADD', key, string.format('%.3f', now + leaseMillis), leaseId)
      -- Only ever lengthen the set's lifetime, in case replicas run with different leases.
      if redis.call('PTTL', key) < leaseMillis then redis.call('PEXPIRE', key, leaseMillis) end
    end
  end
end

local reply = {admitted and 1 or 0}
for _, outcome in ipairs(outcomes) do
  for _, value in ipairs(outcome) do table.insert(reply, value) end
end
return reply
`;

/**
 * KEYS: the concurrency keys holding the lease.
 * ARGV: nowMillis ('' for Redis' clock), lease id, lease millis.
 * Sets the lease's expiry to now + lease millis (holding it again if it had expired: the request
 * it stands for is still running). Returns the number of keys.
 */
const renewSource = `${clockPrelude}
local now = clockMillis(ARGV[1])
local leaseMillis = tonumber(ARGV[3])
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, string.format('%.3f', now + leaseMillis), ARGV[2])
  if redis.call('PTTL', key) < leaseMillis then redis.call('PEXPIRE', key, leaseMillis) end
end
return #KEYS
`;

/** The commands `defineRateLimitCommands` adds, named so they cannot clash with other scripts on a shared connection. */
declare module "ioredis" {
  interface RedisCommander<Context> {
    /** See `acquireSource`: number of keys, the keys, then the arguments. */
    rateLimitAcquire(numberOfKeys: number, ...keysAndArguments: (string | number)[]): Result<number[], Context>;
    /** See `renewSource`: number of keys, the keys, then the arguments. */
    rateLimitRenew(numberOfKeys: number, ...keysAndArguments: (string | number)[]): Result<number, Context>;
  }
}

/** Registers the scripts on `redis` (idempotent: defining again replaces them with the same source). */
export function defineRateLimitCommands(redis: Redis): void {
  // No numberOfKeys: one key per rule, so the count comes first in every call.
  redis.defineCommand("rateLimitAcquire", { lua: acquireSource });
  redis.defineCommand("rateLimitRenew", { lua: renewSource });
}
