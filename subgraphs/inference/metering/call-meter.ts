import type { Logger } from "../../../platform/logging/logger.ts";
import { ErrorCode } from "../../../platform/errors/error-code.ts";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import type { ModelRecord } from "../../model-registry/model-record.ts";
import type { UsageEventSink } from "../../usage/events/usage-event-sink.ts";
import type { QuotaStore, Reservation, ReservationOutcome } from "../../usage/quota/quota-store.ts";
import type { UsageOperation, UsageStatus } from "../../usage/usage-event.ts";
import type { CallContext } from "../completion-service.ts";
import { addMeteredUsage } from "../../../platform/metering/metered-usage.ts";
import { costMicros } from "./cost.ts";

export interface CallMeterOptions {
  /**
   * What to do when quotas cannot be checked (Redis unreachable): false (the default) refuses the
   * call with SERVICE_UNAVAILABLE, so a limit can never be exceeded; true lets it through unmetered
   * against the quota (usage events are still buffered and delivered later).
   */
  failOpen: boolean;
  logger: Logger;
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
}

export interface MeteredCost {
  costMicros: number;
  currency: string;
}

/**
 * Quota and metering around one engine call: `open` reserves the estimate against the tenant's
 * quota before any engine work (all limits, atomically, across replicas), `finish` settles it
 * with what was used and emits the call's one usage event. A refused call is metered too.
 */
export class CallMeter {
  readonly #sink: UsageEventSink;
  readonly #quotas: QuotaStore;
  readonly #options: CallMeterOptions;

  constructor(sink: UsageEventSink, quotas: QuotaStore, options: CallMeterOptions) {
    this.#sink = sink;
    this.#quotas = quotas;
    this.#options = options;
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
      if (this.#options.failOpen) {
        this.#options.logger.warn("quota store unreachable; admitting the call unchecked (QUOTA_FAIL_OPEN=true)", { tenantId: call.request.tenantId, error });
        return new MeteredCall(this, start, undefined);
      }
      // Metered like any refused call: the event waits in the sink's buffer until Redis is back.
      await new MeteredCall(this, start, undefined).finish(refusal(ErrorCode.ServiceUnavailable));
      throw new ServiceError(ErrorCode.ServiceUnavailable, "Quotas cannot be checked right now (their store is unreachable), so the call was refused.", { cause: error });
    }
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
    return new MeteredCall(this, start, outcome.reservation);
  }

  /** Settles and emits; never throws (a failed settle leaves the estimate counted: the tenant is limited early, never late). */
  async record(start: MeteredCallStart, reservation: Reservation | undefined, outcome: CallOutcome): Promise<MeteredCost> {
    const cost = costMicros(start.model.pricing, outcome.promptTokens, outcome.completionTokens);
    if (reservation !== undefined) {
      await this.#quotas.settle(reservation, { tokens: outcome.promptTokens + outcome.completionTokens, costMicros: cost }).catch((error: unknown) => {
        this.#options.logger.warn("quota reservation not settled; its estimate stays counted", { reservationId: reservation.reservationId, error });
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
      latencyMillis: performance.now() - start.call.arrivedAt,
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
  #finished: Promise<MeteredCost> | undefined;

  constructor(meter: CallMeter, start: MeteredCallStart, reservation: Reservation | undefined) {
    this.#meter = meter;
    this.#start = start;
    this.#reservation = reservation;
  }

  /** Settles the quota and emits the usage event; later calls return the first result. */
  finish(outcome: CallOutcome): Promise<MeteredCost> {
    this.#finished ??= this.#meter.record(this.#start, this.#reservation, outcome);
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
