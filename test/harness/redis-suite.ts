import { after } from "node:test";
import { RedisUnavailableError, startTestRedis, type TestRedisOptions, type TestRedisServer } from "./redis-server.ts";

export interface ProvisionedRedis {
  /** The running server, when there is one. */
  server: TestRedisServer | undefined;
  /** Why Redis tests are skipped; pass as `describe(name, { skip })`. `false` when they run. */
  skip: string | false;
}

/**
 * Starts a real Redis for the calling test file (stopped after it). If none can be had, Redis
 * suites are skipped with the reason printed — except under CI=true, where this throws, so CI
 * never passes without having run them.
 */
export async function provisionRedis(options: TestRedisOptions = {}): Promise<ProvisionedRedis> {
  try {
    const server = await startTestRedis(options);
    after(() => server.stop());
    return { server, skip: false };
  } catch (error) {
    if (!(error instanceof RedisUnavailableError) || process.env.CI === "true") throw error;
    console.warn(`SKIPPING Redis tests: ${error.message}`);
    return { server: undefined, skip: error.message };
  }
}

/** The server of a suite that was not skipped. */
export function requireServer(provisioned: ProvisionedRedis): TestRedisServer {
  if (provisioned.server === undefined) throw new Error("Redis was not provisioned");
  return provisioned.server;
}
