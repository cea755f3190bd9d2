import type { NamedRule } from "./rate-limit-policy.ts";
import type { RuleOutcome } from "./rate-limit-store.ts";

/**
 * The response headers of a rate-limited request, in the format of the IETF draft
 * draft-ietf-httpapi-ratelimit-headers-11 (May 2026; the field syntax has held since -09):
 *
 *   RateLimit-Policy: "key";q=600;w=60, "tenant";q=3000;w=60, "key-concurrency";q=64;qu="concurrent-requests"
 *   RateLimit: "key";r=599;t=1, "tenant";r=2999;t=1, "key-concurrency";r=63
 *
 * Both are Structured Field Lists of Items: the policy name (a String), `q` the quota, `w` the
 * window in seconds (rates only), `qu` the quota unit when not the default "requests"; `r` the
 * quota available now, `t` the seconds until it is whole again (rates only; for a refused rule,
 * the seconds until a retry can pass, which `Retry-After` also says).
 */
export function rateLimitHeaders(rules: readonly NamedRule[], outcomes: readonly RuleOutcome[], admitted: boolean): Record<string, string> {
  if (rules.length === 0) return {};
  const policies = rules.map(({ policy, rule }) =>
    rule.kind === "rate" ? `"${policy}";q=${rule.limit};w=${Math.ceil(rule.windowMillis / 1_000)}` : `"${policy}";q=${rule.limit};qu="concurrent-requests"`,
  );
  const current: string[] = [];
  let retryAfterMillis = 0;
  rules.forEach(({ policy, rule }, index) => {
    const outcome = outcomes[index];
    if (outcome === undefined) return;
    if (!outcome.allowed) {
      retryAfterMillis = Math.max(retryAfterMillis, outcome.retryAfterMillis);
      current.push(`"${policy}";r=0;t=${secondsOf(outcome.retryAfterMillis)}`);
      // A refused response lists the refused policies only, so no `t` outlasts `Retry-After`.
    } else if (admitted) {
      current.push(rule.kind === "rate" && outcome.resetMillis !== null ? `"${policy}";r=${outcome.remaining};t=${secondsOf(outcome.resetMillis)}` : `"${policy}";r=${outcome.remaining}`);
    }
  });
  const headers: Record<string, string> = { "ratelimit-policy": policies.join(", "), ratelimit: current.join(", ") };
  if (!admitted) headers["retry-after"] = String(secondsOf(retryAfterMillis));
  return headers;
}

/** Whole seconds, rounded up, at least 1: a client told 0 would retry at once and be refused again. */
function secondsOf(millis: number): number {
  return Math.max(1, Math.ceil(millis / 1_000));
}
