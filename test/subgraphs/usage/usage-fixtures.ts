import { randomUUID } from "node:crypto";
import type { Logger } from "../../../platform/logging/logger.ts";
import type { UsageEvent } from "../../../subgraphs/usage/usage-event.ts";

/** A valid succeeded completion event at 2026-11-22 05:10 UTC, with fresh ids; override what a test is about. */
export function usageEvent(overrides: Partial<UsageEvent> = {}): UsageEvent {
  const eventId = overrides.eventId ?? `event-${randomUUID()}`;
  return {
    eventId,
    requestId: `request-${eventId}`,
    tenantId: "acme",
    apiKeyId: "key-1",
    modelId: "tiny-chat",
    operation: "COMPLETION",
    status: "SUCCEEDED",
    errorCode: null,
    promptTokens: 10,
    completionTokens: 20,
    latencyMillis: 120,
    timeToFirstTokenMillis: null,
    costMicros: 300,
    currency: "USD",
    completionId: null,
    occurredAt: "2026-11-22T05:10:00.000Z",
    ...overrides,
  };
}

/** The totals a set of distinct events must add up to, to compare with a store's buckets. */
export function totalsOf(events: readonly UsageEvent[]): { requests: number; promptTokens: number; completionTokens: number; costMicros: number } {
  const totals = { requests: 0, promptTokens: 0, completionTokens: 0, costMicros: 0 };
  for (const event of events) {
    totals.requests += 1;
    totals.promptTokens += event.promptTokens;
    totals.completionTokens += event.completionTokens;
    totals.costMicros += event.costMicros;
  }
  return totals;
}

/** Log lines recorded instead of printed, so tests stay quiet and can look at warnings. */
export function recordingLogger(): Logger & { lines: { level: string; message: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  return { lines, debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };
}

/** Polls `check` until it returns true, failing after `timeoutMillis` with `description`. */
export async function eventually(description: string, check: () => boolean | Promise<boolean>, timeoutMillis = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMillis} ms waiting until ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
