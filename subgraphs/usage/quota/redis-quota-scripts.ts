import type { Redis, Result } from "ioredis";

/**
 * Lua scripts that make each quota step atomic in Redis: however many inference replicas reserve at
 * once, the checks and the increments of one reservation cannot interleave with another's.
 * Registered with ioredis' `defineCommand` (EVALSHA, falling back to EVAL after a NOSCRIPT reply).
 *
 * Layout (keys under the store's prefix): `quota:<tenant>` is a hash of the tenant's limits ('' is
 * unlimited); `quota-use:<tenant>:minute:<n>`, `:day:<YYYY-MM-DD>` and `:month:<YYYY-MM>` are integer
 * counters; `quota-streams:<tenant>` is a sorted set of the reservation ids holding a stream slot,
 * scored by lease expiry (epoch milliseconds), which the stream's holder renews while it runs
 * (`quotaRenewStreamLease`); `quota-reservation:<id>` marks a reservation that
 * counted and is not settled yet.
 *
 * Lua has no clock we could use (TIME is the server's, not the caller's, and would make the windows
 * disagree with the caller's `nowMillis`), so the caller passes `nowMillis` and names the window keys.
 *
 * Every key a script touches is passed in KEYS. Under Redis Cluster the keys of one call would also
 * need to share a hash slot, which this layout does not arrange (no `{tenant}` hash tags, and the
 * reservation marker is named by reservation id; the MULTI of `setQuota` and `deleteQuota` pairs a
 * tenant's hash with the one listing set). A Cluster deployment would need hash-tagged keys.
 */

/**
 * KEYS: settings, minute counter, day counter, month counter, streams, reservation marker.
 * ARGV: reservation id, nowMillis, tokens, cost micros, stream ('1' or '0'), stream lease millis,
 * minute TTL seconds, day TTL seconds, month TTL seconds, reservation marker TTL seconds.
 * Returns {'unlimited'} (no quota: nothing counted), {'duplicate'} (the id is still open),
 * {'denied', limit, limit value, used, requested}, or {'admitted'}.
 */
const reserveSource = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'unlimited'} end
if redis.call('EXISTS', KEYS[6]) == 1 then return {'duplicate'} end
local limits = redis.call('HMGET', KEYS[1], 'tokensPerMinute', 'tokensPerDay', 'costMicrosPerMonth', 'concurrentStreams')
local now = tonumber(ARGV[2])
local tokens = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local stream = ARGV[5] == '1'

local function used(key)
  return tonumber(redis.call('GET', key) or '0')
end

-- Expired leases are not counted, so a crashed holder's slot comes back. Counted, not removed
-- here: the first write of a script decides whether a full Redis (maxmemory, noeviction) refuses
-- it, and a removal would let every later write through; the first write must be an INCRBY.
local activeStreams = 0
if stream then activeStreams = redis.call('ZCOUNT', KEYS[5], '(' .. ARGV[2], '+inf') end

local checks = {
  {'TOKENS_PER_MINUTE', limits[1], used(KEYS[2]), tokens},
  {'TOKENS_PER_DAY', limits[2], used(KEYS[3]), tokens},
  {'COST_PER_MONTH', limits[3], used(KEYS[4]), cost},
}
if stream then checks[4] = {'CONCURRENT_STREAMS', limits[4], activeStreams, 1} end
for _, check in ipairs(checks) do
  local limit = check[2]
  if limit and limit ~= '' and check[3] + check[4] > tonumber(limit) then
    return {'denied', check[1], tonumber(limit), check[3], check[4]}
  end
end

-- INCRBY keeps a key's TTL, so EXPIRE after each: a counter lives its TTL past its last reservation.
-- The amounts go to INCRBY as the caller's text: Lua would print a large number as '5e+15'.
redis.call('INCRBY', KEYS[2], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[7])
redis.call('INCRBY', KEYS[3], ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[8])
redis.call('INCRBY', KEYS[4], ARGV[4])
redis.call('EXPIRE', KEYS[4], ARGV[9])
if stream then
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
  redis.call('ZADD', KEYS[5], now + tonumber(ARGV[6]), ARGV[1])
  -- Once the latest lease has passed every member is expired and the set can go; only ever
  -- lengthen the TTL, in case replicas run with different leases. (PTTL is -1 for a new set.)
  if redis.call('PTTL', KEYS[5]) < tonumber(ARGV[6]) then redis.call('PEXPIRE', KEYS[5], ARGV[6]) end
end
redis.call('SET', KEYS[6], '1', 'EX', ARGV[10])
return {'admitted'}
`;

/**
 * KEYS: reservation marker, minute counter, day counter, month counter, streams.
 * ARGV: reservation id, tokens difference, cost micros difference.
 * Returns 1 when it settled, 0 when there was nothing to settle (settled before, never counted, or
 * the marker expired).
 */
const settleSource = `
-- Deleting the marker is what makes a second settle change nothing.
if redis.call('DEL', KEYS[1]) == 0 then return 0 end

-- A counter that expired belongs to a window long gone: correcting it would only recreate it.
-- The difference goes to INCRBY as the caller's text: Lua would print a large number as '5e+15'.
local function adjust(key, difference)
  if tonumber(difference) ~= 0 and redis.call('EXISTS', key) == 1 then
    if redis.call('INCRBY', key, difference) < 0 then redis.call('SET', key, 0, 'KEEPTTL') end
  end
end
adjust(KEYS[2], ARGV[2])
adjust(KEYS[3], ARGV[2])
adjust(KEYS[4], ARGV[3])
redis.call('ZREM', KEYS[5], ARGV[1])
return 1
`;

/**
 * KEYS: reservation marker, streams.
 * ARGV: reservation id, nowMillis, stream lease millis.
 * Extends the slot's lease to now + lease while the reservation is open (its marker exists): a
 * renewal racing the settle can never bring a freed slot back. The slot is held again even if its
 * lease had lapsed (the stream it stands for still runs). Returns 1 when renewed, 0 when the
 * reservation was settled (or its marker expired).
 */
const renewStreamLeaseSource = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]) + tonumber(ARGV[3]), ARGV[1])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
return 1
`;

/** The commands `defineQuotaCommands` adds, named so they cannot clash with other scripts on a shared connection. */
declare module "ioredis" {
  interface RedisCommander<Context> {
    /** See `reserveSource`: the 6 keys, then the arguments. */
    quotaReserve(...keysAndArguments: (string | number)[]): Result<unknown, Context>;
    /** See `settleSource`: the 5 keys, then the arguments. */
    quotaSettle(...keysAndArguments: (string | number)[]): Result<number, Context>;
    /** See `renewStreamLeaseSource`: the 2 keys, then the arguments. */
    quotaRenewStreamLease(...keysAndArguments: (string | number)[]): Result<number, Context>;
  }
}

/** Registers the scripts on `redis` (idempotent: defining again replaces them with the same source). */
export function defineQuotaCommands(redis: Redis): void {
  redis.defineCommand("quotaReserve", { numberOfKeys: 6, lua: reserveSource });
  redis.defineCommand("quotaSettle", { numberOfKeys: 5, lua: settleSource });
  redis.defineCommand("quotaRenewStreamLease", { numberOfKeys: 2, lua: renewStreamLeaseSource });
}
