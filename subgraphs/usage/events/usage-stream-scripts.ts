import type { Redis, Result } from "ioredis";

/**
 * Lua for the usage stream's consumer group, registered with ioredis' `defineCommand` (EVALSHA,
 * falling back to EVAL after a NOSCRIPT reply).
 *
 * KEYS: the stream. ARGV: group, the calling consumer's name, idle millis.
 * Removes (XGROUP DELCONSUMER) every other consumer of the group that has nothing pending and has
 * not read for at least `idle millis`: consumers that died (a restarted pod gets a new name) once
 * their pending entries were claimed. One atomic step, so no consumer can read an entry between the
 * check and the removal; deleting a consumer with entries pending would drop them from the group's
 * pending list, which is why a consumer with any is never removed. A live consumer removed by
 * mistake loses nothing: its next read recreates it. Returns the removed names.
 */
const removeDeadConsumersSource = `
local removed = {}
for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local fields = {}
  for index = 1, #consumer, 2 do fields[consumer[index]] = consumer[index + 1] end
  if fields['name'] ~= ARGV[2] and tonumber(fields['pending']) == 0 and tonumber(fields['idle']) >= tonumber(ARGV[3]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], fields['name'])
    removed[#removed + 1] = fields['name']
  end
end
return removed
`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    /** See `removeDeadConsumersSource`: the stream, then group, own name, idle millis. Resolves to the removed names. */
    usageStreamRemoveDeadConsumers(stream: string, group: string, consumerName: string, idleMillis: number): Result<string[], Context>;
  }
}

/** Registers the script on `redis` (idempotent: defining again replaces it with the same source). */
export function defineUsageStreamCommands(redis: Redis): void {
  redis.defineCommand("usageStreamRemoveDeadConsumers", { numberOfKeys: 1, lua: removeDeadConsumersSource });
}
