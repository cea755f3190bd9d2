/**
 * Rate limits far above what any test sends, so tests that make hundreds of requests with one key
 * from one address are never throttled; the limiter still runs on every request. Tests of the
 * limits themselves set their own (test/gateway/rate-limits/), including the real defaults.
 */
export const testRateLimits: NodeJS.ProcessEnv = {
  RATE_LIMIT_REQUESTS_PER_MINUTE_PER_KEY: "1000000",
  RATE_LIMIT_REQUESTS_PER_MINUTE_PER_TENANT: "1000000",
  RATE_LIMIT_REQUESTS_PER_MINUTE_PER_IP: "1000000",
  RATE_LIMIT_CONCURRENT_REQUESTS_PER_KEY: "100000",
  RATE_LIMIT_CONCURRENT_REQUESTS_PER_TENANT: "100000",
};
