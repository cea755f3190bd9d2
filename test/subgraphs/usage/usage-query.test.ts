import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RequestContext } from "../../../platform/context/request-context.ts";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import { quotaFromInput } from "../../../subgraphs/usage/quota-input.ts";
import { modelUsageTenant, validateUsageQuery } from "../../../subgraphs/usage/usage-query.ts";

const member: RequestContext = { requestId: "r", tenantId: "acme", apiKeyId: "k", roles: ["member"] };
const admin: RequestContext = { ...member, roles: ["platform-admin"] };
const range = { from: "2026-11-22T05:30:00Z", to: "2026-11-23T00:00:00Z" };

function codeOf(run: () => unknown): { code: string; field: unknown } {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ServiceError);
    return { code: error.code, field: error.extensions.field };
  }
  assert.fail("expected a ServiceError");
}

describe("usage queries", () => {
  it("scope a member to its own tenant and round the start down to the hour", () => {
    const query = validateUsageQuery(range, member);
    assert.deepEqual(query.store, { from: new Date("2026-11-22T05:00:00Z"), to: new Date("2026-11-23T00:00:00Z"), tenantId: "acme" });
    assert.equal(query.granularity, "DAY");
    assert.deepEqual(query.groupBy, ["MODEL"]);
    assert.equal(validateUsageQuery({ ...range, tenantId: "acme" }, member).store.tenantId, "acme");
  });

  it("let only admins read another tenant or all", () => {
    assert.equal(codeOf(() => validateUsageQuery({ ...range, tenantId: "globex" }, member)).code, "FORBIDDEN");
    assert.equal(codeOf(() => validateUsageQuery({ ...range, allTenants: true }, member)).code, "FORBIDDEN");
    assert.equal(validateUsageQuery({ ...range, tenantId: "globex" }, admin).store.tenantId, "globex");
    assert.equal(validateUsageQuery({ ...range, allTenants: true }, admin).store.tenantId, undefined);
    assert.equal(modelUsageTenant(admin, true), undefined);
    assert.equal(modelUsageTenant(admin, false), "acme");
    assert.equal(codeOf(() => modelUsageTenant(member, true)).code, "FORBIDDEN");
  });

  it("refuse backwards, unparsable and overlong ranges", () => {
    assert.deepEqual(codeOf(() => validateUsageQuery({ from: range.to, to: range.from }, member)), { code: "BAD_USER_INPUT", field: "input.to" });
    assert.deepEqual(codeOf(() => validateUsageQuery({ from: "yesterday", to: range.to }, member)), { code: "BAD_USER_INPUT", field: "input.from" });
    assert.deepEqual(codeOf(() => validateUsageQuery({ from: "2025-01-01T00:00:00Z", to: "2026-11-23T00:00:00Z" }, member)), { code: "BAD_USER_INPUT", field: "input.to" });
  });
});

describe("quota input", () => {
  const now = new Date("2026-11-22T05:00:00Z");

  it("keeps money in millionths and unset limits as unlimited", () => {
    assert.deepEqual(quotaFromInput({ tenantId: "acme", tokensPerMinute: 1000, costPerMonth: 12.5 }, now), {
      tenantId: "acme",
      tokensPerMinute: 1000,
      tokensPerDay: null,
      costMicrosPerMonth: 12_500_000,
      concurrentStreams: null,
      updatedAt: "2026-11-22T05:00:00.000Z",
    });
  });

  it("refuses zero, fractions, negative money and bad tenant ids", () => {
    assert.deepEqual(codeOf(() => quotaFromInput({ tenantId: "acme", tokensPerDay: 0 }, now)), { code: "BAD_USER_INPUT", field: "input.tokensPerDay" });
    assert.deepEqual(codeOf(() => quotaFromInput({ tenantId: "acme", concurrentStreams: 1.5 }, now)), { code: "BAD_USER_INPUT", field: "input.concurrentStreams" });
    assert.deepEqual(codeOf(() => quotaFromInput({ tenantId: "acme", costPerMonth: -1 }, now)), { code: "BAD_USER_INPUT", field: "input.costPerMonth" });
    assert.deepEqual(codeOf(() => quotaFromInput({ tenantId: "a b", tokensPerDay: 5 }, now)), { code: "BAD_USER_INPUT", field: "input.tenantId" });
  });
});
