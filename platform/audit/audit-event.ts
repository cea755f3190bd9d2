import { z } from "zod";

/**
 * The security-relevant actions the audit log records (issue 14). Part of the public API (the
 * `auditEvents` query returns them as an enum): add new ones, never rename or reuse one.
 */
export const auditActions = [
  "API_KEY_CREATED",
  "API_KEY_REVOKED",
  "MODEL_REGISTERED",
  "MODEL_UPDATED",
  "MODEL_STATUS_CHANGED",
  "MODEL_DELETED",
  "QUOTA_SET",
  "QUOTA_REMOVED",
  "ROLE_DENIED",
] as const;

export type AuditAction = (typeof auditActions)[number];

export function isAuditAction(value: unknown): value is AuditAction {
  return typeof value === "string" && (auditActions as readonly string[]).includes(value);
}

/** A value in `AuditEvent.details`: flat, so every log collector can index it. */
export type AuditDetailValue = string | number | boolean | null;

/** One recorded security-relevant action. */
export interface AuditEvent {
  /**
   * Unique within the log, assigned when the event is recorded. Ids compare as plain strings in the
   * order the log keeps (newest is greatest): 13 decimal digits of epoch milliseconds, `-`, 16
   * lower-case hex digits (a sequence within the millisecond), e.g. `1764712800000-000000000000002a`.
   * Clients should still treat them as opaque.
   */
  id: string;
  /** When it was recorded (ISO 8601, UTC, milliseconds): the time in `id`. */
  occurredAt: string;
  /**
   * The tenant the action concerns (the owner of the key, the model or the quota), or for
   * `ROLE_DENIED` the caller's tenant. A tenant admin sees the events with its tenant here.
   */
  tenantId: string;
  /** The caller's tenant; `null` when the actor is not an API-key caller (an operator's CLI on the host). */
  actorTenantId: string | null;
  /** The caller's API key id (`key_…`, or `service:<name>`); `null` as for `actorTenantId`. */
  actorApiKeyId: string | null;
  /** The caller's roles at the time. */
  actorRoles: string[];
  action: AuditAction;
  /** What was acted on: `apiKey`, `model`, `quota`, or for `ROLE_DENIED` the operation (`operation`). */
  targetType: string;
  /** Its id: `key_…`, a model id, a tenant id, an operation or field name. */
  targetId: string;
  /** The request that did it (`RequestContext.requestId`); `null` outside a request (the CLI). */
  requestId: string | null;
  /**
   * A few facts about the change (changed fields, old and new status or engine base URL, the role
   * that was missing). Never secrets: keys, tokens, passwords (`record` refuses values that look
   * like API keys).
   */
  details: Record<string, AuditDetailValue>;
}

/** What a caller passes to `AuditLog.record`: the log assigns `id` and `occurredAt`. */
export type AuditEventInput = Omit<AuditEvent, "id" | "occurredAt">;

/** Size limits of an event, so one line stays small (a few KiB at most) in the file, the stream and the logs. */
export const auditEventLimits = {
  /** Longest `tenantId`, `actorTenantId`, `actorApiKeyId`, `requestId`, `targetType`. */
  identifierLength: 128,
  /** Longest `targetId` (a model id, an operation path). */
  targetIdLength: 256,
  roles: 16,
  roleLength: 64,
  detailEntries: 32,
  /** Detail keys: a letter, then letters, digits, `_` or `.`. */
  detailKeyLength: 64,
  detailStringLength: 2_048,
  /** Largest `details`, serialized as JSON, in bytes. */
  detailsBytes: 8_192,
} as const;

/** The shape of an id; see `AuditEvent.id`. */
export const auditEventIdPattern = /^\d{13}-[0-9a-f]{16}$/;

/** The id of the event at `millis` with `sequence` (0 to 2^64 - 1) within that millisecond. */
export function formatAuditEventId(millis: number, sequence: bigint): string {
  if (!Number.isSafeInteger(millis) || millis < 0 || millis > 9_999_999_999_999) throw new RangeError(`audit event time out of range: ${millis}`);
  if (sequence < 0n || sequence >= 1n << 64n) throw new RangeError(`audit event sequence out of range: ${sequence}`);
  return `${String(millis).padStart(13, "0")}-${sequence.toString(16).padStart(16, "0")}`;
}

/** The time and sequence in `id`, or `undefined` when it is not an audit event id. */
export function parseAuditEventId(id: string): { millis: number; sequence: bigint } | undefined {
  if (!auditEventIdPattern.test(id)) return undefined;
  return { millis: Number(id.slice(0, 13)), sequence: BigInt(`0x${id.slice(14)}`) };
}

/** Something shaped like an API key this project issues (`aig_` and 32 base64url characters; see api-key.ts). */
const apiKeyLike = /aig_[A-Za-z0-9_-]{32}/;

const identifier = z.string().min(1).max(auditEventLimits.identifierLength);
const detailValue = z.union([z.string().max(auditEventLimits.detailStringLength), z.number().finite(), z.boolean(), z.null()]);

const auditEventFields = {
  tenantId: identifier,
  actorTenantId: identifier.nullable(),
  actorApiKeyId: identifier.nullable(),
  actorRoles: z.array(z.string().min(1).max(auditEventLimits.roleLength)).max(auditEventLimits.roles),
  action: z.enum(auditActions),
  targetType: identifier,
  targetId: z.string().min(1).max(auditEventLimits.targetIdLength),
  requestId: identifier.nullable(),
  details: z
    .record(z.string().regex(new RegExp(`^[A-Za-z][A-Za-z0-9_.]{0,${auditEventLimits.detailKeyLength - 1}}$`)), detailValue)
    .refine((details) => Object.keys(details).length <= auditEventLimits.detailEntries, `at most ${auditEventLimits.detailEntries} details`)
    .refine((details) => Buffer.byteLength(JSON.stringify(details)) <= auditEventLimits.detailsBytes, `details must take at most ${auditEventLimits.detailsBytes} bytes as JSON`),
};

/**
 * Validates what `record` is given: strict (unknown fields are refused rather than stored), and no
 * string anywhere in it may look like an API key (the message never repeats the value).
 */
export const auditEventInputSchema = z
  .object(auditEventFields)
  .strict()
  .refine((input) => !JSON.stringify(input).match(apiKeyLike), "an audit event must not hold API keys");

/** A stored event without its id and time (as a Redis stream entry holds it); not strict, as below. */
export const storedAuditEventInputSchema = z.object(auditEventFields);

/**
 * A stored event, as read back from a file or a stream. Not strict: fields a newer version adds
 * are dropped rather than making an older reader skip the whole event during an upgrade.
 */
export const storedAuditEventSchema = z.object({
  id: z.string().regex(auditEventIdPattern),
  occurredAt: z.string(),
  ...auditEventFields,
});

/**
 * `input`, checked, with its fields in the canonical order. Throws a plain `Error` (an
 * INTERNAL_SERVER_ERROR to a client) when it breaks the schema: that is a bug in the caller.
 */
export function checkAuditEventInput(input: AuditEventInput): AuditEventInput {
  const result = auditEventInputSchema.safeParse(input);
  if (!result.success) throw new Error(`invalid audit event: ${z.prettifyError(result.error).replaceAll("\n", " ")}`);
  const checked = result.data;
  return {
    tenantId: checked.tenantId,
    actorTenantId: checked.actorTenantId,
    actorApiKeyId: checked.actorApiKeyId,
    actorRoles: [...checked.actorRoles],
    action: checked.action,
    targetType: checked.targetType,
    targetId: checked.targetId,
    requestId: checked.requestId,
    details: { ...checked.details },
  };
}

/** The event with `id` first (the embedded file's reader relies on every line starting with `{"id":"`). */
export function assembleAuditEvent(id: string, occurredAt: string, input: AuditEventInput): AuditEvent {
  return { id, occurredAt, ...input };
}
