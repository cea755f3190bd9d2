import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { clientAddress, normalizeAddress } from "../../../gateway/rate-limits/client-address.ts";
import { rateLimitHeaders } from "../../../gateway/rate-limits/rate-limit-headers.ts";
import { addressRules, callerRules, defaultRateLimitSettings } from "../../../gateway/rate-limits/rate-limit-policy.ts";

function request(remoteAddress: string, forwardedFor?: string): IncomingMessage {
  return { socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor } } as unknown as IncomingMessage;
}

describe("client address", () => {
  it("is the socket's peer unless proxies are trusted, whatever X-Forwarded-For claims", () => {
    assert.equal(clientAddress(request("192.0.2.10", "203.0.113.5"), 0), "192.0.2.10");
    assert.equal(clientAddress(request("10.0.0.2", "203.0.113.5"), 1), "203.0.113.5");
    // The client wrote the left entries itself; the trusted proxy appended the right one.
    assert.equal(clientAddress(request("10.0.0.2", "1.1.1.1, 8.8.8.8, 203.0.113.5"), 1), "203.0.113.5");
    assert.equal(clientAddress(request("10.0.0.3", "1.1.1.1, 203.0.113.5, 10.0.0.2"), 2), "203.0.113.5");
    assert.equal(clientAddress(request("10.0.0.3", "203.0.113.5"), 2), "203.0.113.5", "fewer entries than hops: the leftmost");
    assert.equal(clientAddress(request("10.0.0.2"), 1), "10.0.0.2", "no header: the peer");
    assert.equal(clientAddress(request("10.0.0.2", "not-an-address"), 1), "10.0.0.2");
  });

  it("counts IPv4-mapped IPv6 as IPv4 and other IPv6 per /64", () => {
    assert.equal(normalizeAddress("::ffff:192.0.2.1"), "192.0.2.1");
    assert.equal(normalizeAddress("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
    assert.equal(normalizeAddress("2001:db8:1:2::ffff"), "2001:db8:1:2::/64");
    assert.equal(normalizeAddress("2001:0db8::1"), "2001:db8:0:0::/64");
    assert.equal(normalizeAddress("fe80::1%eth0"), "fe80:0:0:0::/64");
    assert.equal(normalizeAddress("::1"), "0:0:0:0::/64");
    assert.equal(normalizeAddress("::ffff:0:192.0.2.1"), "0:0:0:0::/64");
  });
});

describe("rate-limit policies and headers", () => {
  it("name a rule per configured limit, none for 0 (unlimited)", () => {
    const caller = { apiKeyId: "key_1", tenantId: "acme" };
    assert.deepEqual(callerRules(defaultRateLimitSettings, caller).map(({ policy }) => policy), ["key", "tenant", "key-concurrency", "tenant-concurrency"]);
    assert.deepEqual(callerRules({ ...defaultRateLimitSettings, requestsPerMinutePerTenant: 0, concurrentRequestsPerKey: 0 }, caller).map(({ policy }) => policy), ["key", "tenant-concurrency"]);
    assert.deepEqual(addressRules({ ...defaultRateLimitSettings, requestsPerMinutePerAddress: 0 }, "192.0.2.1"), []);
  });

  it("follow draft-ietf-httpapi-ratelimit-headers: policies with quota and window, current quota and reset, Retry-After on refusal", () => {
    const rules = callerRules(defaultRateLimitSettings, { apiKeyId: "key_1", tenantId: "acme" });
    const allowed = { allowed: true, remaining: 0, resetMillis: 0, retryAfterMillis: 0 };
    assert.deepEqual(
      rateLimitHeaders(rules, [{ ...allowed, remaining: 599, resetMillis: 100 }, { ...allowed, remaining: 2_999, resetMillis: 20 }, { ...allowed, remaining: 63, resetMillis: null }, { ...allowed, remaining: 127, resetMillis: null }], true),
      {
        "ratelimit-policy": '"key";q=600;w=60, "tenant";q=3000;w=60, "key-concurrency";q=64;qu="concurrent-requests", "tenant-concurrency";q=128;qu="concurrent-requests"',
        ratelimit: '"key";r=599;t=1, "tenant";r=2999;t=1, "key-concurrency";r=63, "tenant-concurrency";r=127',
      },
    );
    const refused = rateLimitHeaders(rules, [{ allowed: false, remaining: 0, resetMillis: 60_000, retryAfterMillis: 2_500 }, { ...allowed, remaining: 5, resetMillis: 59_000 }, { allowed: false, remaining: 0, resetMillis: null, retryAfterMillis: 1_000 }, allowed], false);
    assert.equal(refused.ratelimit, '"key";r=0;t=3, "key-concurrency";r=0;t=1');
    assert.equal(refused["retry-after"], "3");
  });
});
