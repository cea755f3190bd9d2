import { badUserInput } from "../errors/service-error.ts";
import { decodeCursor, encodeCursor } from "../graphql/cursor.ts";
import { auditEventIdPattern, auditEventLimits, isAuditAction, type AuditAction, type AuditEvent, type AuditEventInput } from "./audit-event.ts";

/** One page request of `AuditLog.list`. */
export interface AuditLogQuery {
  /**
   * Only the events of this tenant (`AuditEvent.tenantId`). `undefined`: every tenant's, which only
   * platform admins may see: a resolver serving anyone else must always pass the caller's tenant.
   * (`null` is refused as BAD_USER_INPUT rather than read as "every tenant".)
   */
  tenantId?: string;
  /** Only events with this action; `undefined` or `null`: every action. */
  action?: AuditAction | null;
  /** Page size, 1 to 100 (`auditLogPageLimits`). */
  first: number;
  /** `endCursor` of the previous page; `undefined` or `null` for the newest events. */
  after?: string | null;
}

/** One page, newest event first. */
export interface AuditLogPage {
  events: AuditEvent[];
  /** Whether older events match the query after this page. */
  hasNextPage: boolean;
  /** Cursor of the page's last (oldest) event, to pass as `after`; `null` for an empty page. */
  endCursor: string | null;
}

/**
 * The audit log of security-relevant actions (issue 14): written by the resolvers that perform
 * them, read by the `auditEvents` query.
 *
 * Failures are never silent, and `record` fails closed: when the event cannot be stored it throws
 * a retryable `ServiceError` SERVICE_UNAVAILABLE (the logging decorator, `LoggingAuditLog`, also
 * writes the event in an `error` log line first, so it is not lost). A resolver records after its
 * change succeeded and lets that error fail the request: the client then knows the outcome is not
 * confirmed and retries (the stores' writes are idempotent or version-checked). For a denial
 * (`ROLE_DENIED`) the request is refused either way; the resolver may keep answering FORBIDDEN and
 * rely on the error line. An invalid event (see `auditEventInputSchema`) is a bug in the caller:
 * `record` throws a plain `Error` and stores nothing.
 */
export interface AuditLog {
  /** Stores `event`, assigning its `id` and `occurredAt`, and resolves once it is durable. */
  record(event: AuditEventInput): Promise<AuditEvent>;
  /**
   * A page of events, newest first. Cursors hold the last event's id, so pages stay gap- and
   * duplicate-free while events are recorded between requests (those newer than the first page are
   * not shown until a client starts over). Throws BAD_USER_INPUT for a `first` out of range or an
   * `after` this log did not issue.
   */
  list(query: AuditLogQuery): Promise<AuditLogPage>;
  /** Releases what the log holds (not a Redis connection it was given). */
  close(): Promise<void>;
}

export const auditLogPageLimits = { minimum: 1, maximum: 100 } as const;

/** A query checked by `checkAuditLogQuery`. */
export interface CheckedAuditLogQuery {
  tenantId: string | undefined;
  action: AuditAction | undefined;
  first: number;
  /** The id the page starts after (exclusive), from the cursor. */
  afterId: string | undefined;
}

/** Validates a query as every implementation does, throwing `badUserInput` naming the argument at fault. */
export function checkAuditLogQuery(query: AuditLogQuery): CheckedAuditLogQuery {
  const { tenantId, action, first, after } = query;
  if (typeof first !== "number" || !Number.isInteger(first) || first < auditLogPageLimits.minimum || first > auditLogPageLimits.maximum) {
    throw badUserInput("first", `first must be between ${auditLogPageLimits.minimum} and ${auditLogPageLimits.maximum}, got ${String(first)}.`);
  }
  if (tenantId !== undefined && (typeof tenantId !== "string" || tenantId === "" || tenantId.length > auditEventLimits.identifierLength)) {
    throw badUserInput("tenantId", "tenantId must be a tenant id.");
  }
  if (action !== undefined && action !== null && !isAuditAction(action)) {
    throw badUserInput("action", `action must be an audit action, got ${String(action)}.`);
  }
  let afterId: string | undefined;
  if (after !== undefined && after !== null) {
    afterId = typeof after === "string" ? decodeAuditCursor(after) : undefined;
    if (afterId === undefined) throw badUserInput("after", "after is not a cursor returned by auditEvents; pass pageInfo.endCursor.");
  }
  return { tenantId, action: action ?? undefined, first, afterId };
}

/** The cursor that pages after the event with this id. */
export function encodeAuditCursor(id: string): string {
  return encodeCursor(`audit:${id}`);
}

/** The event id in `cursor`, or `undefined` when it is not an audit log cursor. */
export function decodeAuditCursor(cursor: string): string | undefined {
  const sortKey = decodeCursor(cursor);
  if (sortKey === undefined || !sortKey.startsWith("audit:")) return undefined;
  const id = sortKey.slice("audit:".length);
  return auditEventIdPattern.test(id) ? id : undefined;
}

/** The page of `matching` (newest first, at most `first + 1` of them): `first` events and whether more follow. */
export function toAuditLogPage(matching: readonly AuditEvent[], first: number): AuditLogPage {
  const events = matching.slice(0, first);
  const last = events.at(-1);
  return { events, hasNextPage: matching.length > first, endCursor: last === undefined ? null : encodeAuditCursor(last.id) };
}
