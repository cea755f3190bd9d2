import type { Logger } from "../../../platform/logging/logger.ts";
import { ErrorCode } from "../../../platform/errors/error-code.ts";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import type { ModelRecord } from "../../model-registry/model-record.ts";
import type { UsageEventSink } from "../../usage/events/usage-event-sink.ts";
import type { QuotaStore, Reservation, ReservationOutcome } from "../../usage/quota/quota-store.ts";
import type { UsageOperation, UsageStatus } from "../../usage/usage-event.ts";
import type { CallContext } from "../completion-service.ts";
import { addMeteredUsage } from "../../../platform/metering/metered-usage.ts";
import { genAiModelOf } from "../../../engines/traced-engine.ts";
import { recordMeteredCall } from "../../../platform/metrics/generation-metrics.ts";
import { recordQuotaDecision, type QuotaDecision } from "../../../platform/metrics/quota-metrics.ts";
import type { ServiceMetrics } from "../../../platform/metrics/service-metrics.ts";
import { countStoreError } from "../../../platform/metrics/store-metrics.ts";
import { storeErrorOf } from "../../../platform/storage/redis-connection.ts";
import { costMicros } from "./cost.ts";
import { StreamSlotHeartbeat } from "./stream-slot-heartbeat.ts";

export interface CallMeterOptions {
  /**
   * What to do when quotas cannot be checked (Redis unreachable): false (the default) refuses the
   * call with SERVICE_UNAVAILABLE, so a limit can never be exceeded; true lets it through unmetered
   * against the quota (usage events are still buffered and delivered later).
   */
  failOpen: boolean;
  /**
   * Whether a call that failed after engine work (its record could not be saved, the engine broke
   * off mid-stream) is charged for the tokens it used. BILL_FAILED_COMPLETIONS. Default false: the
   * client got an error, so the call is recorded as FAILED with its tokens (they count against
   * token quotas and show in usage reports) at a cost of zero.
   */
  billFailedCalls?: boolean;
  /** How a running stream keeps its concurrent-stream slot (see `StreamSlotHeartbeat`). Default: one renewing every third of the store's lease. */
  heartbeat?: StreamSlotHeartbeat;
  logger: Logger;
  /** Where quota decisions, tokens and call durations are counted; nothing is when absent. */
  metrics?: ServiceMetrics;
}

export interface MeteredCallStart {
  call: CallContext;
  model: ModelRecord;
  operation: UsageOperation;
  /** Unique per call: the completion id, or a fresh UUID. */
  eventId: string;
  /** Most the call can use: prompt tokens plus maxTokens (embeddings: the prompt tokens). */
  estimatedPromptTokens: number;
  estimatedCompletionTokens: number;
  /** `gen_ai.operation.name` of the call in its metrics: `chat` or `text_completion` for generations. Default: `embeddings` for EMBEDDING, else `chat`. */
  genAiOperation?: "chat" | "text_completion";
}

export interface CallOutcome {
  status: UsageStatus;
  errorCode: string | null;
  promptTokens: number;
  completionTokens: number;
  /** True when the counts are estimates. Default false. */
  tokensEstimated?: boolean;
  timeToFirstTokenMillis: number | null;
  completionId: string | null;
  /** True when the answer came from the response cache: no engine ran, the tokens are zero. Default false. */
  cacheHit?: boolean;
}

export interface MeteredCost {
  costMicros: number;
  currency: string;
}

/**
 * Quota and metering around one engine call: `open` reserves the estimate against the tenant's
 * quota before any engine work (all limits, atomically, across replicas; a stream's slot is then
 * renewed while it runs), `finish` settles it with what was used and emits the call's one usage
 * event. A refused call is metered too. Callers finish a call only once its outcome is the one the
 * client gets (its record saved): billing follows what the client sees.
 */
export class CallMeter {
  readonly #sink: UsageEventSink;
  readonly #quotas: QuotaStore;
  readonly #options: CallMeterOptions;
  readonly #heartbeat: StreamSlotHeartbeat;

  constructor(sink: UsageEventSink, quotas: QuotaStore, options: CallMeterOptions) {
    this.#sink = sink;
    this.#quotas = quotas;
    this.#options = options;
    this.#heartbeat = options.heartbeat ?? new StreamSlotHeartbeat(quotas, { logger: options.logger });
  }

  async open(start: MeteredCallStart): Promise<MeteredCall> {
    const { call, model } = start;
    const nowMillis = Date.now();
    let outcome: ReservationOutcome;
    try {
      outcome = await this.#quotas.reserve({
        reservationId: start.eventId,
        tenantId: call.request.tenantId,
        tokens: start.estimatedPromptTokens + start.estimatedCompletionTokens,
        costMicros: costMicros(model.pricing, start.estimatedPromptTokens, start.estimatedCompletionTokens),
        stream: start.operation === "STREAM",
        nowMillis,
      });
    } catch (error) {
      if (this.#options.metrics !== undefined) countStoreError(this.#options.metrics, "quota-store", "reserve");
      // A full store refuses whatever the fail-open setting: the call's record could not be saved either.
      if (storeErrorOf(error).code === ErrorCode.StoreFull) {
        this.#recordDecision("store_unavailable_refused", "", call.request.tenantId);
        await new MeteredCall(this, start, undefined).finish(refusal(ErrorCode.StoreFull));
        throw storeErrorOf(error);
      }
      this.#recordDecision(this.#options.failOpen ? "store_unavailable_admitted" : "store_unavailable_refused", "", call.request.tenantId);
      if (this.#options.failOpen) {
        this.#options.logger.warn("quota store unreachable; admitting the call unchecked (QUOTA_FAIL_OPEN=true)", { tenantId: call.request.tenantId, error });
        return new MeteredCall(this, start, undefined);
      }
      // Metered like any refused call: the event waits in the sink's buffer until Redis is back.
      await new MeteredCall(this, start, undefined).finish(refusal(ErrorCode.ServiceUnavailable));
      throw new ServiceError(ErrorCode.ServiceUnavailable, "Quotas cannot be checked right now (their store is unreachable), so the call was refused.", { cause: error });
    }
    this.#recordDecision(outcome.admitted ? "admitted" : "refused", outcome.admitted ? "" : outcome.limit, call.request.tenantId);
    if (!outcome.admitted) {
      await new MeteredCall(this, start, undefined).finish(refusal(ErrorCode.QuotaExceeded));
      const resetsAt = outcome.resetsAtMillis === null ? null : new Date(outcome.resetsAtMillis).toISOString();
      throw new ServiceError(
        ErrorCode.QuotaExceeded,
        `The tenant's ${outcome.limit} quota (${outcome.limitValue}) would be exceeded: ${outcome.used} used, ${outcome.requested} requested.${resetsAt === null ? " A slot frees when a running stream ends." : ` It resets at ${resetsAt}.`}`,
        {
          details: {
            limit: outcome.limit,
            limitValue: outcome.limitValue,
            used: outcome.used,
            requested: outcome.requested,
            resetsAt,
            retryAfterMillis: outcome.resetsAtMillis === null ? null : Math.max(0, outcome.resetsAtMillis - nowMillis),
          },
        },
      );
    }
    return new MeteredCall(this, start, outcome.reservation, this.#heartbeat.hold(outcome.reservation));
  }

  #recordDecision(decision: QuotaDecision, limit: string, tenantId: string): void {
    if (this.#options.metrics !== undefined) recordQuotaDecision(this.#options.metrics, decision, limit, tenantId);
  }

  /**
   * Settles and emits; never throws (a failed settle leaves the estimate counted: the tenant is
   * limited early, never late). The charged cost is the tokens' price, except for a FAILED call
   * when failed calls are not billed: zero, with its tokens still counted.
   */
  async record(start: MeteredCallStart, reservation: Reservation | undefined, outcome: CallOutcome): Promise<MeteredCost> {
    const unbilled = outcome.status === "FAILED" && this.#options.billFailedCalls !== true;
    const cost = unbilled ? 0 : costMicros(start.model.pricing, outcome.promptTokens, outcome.completionTokens);
    if (reservation !== undefined) {
      await this.#quotas.settle(reservation, { tokens: outcome.promptTokens + outcome.completionTokens, costMicros: cost }).catch((error: unknown) => {
        this.#options.logger.warn("quota reservation not settled; its estimate stays counted", { reservationId: reservation.reservationId, error });
      });
    }
    const latencyMillis = performance.now() - start.call.arrivedAt;
    // Cache hits ran no engine: the response cache's own series count them (platform/metrics/cache-metrics.ts).
    if (this.#options.metrics !== undefined && outcome.cacheHit !== true) {
      recordMeteredCall(this.#options.metrics, {
        modelId: start.model.id,
        genAi: { ...genAiModelOf(start.model), operation: genAiOperationOf(start.operation, start.genAiOperation) },
        operation: start.operation,
        status: outcome.status,
        tenantId: start.call.request.tenantId,
        promptTokens: outcome.promptTokens,
        completionTokens: outcome.completionTokens,
        durationMillis: latencyMillis,
        timeToFirstTokenMillis: outcome.timeToFirstTokenMillis,
      });
    }
    this.#sink.emit({
      eventId: start.eventId,
      requestId: start.call.request.requestId,
      tenantId: start.call.request.tenantId,
      apiKeyId: start.call.request.apiKeyId,
      modelId: start.model.id,
      operation: start.operation,
      status: outcome.status,
      errorCode: outcome.errorCode,
      promptTokens: outcome.promptTokens,
      completionTokens: outcome.completionTokens,
      ...(outcome.tokensEstimated === true ? { tokensEstimated: true } : {}),
      ...(outcome.cacheHit === true ? { cacheHit: true } : {}),
      latencyMillis,
      timeToFirstTokenMillis: outcome.timeToFirstTokenMillis,
      costMicros: cost,
      currency: start.model.pricing.currency,
      completionId: outcome.completionId,
      occurredAt: new Date().toISOString(),
    });
    if (start.call.metered !== undefined) {
      addMeteredUsage(start.call.metered, {
        calls: 1,
        promptTokens: outcome.promptTokens,
        completionTokens: outcome.completionTokens,
        costMicros: cost,
        currency: start.model.pricing.currency,
        mixedCurrencies: false,
      });
    }
    return { costMicros: cost, currency: start.model.pricing.currency };
  }
}

/** One admitted (or refused) call; `finish` once with its outcome. */
export class MeteredCall {
  readonly #meter: CallMeter;
  readonly #start: MeteredCallStart;
  readonly #reservation: Reservation | undefined;
  readonly #stopHeartbeat: () => void;
  #finished: Promise<MeteredCost> | undefined;

  constructor(meter: CallMeter, start: MeteredCallStart, reservation: Reservation | undefined, stopHeartbeat: () => void = () => {}) {
    this.#meter = meter;
    this.#start = start;
    this.#reservation = reservation;
    this.#stopHeartbeat = stopHeartbeat;
  }

  /** What `tokens` cost at the model's pricing when the call was opened; emits nothing (a record shows it before the call is finished). */
  priceOf(tokens: { promptTokens: number; completionTokens: number }): MeteredCost {
    return { costMicros: costMicros(this.#start.model.pricing, tokens.promptTokens, tokens.completionTokens), currency: this.#start.model.pricing.currency };
  }

  /** Stops renewing the stream slot, settles the quota and emits the usage event; later calls return the first result. */
  finish(outcome: CallOutcome): Promise<MeteredCost> {
    if (this.#finished === undefined) {
      this.#stopHeartbeat();
      this.#finished = this.#meter.record(this.#start, this.#reservation, outcome);
    }
    return this.#finished;
  }
}

/** A call refused before any work: metered as FAILED with no tokens. */
function refusal(errorCode: ErrorCode): CallOutcome {
  return { status: "FAILED", errorCode, promptTokens: 0, completionTokens: 0, timeToFirstTokenMillis: null, completionId: null };
}

/** The usage status and error code of a call that ended with `error` (an unexpected error counts as INTERNAL_SERVER_ERROR). */
export function failureOutcome(error: unknown, tokens: { promptTokens: number; completionTokens: number } = { promptTokens: 0, completionTokens: 0 }): CallOutcome {
  const code = error instanceof ServiceError ? error.code : ErrorCode.InternalServerError;
  return {
    status: code === ErrorCode.RequestCancelled ? "CANCELLED" : "FAILED",
    errorCode: code,
    ...tokens,
    timeToFirstTokenMillis: null,
    completionId: null,
  };
}

/** `gen_ai.operation.name` of a metered call: `embeddings`, `rerank`, or the generation's own (`chat` unless told). */
function genAiOperationOf(operation: UsageOperation, generation: string | undefined): string {
  if (operation === "EMBEDDING") return "embeddings";
  if (operation === "RERANKING") return "rerank";
  return generation ?? "chat";
}
