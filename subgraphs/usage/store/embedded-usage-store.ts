import { existsSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { openSqliteDatabase, type SqliteDatabase } from "../../../platform/storage/sqlite-database.ts";
import type { UsageEvent } from "../usage-event.ts";
import { toUsageBucket, usageDocumentSchema, type StoredBucket } from "./embedded-usage-document.ts";
import { compareBuckets, hourStartMillisOf, millisPerHour, queryHourRange, statusCounter } from "./hourly-buckets.ts";
import { latencyBucketIndex } from "./latency-histogram.ts";
import { resolveUsageStoreOptions, type UsageStoreOptions } from "./usage-store-options.ts";
import type { UsageBucket, UsageQuery, UsageStore } from "./usage-store.ts";

/** The database file under the data directory. */
export const usageDatabaseFileName = "usage.sqlite";
/** The JSON file of earlier versions, imported on first start and then renamed `usage.json.migrated`. */
export const legacyUsageFileName = "usage.json";

/**
 * Usage in SQLite, `usage.sqlite` under the data directory: the default, for one process that
 * emits and aggregates (the inference process) and readers in others (the usage subgraph). Each
 * `apply` is one transaction, so a crash keeps either all of a batch or none of it.
 *
 * Two tables: `usage_buckets` (one row per tenant, model and hour, the bucket as JSON) and
 * `applied_events` (one row per event id applied within `eventRetentionMillis`, indexed by the
 * hour it was applied in). An apply reads and writes only the rows of its events, so its cost
 * stays flat as history grows (bench/embedded-store.ts; the JSON file it replaces was rewritten
 * whole on every apply: 74 ms per apply at 200k retained ids). A `usage.json` left by an earlier
 * version is imported on first start (see `migrateLegacyFile`).
 */
export class EmbeddedUsageStore implements UsageStore {
  readonly #database: SqliteDatabase;
  readonly #options: Required<UsageStoreOptions>;
  readonly #applyBatch: (events: readonly UsageEvent[]) => { applied: number; duplicates: number };
  readonly #selectBuckets: (fromMillis: number, toMillis: number) => BucketRow[];

  constructor(dataDirectory: string, options: UsageStoreOptions = {}) {
    this.#options = resolveUsageStoreOptions(options);
    this.#database = openSqliteDatabase(join(dataDirectory, usageDatabaseFileName));
    createSchema(this.#database);
    migrateLegacyFile(this.#database, join(dataDirectory, legacyUsageFileName));
    const database = this.#database;
    const forgetEventsBefore = database.prepare<[number]>("DELETE FROM applied_events WHERE applied_hour_start_millis < ?");
    const forgetBucketsBefore = database.prepare<[number]>("DELETE FROM usage_buckets WHERE hour_start_millis < ?");
    const rememberEvent = database.prepare<[string, number]>("INSERT OR IGNORE INTO applied_events (event_id, applied_hour_start_millis) VALUES (?, ?)");
    const selectBucket = database.prepare<[number, string, string], { bucket: string }>(
      "SELECT bucket FROM usage_buckets WHERE hour_start_millis = ? AND tenant_id = ? AND model_id = ?",
    );
    const writeBucket = database.prepare<[number, string, string, string]>(
      "INSERT INTO usage_buckets (hour_start_millis, tenant_id, model_id, bucket) VALUES (?, ?, ?, ?) ON CONFLICT (hour_start_millis, tenant_id, model_id) DO UPDATE SET bucket = excluded.bucket",
    );
    this.#selectBuckets = (fromMillis, toMillis) =>
      database.prepare<[number, number], BucketRow>("SELECT bucket FROM usage_buckets WHERE hour_start_millis >= ? AND hour_start_millis < ?").all(fromMillis, toMillis);
    this.#applyBatch = database.transaction((events: readonly UsageEvent[]) => {
      const now = this.#options.now();
      const appliedHourStartMillis = Math.floor(now / millisPerHour) * millisPerHour;
      // An id is kept until retention has passed for the last event its hour could hold.
      forgetEventsBefore.run(now - this.#options.eventRetentionMillis - millisPerHour + 1);
      forgetBucketsBefore.run(now - this.#options.bucketRetentionMillis + 1);
      const changed = new Map<string, { hourStartMillis: number; bucket: StoredBucket }>();
      let applied = 0;
      for (const event of events) {
        if (rememberEvent.run(event.eventId, appliedHourStartMillis).changes === 0) continue;
        applied += 1;
        const hourStartMillis = hourStartMillisOf(event);
        // Past its retention a bucket would be dropped at once; the event still counts as applied.
        if (hourStartMillis + this.#options.bucketRetentionMillis <= now) continue;
        const key = `${hourStartMillis}\u0000${event.tenantId}\u0000${event.modelId}`;
        let entry = changed.get(key);
        if (entry === undefined) {
          const row = selectBucket.get(hourStartMillis, event.tenantId, event.modelId);
          entry = { hourStartMillis, bucket: row === undefined ? newBucket(event, new Date(hourStartMillis).toISOString()) : (JSON.parse(row.bucket) as StoredBucket) };
          changed.set(key, entry);
        }
        addEvent(entry.bucket, event);
      }
      for (const { hourStartMillis, bucket } of changed.values()) writeBucket.run(hourStartMillis, bucket.tenantId, bucket.modelId, JSON.stringify(bucket));
      return { applied, duplicates: events.length - applied };
    });
  }

  async apply(events: readonly UsageEvent[]): Promise<{ applied: number; duplicates: number }> {
    if (events.length === 0) return { applied: 0, duplicates: 0 };
    // `INSERT OR IGNORE` also de-duplicates ids repeated within the batch.
    return this.#applyBatch(events);
  }

  async buckets(query: UsageQuery): Promise<UsageBucket[]> {
    const { fromMillis, toMillis } = queryHourRange(query);
    return this.#selectBuckets(fromMillis, toMillis)
      .map((row) => JSON.parse(row.bucket) as StoredBucket)
      .filter((bucket) => (query.tenantId === undefined || bucket.tenantId === query.tenantId) && (query.modelId === undefined || bucket.modelId === query.modelId))
      .sort(compareBuckets)
      .map(toUsageBucket);
  }

  async checkHealth(): Promise<void> {
    this.#database.prepare("SELECT 1").get();
  }

  async close(): Promise<void> {
    if (this.#database.open) this.#database.close();
  }
}

interface BucketRow {
  bucket: string;
}

function createSchema(database: SqliteDatabase): void {
  database.exec(`
    CREATE TABLE IF NOT EXISTS usage_buckets (
      hour_start_millis INTEGER NOT NULL,
      tenant_id TEXT NOT NULL,
      model_id TEXT NOT NULL,
      bucket TEXT NOT NULL,
      PRIMARY KEY (hour_start_millis, tenant_id, model_id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS applied_events (
      event_id TEXT PRIMARY KEY,
      applied_hour_start_millis INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS applied_events_by_hour ON applied_events (applied_hour_start_millis);
    CREATE TABLE IF NOT EXISTS store_metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  `);
}

/**
 * Imports `usage.json` (buckets and retained event ids, as earlier versions wrote it) into an empty
 * database once, in one transaction, then renames the file `usage.json.migrated` (kept as a
 * backup; nothing reads it). A second process starting at the same time waits for the
 * transaction and finds the import done. A file that does not parse stops the start-up with the
 * reason, and is left in place.
 */
export function migrateLegacyFile(database: SqliteDatabase, legacyPath: string): void {
  if (!existsSync(legacyPath)) return;
  database.transaction(() => {
    if (database.prepare("SELECT 1 FROM store_metadata WHERE key = 'migrated-from'").get() !== undefined) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(legacyPath, "utf8"));
    } catch (error) {
      throw new Error(`${legacyPath} is not valid JSON, so it cannot be imported into ${usageDatabaseFileName}: ${(error as Error).message}`);
    }
    const result = usageDocumentSchema.safeParse(parsed);
    if (!result.success) throw new Error(`${legacyPath} does not hold a valid usage document, so it cannot be imported: ${result.error.message}`);
    const writeBucket = database.prepare<[number, string, string, string]>("INSERT OR REPLACE INTO usage_buckets (hour_start_millis, tenant_id, model_id, bucket) VALUES (?, ?, ?, ?)");
    for (const bucket of result.data.buckets) writeBucket.run(Date.parse(bucket.hourStart), bucket.tenantId, bucket.modelId, JSON.stringify(bucket));
    const rememberEvent = database.prepare<[string, number]>("INSERT OR IGNORE INTO applied_events (event_id, applied_hour_start_millis) VALUES (?, ?)");
    for (const slot of result.data.applied) for (const eventId of slot.eventIds) rememberEvent.run(eventId, slot.appliedHourStartMillis);
    database.prepare("INSERT INTO store_metadata (key, value) VALUES ('migrated-from', ?)").run(legacyPath);
  }).immediate();
  try {
    renameSync(legacyPath, `${legacyPath}.migrated`);
  } catch (error) {
    // Renamed by another process that started at the same time.
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

function newBucket(event: UsageEvent, hourStart: string): StoredBucket {
  return {
    tenantId: event.tenantId,
    modelId: event.modelId,
    hourStart,
    requests: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    cacheHits: 0,
    promptTokens: 0,
    completionTokens: 0,
    costMicros: 0,
    currency: event.currency,
    latency: {},
    timeToFirstToken: {},
  };
}

/** Adds one event to a bucket in place. */
function addEvent(bucket: StoredBucket, event: UsageEvent): void {
  bucket.requests += 1;
  bucket[statusCounter[event.status]] += 1;
  if (event.cacheHit === true) bucket.cacheHits += 1;
  bucket.promptTokens += event.promptTokens;
  bucket.completionTokens += event.completionTokens;
  bucket.costMicros += event.costMicros;
  // A model's currency does not change in practice; if it did, the latest event's would label the hour.
  bucket.currency = event.currency;
  const latencyIndex = String(latencyBucketIndex(event.latencyMillis));
  bucket.latency[latencyIndex] = (bucket.latency[latencyIndex] ?? 0) + 1;
  if (event.timeToFirstTokenMillis !== null) {
    const timeToFirstTokenIndex = String(latencyBucketIndex(event.timeToFirstTokenMillis));
    bucket.timeToFirstToken[timeToFirstTokenIndex] = (bucket.timeToFirstToken[timeToFirstTokenIndex] ?? 0) + 1;
  }
}
