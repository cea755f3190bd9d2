import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Redis } from "ioredis";
import { RedisStreamUsageConsumer } from "../../../subgraphs/usage/events/redis-stream-usage-consumer.ts";
import { usageStreamField, usageStreamKey } from "../../../subgraphs/usage/events/usage-stream.ts";
import type { UsageEvent } from "../../../subgraphs/usage/usage-event.ts";
import { provisionRedis, requireServer } from "../../harness/redis-suite.ts";
import { eventually, recordingLogger, usageEvent } from "./usage-fixtures.ts";

const redis = await provisionRedis();
const group = "usage-aggregator";

/** Name and pending count of each consumer of the group. */
async function consumers(connection: Redis, stream: string): Promise<Record<string, number>> {
  const reply = (await connection.call("XINFO", "CONSUMERS", stream, group)) as unknown[][];
  return Object.fromEntries(
    reply.map((fields) => {
      const named = new Map<unknown, unknown>();
      for (let index = 0; index < fields.length; index += 2) named.set(fields[index], fields[index + 1]);
      return [String(named.get("name")), Number(named.get("pending"))];
    }),
  );
}

describe("the usage stream's consumer group", { skip: redis.skip }, () => {
  const connections: Redis[] = [];
  after(() => connections.forEach((connection) => connection.disconnect()));

  it("claims a dead consumer's pending events, then removes it and every other idle consumer with nothing pending; live ones keep reading", async () => {
    const connection = new Redis(requireServer(redis).url);
    connections.push(connection);
    const prefix = requireServer(redis).uniquePrefix();
    const stream = usageStreamKey(prefix);
    const events = [usageEvent(), usageEvent(), usageEvent()];
    for (const event of events) await connection.xadd(stream, "*", usageStreamField, JSON.stringify(event));
    await connection.xgroup("CREATE", stream, group, "0");
    // A consumer that read two events and died before acknowledging them, and one (an earlier pod) that died with nothing pending.
    await connection.call("XREADGROUP", "GROUP", group, "died-holding-events", "COUNT", 2, "STREAMS", stream, ">");
    await connection.call("XGROUP", "CREATECONSUMER", stream, group, "died-empty");
    assert.deepEqual(await consumers(connection, stream), { "died-holding-events": 2, "died-empty": 0 });

    const handled: UsageEvent[] = [];
    const logger = recordingLogger();
    // Short idle times so the test waits about a second; production defaults to 30 s.
    const options = { claimIdleMillis: 500, blockMillis: 50, logger };
    const live = new RedisStreamUsageConsumer(connection, prefix, { ...options, consumerName: "live" });
    const otherLive = new RedisStreamUsageConsumer(connection, prefix, { ...options, consumerName: "other-live", deadConsumerIdleMillis: 60_000 });
    const handle = async (batch: readonly UsageEvent[]) => void handled.push(...batch);
    live.start(handle);
    otherLive.start(handle);
    try {
      // A liveness bound, not a timing claim: alone this takes about half a second; a loaded CI
      // machine once needed more than 20 s. On timeout the message says what was seen.
      let seen = "";
      await eventually(
        "the dead consumers' events are handled and the dead consumers removed",
        async () => {
          const now = await consumers(connection, stream);
          seen = `${handled.length} of ${events.length} events handled, consumers ${JSON.stringify(now)}, log ${JSON.stringify(logger.lines.map((line) => line.message))}`;
          return handled.length >= events.length && !Object.keys(now).some((name) => name.startsWith("died-"));
        },
        60_000,
      ).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}: ${seen}`);
      });
      assert.deepEqual(new Set(handled.map((event) => event.eventId)), new Set(events.map((event) => event.eventId)), "the dead consumer's pending events were claimed, not lost");
      // Nothing is left pending. Whether `other-live` is still listed depends on the Redis version:
      // before 7.2 a blocking read that gets nothing is not activity, so on this quiet stream `live`
      // may remove it too (harmless: nothing pending; its next delivery creates it again).
      const left = await consumers(connection, stream);
      assert.ok("live" in left, "a consumer never removes itself");
      assert.ok(Object.values(left).every((pending) => pending === 0), JSON.stringify(left));
      assert.ok(logger.lines.some((line) => line.message.startsWith("removed idle usage consumers") && JSON.stringify(line.fields?.removed).includes("died-")));
      // Live consumers keep reading: a new event is still handled.
      const late = usageEvent();
      await connection.xadd(stream, "*", usageStreamField, JSON.stringify(late));
      await eventually("a new event after the clean-up is handled", () => handled.some((event) => event.eventId === late.eventId));
    } finally {
      await live.stop();
      await otherLive.stop();
    }
  });
});
