import { z } from "zod";

export const usageOperations = ["COMPLETION", "STREAM", "EMBEDDING", "RERANKING"] as const;
export const usageStatuses = ["SUCCEEDED", "FAILED", "CANCELLED"] as const;
export type UsageOperation = (typeof usageOperations)[number];
export type UsageStatus = (typeof usageStatuses)[number];

/**
 * One metered call: every completion, stream and embeddings call emits exactly one, whatever its
 * outcome. Aggregation is idempotent by `eventId`, so a redelivered event is never counted twice.
 * (`requestId` alone cannot be the key: one client request may make several calls — a GraphQL
 * operation with two aliased completions, or a document ingestion embedding batch after batch.)
 */
export const usageEventSchema = z.object({
  /** Unique per call: the completion id, or a fresh UUID for embeddings. */
  eventId: z.string().min(1).max(200),
  requestId: z.string().min(1).max(200),
  tenantId: z.string().min(1).max(200),
  apiKeyId: z.string().min(1).max(200),
  modelId: z.string().min(1).max(200),
  operation: z.enum(usageOperations),
  status: z.enum(usageStatuses),
  /** `extensions.code` of the error, for FAILED and CANCELLED calls. */
  errorCode: z.string().max(100).nullable(),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  /** True when the token counts are estimates (~4 characters per token): no tokenizer could count them. Absent means exact. */
  tokensEstimated: z.boolean().optional(),
  /** True when the answer came from the inference subgraph's response cache: no engine ran, tokens and cost are zero. Absent means false. */
  cacheHit: z.boolean().optional(),
  latencyMillis: z.number().nonnegative(),
  timeToFirstTokenMillis: z.number().nonnegative().nullable(),
  /** Cost in millionths of `currency` (integers add up exactly), from the registry's pricing at the time of the call. */
  costMicros: z.number().int().nonnegative(),
  currency: z.string().min(1).max(10),
  /** The completion this call produced, when it produced one (its `Completion.cost`). */
  completionId: z.string().max(200).nullable(),
  /** ISO 8601, when the call ended; decides the hourly bucket. Validated, so a bad date is rejected at parse time, not when aggregating. */
  occurredAt: z.iso.datetime({ offset: true }),
});
export type UsageEvent = z.infer<typeof usageEventSchema>;
