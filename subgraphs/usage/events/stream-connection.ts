import type { Redis } from "ioredis";
import type { Logger } from "../../../platform/logging/logger.ts";

/**
 * A connection of its own for a stream client, made from the caller's (same server, same
 * credentials), that fails every command at once while Redis is away: nothing queues inside ioredis
 * (the client buffers in its own bounded memory and retries), and nothing half-sent is silently
 * resent on reconnect (the client decides what to retry). It reconnects forever, with capped backoff.
 */
export function openStreamConnection(redis: Redis, logger: Logger, role: string): Redis {
  const connection = redis.duplicate({
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    lazyConnect: false,
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 2_000),
    connectionName: role,
  });
  // Connection errors repeat on every reconnect attempt; the client logs the outage once.
  connection.on("error", (error: Error) => logger.debug(`${role} connection error`, { error: error.message }));
  return connection;
}

/** Whether `connection` is ready, waiting up to `timeoutMillis` for it to become so. */
export function waitUntilReady(connection: Redis, timeoutMillis: number): Promise<boolean> {
  if (connection.status === "ready") return Promise.resolve(true);
  return new Promise((resolve) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      connection.off("ready", onReady);
      resolve(connection.status === "ready");
    }, timeoutMillis);
    connection.once("ready", onReady);
  });
}

/** Closes `connection`: politely when Redis answers, at once when it does not. */
export async function releaseConnection(connection: Redis): Promise<void> {
  if (connection.status === "end") return;
  if (connection.status !== "ready") {
    connection.disconnect();
    return;
  }
  await connection.quit().catch(() => connection.disconnect());
}
