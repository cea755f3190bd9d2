import type { Redis } from "ioredis";
import type { Logger } from "../logging/logger.ts";
import type { AuditLog } from "./audit-log.ts";
import { EmbeddedAuditLog, type EmbeddedAuditLogOptions } from "./embedded-audit-log.ts";
import { LoggingAuditLog } from "./logging-audit-log.ts";
import { RedisAuditLog, type RedisAuditLogOptions } from "./redis-audit-log.ts";

export interface AuditLogBackends {
  /** The shared connection when STORE_BACKEND=redis (`SharedInfrastructure.redis`); it stays the caller's. */
  redis: Redis | undefined;
  /** Where the embedded log's files go (`CommonConfig.dataDirectory`). */
  dataDirectory: string;
  /** `CommonConfig.redisKeyPrefix`. */
  keyPrefix: string;
  /** Receives one `info` line per recorded event, errors and warnings. */
  logger: Logger;
}

export interface CreateAuditLogOptions {
  /** For the embedded log; see `EmbeddedAuditLogOptions.maximumFileBytes`. */
  maximumFileBytes?: EmbeddedAuditLogOptions["maximumFileBytes"];
  /** For the Redis log; see `RedisAuditLogOptions.maximumStreamLength`. */
  maximumStreamLength?: RedisAuditLogOptions["maximumStreamLength"];
}

/**
 * The audit log of this deployment: Redis streams, shared by every replica, when `redis` is set;
 * otherwise the append-only file in the data directory, shared by the processes of one host. Either
 * way every recorded event is also written as a log line (`LoggingAuditLog`).
 */
export function createAuditLog(backends: AuditLogBackends, options: CreateAuditLogOptions = {}): AuditLog {
  const store =
    backends.redis === undefined
      ? new EmbeddedAuditLog(backends.dataDirectory, { logger: backends.logger, maximumFileBytes: options.maximumFileBytes })
      : new RedisAuditLog(backends.redis, backends.keyPrefix, { logger: backends.logger, maximumStreamLength: options.maximumStreamLength });
  return new LoggingAuditLog(store, backends.logger);
}
