import type { Logger } from "../logging/logger.ts";
import { auditEventInputSchema, isAuditAction, type AuditEvent, type AuditEventInput } from "./audit-event.ts";
import type { AuditLog, AuditLogPage, AuditLogQuery } from "./audit-log.ts";

/** The message of the log line written for every recorded event. */
export const auditEventLogMessage = "audit event";
/** The message of the error line written when an event could not be stored. */
export const auditEventNotRecordedLogMessage = "audit event not recorded";

/**
 * Writes every event `inner` records as a structured log line too: `info` "audit event" with the
 * event's fields at the top level of the JSON line (`id`, `occurredAt`, `tenantId`, `action`, …,
 * `details` as an object), for log collectors and as a copy that outlives the store's retention.
 * When `inner` fails, writes `error` "audit event not recorded" with the event's fields (no `id`
 * or `occurredAt`: none was assigned) and the error, then rethrows: the action is still on record
 * somewhere, and the caller still sees the failure. (For an event that fails validation, a bug in
 * the caller, only its action and `invalid: true`: its fields may hold anything.)
 */
export class LoggingAuditLog implements AuditLog {
  readonly #inner: AuditLog;
  readonly #logger: Logger;

  constructor(inner: AuditLog, logger: Logger) {
    this.#inner = inner;
    this.#logger = logger;
  }

  async record(input: AuditEventInput): Promise<AuditEvent> {
    let event: AuditEvent;
    try {
      event = await this.#inner.record(input);
    } catch (error) {
      // An invalid event (a caller's bug) may hold anything, even a secret: only its action then.
      const fields = auditEventInputSchema.safeParse(input).success ? { ...input } : { action: isAuditAction(input.action) ? input.action : null, invalid: true };
      this.#logger.error(auditEventNotRecordedLogMessage, { ...fields, error });
      throw error;
    }
    this.#logger.info(auditEventLogMessage, { ...event });
    return event;
  }

  list(query: AuditLogQuery): Promise<AuditLogPage> {
    return this.#inner.list(query);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
