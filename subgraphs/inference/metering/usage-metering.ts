import type { Logger } from "../../../platform/logging/logger.ts";
import { recordUsageAggregated, reportUsageSink } from "../../../platform/metrics/quota-metrics.ts";
import type { ServiceMetrics } from "../../../platform/metrics/service-metrics.ts";
import type { SharedInfrastructure } from "../../../platform/storage/shared-infrastructure.ts";
import { InProcessUsageQueue } from "../../usage/events/in-process-usage-queue.ts";
import { RedisStreamUsageSink } from "../../usage/events/redis-stream-usage-sink.ts";
import type { UsageEventSink } from "../../usage/events/usage-event-sink.ts";
import { createUsageStore } from "../../usage/usage-backends.ts";
import type { InferenceConfig } from "../config.ts";

export interface UsageMetering {
  sink: UsageEventSink;
  /** Delivers what is buffered (within the shutdown grace period) and stops. */
  close(): Promise<void>;
}

/**
 * Where this inference process sends usage events. With Redis: a stream that the usage subgraph's
 * consumer group aggregates (events wait in a bounded buffer while Redis is down). On embedded
 * defaults: an in-process queue aggregated here, into the file the usage subgraph reads. With
 * `metrics`, the sink's buffered/delivered/dropped counts are exposed, and (embedded) the lag of aggregation.
 */
export function startUsageMetering(config: InferenceConfig, infrastructure: SharedInfrastructure, logger: Logger, metrics?: ServiceMetrics): UsageMetering {
  if (infrastructure.redis !== undefined) {
    const sink = new RedisStreamUsageSink(infrastructure.redis, config.redisKeyPrefix, { maximumBufferedEvents: config.usageBufferMaxEvents, logger });
    if (metrics !== undefined) reportUsageSink(metrics, () => sink.metrics());
    return { sink, close: () => sink.close() };
  }
  const store = createUsageStore(config, infrastructure);
  const queue = new InProcessUsageQueue({ maximumBufferedEvents: config.usageBufferMaxEvents, logger });
  if (metrics !== undefined) reportUsageSink(metrics, () => queue.metrics());
  queue.start(async (events) => {
    await store.apply(events);
    if (metrics !== undefined) recordUsageAggregated(metrics, lagsOf(events));
  });
  return {
    sink: queue,
    close: async () => {
      await queue.close();
      await store.close();
    },
  };
}

/** Milliseconds from each event's occurrence to now. */
export function lagsOf(events: readonly { occurredAt: string }[]): number[] {
  const now = Date.now();
  return events.map((event) => now - Date.parse(event.occurredAt));
}
