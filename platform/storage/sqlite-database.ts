import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

export type SqliteDatabase = Database.Database;

/**
 * Opens (creating it if needed) the SQLite database of an embedded store at `path`, set up for one
 * writing process and readers in others (the usage subgraph reads what the inference process
 * writes):
 *
 * - WAL journal: readers never block the writer, nor the writer them; a change touches only its
 *   own pages, so the cost of a write does not grow with what the store holds.
 * - `synchronous = NORMAL`: a commit survives the process crashing (kill -9); a power loss may
 *   lose the last commits, never corrupt the database.
 * - `busy_timeout` 5 s: another process's schema change or checkpoint is waited for, not failed on.
 * - `cache_size` 32 MiB of pages per connection (SQLite's default is 2 MiB): large batches of
 *   inserts into big indexes (200k retained usage event ids) stay in memory.
 *
 * better-sqlite3 is synchronous: each statement runs on the event loop. Statements here are
 * indexed single-row reads and writes (microseconds); keep them so.
 */
export function openSqliteDatabase(path: string): SqliteDatabase {
  mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
  database.pragma("busy_timeout = 5000");
  database.pragma("cache_size = -32768");
  return database;
}
