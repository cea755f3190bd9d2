import { Redis } from "ioredis";
import { ErrorCode } from "../errors/error-code.ts";
import { ServiceError } from "../errors/service-error.ts";

export interface RedisConnectionOptions {
  /** How many times a command is retried while reconnecting before it fails. Default 1. */
  maxRetriesPerRequest?: number;
  /** Time to establish a connection, in milliseconds. Default 5000. */
  connectTimeoutMillis?: number;
}

/**
 * A Redis client that fails commands quickly while Redis is away (instead of queueing them without
 * bound), and reconnects in the background with capped backoff.
 */
export function createRedisConnection(url: string, options: RedisConnectionOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 1,
    connectTimeout: options.connectTimeoutMillis ?? 5_000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
    lazyConnect: false,
  });
}

/**
 * Runs a Redis call, turning its failures into service errors: Redis refusing a write because it
 * reached `maxmemory` becomes `STORE_FULL` (see `storeErrorOf`), anything else (connection lost,
 * timeout) a retryable `SERVICE_UNAVAILABLE`.
 */
export async function withRedis<Result>(operation: () => Promise<Result>): Promise<Result> {
  try {
    return await operation();
  } catch (error) {
    throw storeErrorOf(error);
  }
}

/** The service error a failed Redis call stands for (a `ServiceError` is returned as it is). */
export function storeErrorOf(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  if (isOutOfMemoryReply(error)) {
    return new ServiceError(ErrorCode.StoreFull, "The shared store (Redis) is full: it reached its maxmemory and refuses writes. An operator must raise maxmemory or shorten the retention.", {
      cause: error,
    });
  }
  return new ServiceError(ErrorCode.ServiceUnavailable, "The shared store (Redis) is unavailable; retry shortly.", { cause: error });
}

/**
 * True for Redis' refusal of a write over `maxmemory` under `noeviction` (`OOM command not allowed
 * when used memory > 'maxmemory'`), also when a script's write is refused (the reply then names the
 * script). Decided from the reply's error code, its first word.
 */
function isOutOfMemoryReply(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("OOM ");
}
