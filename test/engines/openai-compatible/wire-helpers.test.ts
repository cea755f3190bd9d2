import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { APIConnectionError, APIError, APIUserAbortError } from "openai";
import { EngineError } from "../../../engines/engine-error.ts";
import { normalizeErrorBody } from "../../../engines/openai-compatible/error-body-normalizing-fetch.ts";
import { finishReasonFromUpstream } from "../../../engines/openai-compatible/finish-reason.ts";
import { toEngineError } from "../../../engines/openai-compatible/upstream-error.ts";
import { apportionTotal } from "../../../engines/openai-compatible/usage-apportionment.ts";

describe("apportionTotal", () => {
  it("splits in proportion and always sums to the total", () => {
    assert.deepEqual(apportionTotal(10, [1, 1]), [5, 5]);
    assert.deepEqual(apportionTotal(10, [1, 2, 2]), [2, 4, 4]);
    assert.deepEqual(apportionTotal(7, [1, 1, 1]), [3, 2, 2]);
    assert.deepEqual(apportionTotal(5, [0, 0]), [3, 2]);
    assert.deepEqual(apportionTotal(3, []), []);
    const parts = apportionTotal(1_001, [3, 17, 5, 11]);
    assert.equal(parts.reduce((sum, part) => sum + part, 0), 1_001);
  });
});

describe("normalizeErrorBody", () => {
  it("wraps older vLLM and TGI bodies into OpenAI's shape and leaves OpenAI's alone", () => {
    assert.deepEqual(JSON.parse(normalizeErrorBody('{"object":"error","message":"m","type":"BadRequestError","param":null,"code":400}') ?? "null"), {
      error: { message: "m", type: "BadRequestError", code: 400 },
    });
    assert.deepEqual(JSON.parse(normalizeErrorBody('{"error":"Input validation error","error_type":"validation"}') ?? "null"), {
      error: { message: "Input validation error", type: "validation" },
    });
    assert.equal(normalizeErrorBody('{"error":{"message":"m","type":"t","code":"c"}}'), undefined);
    assert.equal(normalizeErrorBody("Internal Server Error"), undefined);
    assert.equal(normalizeErrorBody('{"detail":"Not Found"}'), undefined);
  });
});

describe("finishReasonFromUpstream", () => {
  it("keeps length apart and treats every other reason as stop", () => {
    assert.equal(finishReasonFromUpstream("length"), "length");
    for (const reason of ["stop", "eos_token", "stop_sequence", "content_filter", "tool_calls"]) assert.equal(finishReasonFromUpstream(reason), "stop");
    assert.equal(finishReasonFromUpstream(null), undefined);
    assert.equal(finishReasonFromUpstream(undefined), undefined);
  });
});

describe("toEngineError", () => {
  const context = { operation: "POST /test", timedOut: false };

  it("maps SDK and transport errors", () => {
    assert.equal(toEngineError(new APIConnectionError({ message: "Connection error." }), context).code, "unavailable");
    assert.equal(toEngineError(new APIUserAbortError(), context).code, "cancelled");
    assert.equal(toEngineError(new TypeError("terminated"), context).code, "unavailable");
    assert.equal(toEngineError(new SyntaxError("Unexpected token"), context).code, "invalid-response");
    assert.equal(toEngineError(new APIUserAbortError(), { ...context, timedOut: true }).code, "timeout");
    const original = new EngineError("invalid-response", "already mapped");
    assert.equal(toEngineError(original, context), original);
  });

  it("maps statuses and keeps upstream details", () => {
    const headers = new Headers({ "retry-after": "3" });
    const rateLimited = toEngineError(APIError.generate(429, { error: { message: "slow down" } }, undefined, headers), context);
    assert.equal(rateLimited.code, "rate-limited");
    assert.equal(rateLimited.retryAfterMillis, 3_000);
    const overloaded = toEngineError(APIError.generate(503, { error: { message: "busy" } }, undefined, headers), context);
    assert.equal(overloaded.code, "unavailable");
    assert.equal(overloaded.retryAfterMillis, 3_000);
    assert.equal(toEngineError(APIError.generate(408, undefined, "timeout", new Headers()), context).code, "timeout");
    const overflow = toEngineError(APIError.generate(400, { error: { message: "x", code: "context_length_exceeded" } }, undefined, new Headers()), context);
    assert.equal(overflow.code, "context-overflow");
    assert.match(overflow.message, /POST \/test: the upstream engine answered HTTP 400/);
    assert.equal(toEngineError(new APIError(undefined, { message: "engine dead", code: 500 }, undefined, undefined), context).code, "unavailable");
  });
});
