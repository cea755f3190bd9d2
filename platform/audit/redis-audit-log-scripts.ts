import type { Redis, Result } from "ioredis";

/**
 * The Lua script that appends one audit event to its streams atomically, registered with ioredis'
 * `defineCommand` (EVALSHA, falling back to EVAL after a NOSCRIPT reply).
 *
 * Layout (keys under the log's prefix, see `RedisAuditLog`): every event goes to four streams,
 * `audit-log` (all events), `audit-log:tenant:<tenant>`, `audit-log:action:<action>` and
 * `audit-log:action:<action>:tenant:<tenant>`, so each filter of `list` reads one stream. Each entry
 * holds one field, `event`: the event as JSON without `id` and `occurredAt`, which the entry's
 * stream id gives (`<milliseconds>-<sequence>`).
 *
 * The event gets the same stream id in all four, chosen by the script: Redis' clock (`TIME`, the
 * same for every replica), or just after the newest id of any of the four streams when that is not
 * older (a clock that stepped back, several events in one millisecond). An explicit id greater than
 * each stream's last one never fails, so the four XADDs all happen or (Redis down) none does.
 * Each XADD trims its stream to about ARGV[1] entries (`MAXLEN ~`: whole nodes, cheap).
 *
 * Reading TIME in a script needs effects replication, the default since Redis 5. Under Redis
 * Cluster the four keys would need one hash slot, which this layout does not arrange.
 */
const appendSource = `
local function lastId(key)
  if redis.call('EXISTS', key) == 0 then return 0, 0 end
  local info = redis.call('XINFO', 'STREAM', key)
  for index = 1, #info, 2 do
    if info[index] == 'last-generated-id' then
      local ms, seq = string.match(info[index + 1], '^(%d+)-(%d+)$')
      return tonumber(ms), tonumber(seq)
    end
  end
  return 0, 0
end

local time = redis.call('TIME')
local ms = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local seq = 0
for _, key in ipairs(KEYS) do
  local lastMs, lastSeq = lastId(key)
  if lastMs > ms or (lastMs == ms and lastSeq >= seq) then
    ms = lastMs
    seq = lastSeq + 1
  end
end

local id = string.format('%d-%d', ms, seq)
for _, key in ipairs(KEYS) do
  redis.call('XADD', key, 'MAXLEN', '~', ARGV[1], id, 'event', ARGV[2])
end
return id
`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    /**
     * See `appendSource`: the number of keys, the streams, then the approximate maximum length of
     * each stream and the event's JSON. Resolves to the entry's stream id.
     */
    auditLogAppend(numberOfKeys: number, ...keysAndArguments: (string | number)[]): Result<string, Context>;
  }
}

/** Registers the script on `redis` (idempotent: defining again replaces it with the same source). */
export function defineAuditLogCommands(redis: Redis): void {
  redis.defineCommand("auditLogAppend", { lua: appendSource });
}
