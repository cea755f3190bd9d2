/**
 * A usage aggregator in a process of its own, for tests that kill it: a RedisStreamUsageConsumer
 * feeding a RedisUsageStore. After each batch it prints one JSON line to stdout with its running
 * totals: `{"applied":…,"duplicates":…,"elapsedMillis":…}` (elapsed since its first batch started).
 *
 *   node --import tsx test/subgraphs/usage/usage-consumer-child.ts <redis url> <key prefix> <consumer name> [batch size]
 */
import { Redis } from "ioredis";
import { createLogger } from "../../../platform/logging/logger.ts";
import { RedisStreamUsageConsumer } from "../../../subgraphs/usage/events/redis-stream-usage-consumer.ts";
import { RedisUsageStore } from "../../../subgraphs/usage/store/redis-usage-store.ts";

const [url, keyPrefix, consumerName, batchSize] = process.argv.slice(2);
if (url === undefined || keyPrefix === undefined || consumerName === undefined) {
  console.error("usage: usage-consumer-child.ts <redis url> <key prefix> <consumer name> [batch size]");
  process.exit(2);
}

const logger = createLogger("usage-consumer-child", "warn");
const redis = new Redis(url);
redis.on("error", () => undefined);
const store = new RedisUsageStore(redis, keyPrefix);
const consumer = new RedisStreamUsageConsumer(redis, keyPrefix, { consumerName, batchSize: Number(batchSize ?? 200), blockMillis: 200, logger });
let applied = 0;
let duplicates = 0;
let startedAt: number | undefined;

consumer.start(async (events) => {
  startedAt ??= performance.now();
  const result = await store.apply(events);
  applied += result.applied;
  duplicates += result.duplicates;
  process.stdout.write(`${JSON.stringify({ applied, duplicates, elapsedMillis: Math.round(performance.now() - startedAt) })}\n`);
});

process.once("SIGTERM", () => {
  void consumer.stop().then(() => {
    redis.disconnect();
    process.exit(0);
  });
});
