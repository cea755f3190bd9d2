import assert from "node:assert/strict";
import { it } from "node:test";
import { auditActions, auditEventIdPattern, type AuditAction, type AuditEvent, type AuditEventInput } from "../../../platform/audit/audit-event.ts";
import { encodeAuditCursor, type AuditLog, type AuditLogQuery } from "../../../platform/audit/audit-log.ts";
import { encodeCursor } from "../../../platform/graphql/cursor.ts";

/**
 * Makes `instances` logs over one new, empty store, as that many processes or replicas would open
 * it (two on the same data directory; two connections with the same key prefix).
 */
export type CreateAuditLogs = (instances: number) => Promise<AuditLog[]>;

let counter = 0;

/** An event input; `overrides` replace its fields. */
export function auditInput(overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  counter += 1;
  return {
    tenantId: "acme",
    actorTenantId: "acme",
    actorApiKeyId: "key_0123456789ab",
    actorRoles: ["tenant-admin"],
    action: "API_KEY_CREATED",
    targetType: "apiKey",
    targetId: `key_${String(counter).padStart(12, "0")}`,
    requestId: `request-${counter}`,
    details: { name: "ci key", roles: "member" },
    ...overrides,
  };
}

/** Every event matching `query` (less `first` and `after`), paging `pageSize` at a time, and the pages' sizes. */
export async function listAll(log: AuditLog, query: Omit<AuditLogQuery, "first" | "after">, pageSize: number): Promise<{ events: AuditEvent[]; pageSizes: number[] }> {
  const events: AuditEvent[] = [];
  const pageSizes: number[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await log.list({ ...query, first: pageSize, after });
    events.push(...page.events);
    pageSizes.push(page.events.length);
    if (!page.hasNextPage) {
      assert.equal(page.endCursor, page.events.length === 0 ? null : encodeAuditCursor(page.events.at(-1)?.id ?? ""));
      return { events, pageSizes };
    }
    assert.ok(page.endCursor !== null && page.events.length === pageSize, "a page that says more follow is full and has a cursor");
    after = page.endCursor;
  }
}

function assertNewestFirst(events: readonly AuditEvent[]): void {
  for (let index = 1; index < events.length; index += 1) {
    assert.ok((events[index - 1] as AuditEvent).id > (events[index] as AuditEvent).id, `ids strictly decrease: ${events[index - 1]?.id} then ${events[index]?.id}`);
  }
}

async function badInput(promise: Promise<unknown>, field: string): Promise<void> {
  await assert.rejects(promise, { extensions: { code: "BAD_USER_INPUT", retryable: false, field } });
}

/** The behaviour every AuditLog must have; run against each implementation. */
export function auditLogContract(createLogs: CreateAuditLogs): void {
  async function newLog(): Promise<AuditLog> {
    const [log] = await createLogs(1);
    assert.ok(log !== undefined);
    return log;
  }

  it("records an event with a new id and time, and returns it as stored", async () => {
    const log = await newLog();
    const input = auditInput({
      tenantId: "globex",
      actorTenantId: null,
      actorApiKeyId: null,
      actorRoles: [],
      action: "MODEL_UPDATED",
      targetType: "model",
      targetId: "demo-chat",
      requestId: null,
      details: { field: "engine.baseUrl", oldBaseUrl: "https://a.example/v1", newBaseUrl: "https://b.example/v1", version: 3, enabled: true, alias: null },
    });
    const event = await log.record(input);
    assert.match(event.id, auditEventIdPattern);
    assert.equal(new Date(event.occurredAt).toISOString(), event.occurredAt, "ISO 8601 with milliseconds, UTC");
    assert.equal(Date.parse(event.occurredAt), Number(event.id.slice(0, 13)), "the time in the id");
    assert.deepEqual(event, { id: event.id, occurredAt: event.occurredAt, ...input });
    const page = await log.list({ first: 10 });
    assert.deepEqual(page, { events: [event], hasNextPage: false, endCursor: encodeAuditCursor(event.id) });
    await log.close();
  });

  it("answers an empty page with no cursor when nothing matches", async () => {
    const log = await newLog();
    assert.deepEqual(await log.list({ first: 5 }), { events: [], hasNextPage: false, endCursor: null });
    await log.record(auditInput({ tenantId: "acme" }));
    assert.deepEqual(await log.list({ first: 5, tenantId: "nobody" }), { events: [], hasNextPage: false, endCursor: null });
    assert.deepEqual(await log.list({ first: 5, action: "QUOTA_REMOVED" }), { events: [], hasNextPage: false, endCursor: null });
    await log.close();
  });

  it("lists newest first, with ids that increase in recording order", async () => {
    const log = await newLog();
    const recorded: AuditEvent[] = [];
    for (let index = 0; index < 7; index += 1) recorded.push(await log.record(auditInput({ details: { index } })));
    const page = await log.list({ first: 100 });
    assert.deepEqual(page.events.map((event) => event.details.index), [6, 5, 4, 3, 2, 1, 0]);
    assert.deepEqual(page.events, [...recorded].reverse());
    assertNewestFirst(page.events);
    await log.close();
  });

  it("pages through every event once, without gaps or duplicates, whatever the page size", async () => {
    const log = await newLog();
    const recorded: AuditEvent[] = [];
    for (let index = 0; index < 23; index += 1) recorded.push(await log.record(auditInput({ tenantId: index % 3 === 0 ? "globex" : "acme", details: { index } })));
    const newestFirst = [...recorded].reverse();
    for (const pageSize of [1, 5, 22, 23, 100]) {
      const { events, pageSizes } = await listAll(log, {}, pageSize);
      assert.deepEqual(events, newestFirst, `page size ${pageSize}`);
      assert.equal(pageSizes.length, Math.max(1, Math.ceil(23 / pageSize)), `page size ${pageSize}: pages`);
    }
    // The last page's cursor leads to an empty page.
    const last = await log.list({ first: 100, after: encodeAuditCursor(recorded[0]?.id ?? "") });
    assert.deepEqual(last, { events: [], hasNextPage: false, endCursor: null });
    await log.close();
  });

  it("keeps pages stable while events are recorded between them: newer ones wait for a new first page", async () => {
    const log = await newLog();
    const older: AuditEvent[] = [];
    for (let index = 0; index < 6; index += 1) older.push(await log.record(auditInput({ details: { index } })));
    const first = await log.list({ first: 3 });
    assert.deepEqual(first.events, older.slice(3).reverse());
    const newer = [await log.record(auditInput({ details: { index: 6 } })), await log.record(auditInput({ details: { index: 7 } }))];
    const second = await log.list({ first: 3, after: first.endCursor });
    assert.deepEqual(second.events, older.slice(0, 3).reverse());
    assert.equal(second.hasNextPage, false);
    assert.deepEqual((await log.list({ first: 2 })).events, [...newer].reverse());
    await log.close();
  });

  it("filters by tenant (a tenant sees only its own events), by action, and by both, with pagination", async () => {
    const log = await newLog();
    const plan: [string, AuditAction][] = [];
    for (let index = 0; index < 30; index += 1) {
      plan.push([["acme", "globex", "initech"][index % 3] as string, (["MODEL_REGISTERED", "ROLE_DENIED", "QUOTA_SET", "ROLE_DENIED"] as const)[index % 4] as AuditAction]);
    }
    const recorded: AuditEvent[] = [];
    for (const [tenantId, action] of plan) recorded.push(await log.record(auditInput({ tenantId, action, actorTenantId: "platform" })));
    const newestFirst = [...recorded].reverse();

    const acme = await listAll(log, { tenantId: "acme" }, 4);
    assert.deepEqual(acme.events, newestFirst.filter((event) => event.tenantId === "acme"));
    assert.equal(acme.events.length, 10);

    const denied = await listAll(log, { action: "ROLE_DENIED" }, 6);
    assert.deepEqual(denied.events, newestFirst.filter((event) => event.action === "ROLE_DENIED"));
    assert.equal(denied.events.length, 15);

    const both = await listAll(log, { tenantId: "globex", action: "ROLE_DENIED" }, 2);
    assert.deepEqual(both.events, newestFirst.filter((event) => event.tenantId === "globex" && event.action === "ROLE_DENIED"));
    assert.equal(both.events.length, 5);

    // `null` for action is no filter; a cursor from one filter pages another from that point.
    assert.equal((await listAll(log, { action: null }, 100)).events.length, 30);
    const midpoint = newestFirst[9] as AuditEvent;
    const afterMidpoint = await log.list({ first: 100, tenantId: "acme", after: encodeAuditCursor(midpoint.id) });
    assert.deepEqual(afterMidpoint.events, newestFirst.slice(10).filter((event) => event.tenantId === "acme"));
    await log.close();
  });

  it("stores every action and every kind of detail value", async () => {
    const log = await newLog();
    for (const action of auditActions) await log.record(auditInput({ action, details: { text: "é ✓ \"quoted\" \n newline", count: -1.5, flag: false, nothing: null } }));
    const { events } = await listAll(log, {}, 100);
    assert.deepEqual(events.map((event) => event.action), [...auditActions].reverse());
    for (const event of events) assert.deepEqual(event.details, { text: "é ✓ \"quoted\" \n newline", count: -1.5, flag: false, nothing: null });
    await log.close();
  });

  it("refuses invalid events (a bug in the caller) and stores nothing of them", async () => {
    const log = await newLog();
    const invalid: unknown[] = [
      { ...auditInput(), action: "KEY_STOLEN" },
      { ...auditInput(), tenantId: "" },
      { ...auditInput(), details: { nested: { a: 1 } } },
      { ...auditInput(), details: { "bad key": 1 } },
      { ...auditInput(), details: { big: "x".repeat(2_049) } },
      { ...auditInput(), details: Object.fromEntries(Array.from({ length: 33 }, (_, index) => [`k${index}`, index])) },
      { ...auditInput(), details: { leaked: `Bearer aig_${"A".repeat(32)}` } },
      { ...auditInput(), targetId: `aig_${"B".repeat(32)}` },
      { ...auditInput(), extra: "field" },
      { ...auditInput(), actorRoles: "member" },
    ];
    for (const input of invalid) {
      await assert.rejects(log.record(input as AuditEventInput), (error: Error) => error.constructor === Error && /invalid audit event/.test(error.message), JSON.stringify(input));
    }
    assert.deepEqual((await log.list({ first: 100 })).events, []);
    await log.close();
  });

  it("answers BAD_USER_INPUT for a page size out of 1..100, a cursor it did not issue, or an empty tenant", async () => {
    const log = await newLog();
    await log.record(auditInput());
    for (const first of [0, 101, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) await badInput(log.list({ first }), "first");
    await badInput(log.list({ first: "10" as unknown as number }), "first");
    for (const after of ["", "not a cursor!", "bm90LWEtY3Vyc29y", encodeCursor("demo-chat"), encodeCursor("audit:123-abc"), encodeCursor("1764712800000-000000000000002a")]) {
      await badInput(log.list({ first: 10, after }), "after");
    }
    await badInput(log.list({ first: 10, tenantId: "" }), "tenantId");
    await badInput(log.list({ first: 10, tenantId: null as unknown as string }), "tenantId");
    await badInput(log.list({ first: 10, action: "KEY_STOLEN" as AuditAction }), "action");
    // A well-formed cursor for an event that is not (or no longer) there still pages from its place.
    assert.equal((await log.list({ first: 10, after: encodeAuditCursor("0000000000001-0000000000000000") })).events.length, 0);
    assert.equal((await log.list({ first: 10, after: encodeAuditCursor("9999999999999-ffffffffffffffff") })).events.length, 1);
    await log.close();
  });

  it("loses no event when many are recorded at once, through one instance or several", async () => {
    const [first, second] = await createLogs(2);
    assert.ok(first !== undefined && second !== undefined);
    const recorded = await Promise.all(Array.from({ length: 60 }, (_, index) => (index % 2 === 0 ? first : second).record(auditInput({ tenantId: index % 4 < 2 ? "acme" : "globex", details: { index } }))));
    assert.equal(new Set(recorded.map((event) => event.id)).size, 60, "unique ids");
    for (const log of [first, second]) {
      const { events } = await listAll(log, {}, 7);
      assertNewestFirst(events);
      assert.deepEqual([...events].sort((left, right) => Number(left.details.index) - Number(right.details.index)), recorded);
      assert.equal((await listAll(log, { tenantId: "globex" }, 100)).events.length, 30);
    }
    await Promise.all([first.close(), second.close()]);
  });
}
