import { existsSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { openSqliteDatabase, type SqliteDatabase } from "../../../platform/storage/sqlite-database.ts";
import { modelRecordSchema, namesOf, type ModelRecord } from "../model-record.ts";
import { ModelStoreConflictError, type ModelStore } from "./model-store.ts";

/** The database file under the data directory. */
export const modelDatabaseFileName = "model-registry.sqlite";
/** The JSON file of earlier versions, imported on first start and then renamed `model-registry.json.migrated`. */
export const legacyCatalogueFileName = "model-registry.json";

const legacyCatalogueSchema = z.object({ models: z.array(modelRecordSchema) });

/**
 * The catalogue in SQLite, `model-registry.sqlite` under the data directory: the default, needing
 * no server. The registry process writes it; inference processes read it (every read sees the last
 * committed write). One row per model (the record as JSON) and one per name (id or alias) with its
 * owner, whose primary key keeps names unique: a write touches only its model's rows. A
 * `model-registry.json` left by an earlier version is imported on first start.
 */
export class EmbeddedModelStore implements ModelStore {
  readonly #database: SqliteDatabase;
  readonly #statements: ReturnType<typeof prepareStatements>;

  constructor(dataDirectory: string) {
    this.#database = openSqliteDatabase(join(dataDirectory, modelDatabaseFileName));
    this.#database.exec(`
      CREATE TABLE IF NOT EXISTS models (id TEXT PRIMARY KEY, record TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS model_names (name TEXT PRIMARY KEY, model_id TEXT NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS model_names_by_model ON model_names (model_id);
      CREATE TABLE IF NOT EXISTS store_metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    `);
    this.#statements = prepareStatements(this.#database);
    this.#migrateLegacyFile(join(dataDirectory, legacyCatalogueFileName));
  }

  async getById(id: string): Promise<ModelRecord | undefined> {
    return parseRow(this.#statements.selectById.get(id));
  }

  async getManyByIds(ids: readonly string[]): Promise<(ModelRecord | undefined)[]> {
    return ids.map((id) => parseRow(this.#statements.selectById.get(id)));
  }

  async resolve(name: string): Promise<ModelRecord | undefined> {
    return parseRow(this.#statements.selectByName.get(name));
  }

  async list(): Promise<ModelRecord[]> {
    return this.#statements.selectAll.all().map((row) => JSON.parse(row.record) as ModelRecord);
  }

  async create(record: ModelRecord): Promise<void> {
    this.#database.transaction(() => {
      if (this.#statements.selectById.get(record.id) !== undefined) throw new ModelStoreConflictError({ reason: "id-taken" });
      this.#assertNamesFree(record);
      this.#write(record);
    }).immediate();
  }

  async replace(record: ModelRecord, expectedVersion: number): Promise<void> {
    this.#database.transaction(() => {
      this.#findForWrite(record.id, expectedVersion);
      this.#assertNamesFree(record);
      this.#write(record);
    }).immediate();
  }

  async delete(id: string, expectedVersion: number | undefined): Promise<ModelRecord> {
    return this.#database.transaction(() => {
      const current = this.#findForWrite(id, expectedVersion);
      this.#statements.deleteNames.run(id);
      this.#statements.deleteModel.run(id);
      return current;
    }).immediate();
  }

  async checkHealth(): Promise<void> {
    this.#database.prepare("SELECT 1").get();
  }

  async close(): Promise<void> {
    if (this.#database.open) this.#database.close();
  }

  #write(record: ModelRecord): void {
    this.#statements.writeModel.run(record.id, JSON.stringify(record));
    this.#statements.deleteNames.run(record.id);
    for (const name of namesOf(record)) this.#statements.insertName.run(name, record.id);
  }

  #findForWrite(id: string, expectedVersion: number | undefined): ModelRecord {
    const current = parseRow(this.#statements.selectById.get(id));
    if (current === undefined) throw new ModelStoreConflictError({ reason: "not-found" });
    if (expectedVersion !== undefined && current.version !== expectedVersion) {
      throw new ModelStoreConflictError({ reason: "version-mismatch", currentVersion: current.version });
    }
    return current;
  }

  #assertNamesFree(record: ModelRecord): void {
    for (const name of namesOf(record)) {
      const owner = this.#statements.selectOwner.get(name);
      if (owner !== undefined && owner.model_id !== record.id) throw new ModelStoreConflictError({ reason: "name-taken", name, ownerId: owner.model_id });
    }
  }

  /**
   * Imports the catalogue file of earlier versions once (validated; a bad file stops the start-up
   * with the reason and stays in place), then renames it `.migrated` (kept as a backup).
   */
  #migrateLegacyFile(legacyPath: string): void {
    if (!existsSync(legacyPath)) return;
    this.#database.transaction(() => {
      if (this.#database.prepare("SELECT 1 FROM store_metadata WHERE key = 'migrated-from'").get() !== undefined) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(legacyPath, "utf8"));
      } catch (error) {
        throw new Error(`${legacyPath} is not valid JSON, so it cannot be imported into ${modelDatabaseFileName}: ${(error as Error).message}`);
      }
      const result = legacyCatalogueSchema.safeParse(parsed);
      if (!result.success) throw new Error(`${legacyPath} does not hold a valid catalogue, so it cannot be imported: ${result.error.message}`);
      for (const record of result.data.models) this.#write(record);
      this.#database.prepare("INSERT INTO store_metadata (key, value) VALUES ('migrated-from', ?)").run(legacyPath);
    }).immediate();
    try {
      renameSync(legacyPath, `${legacyPath}.migrated`);
    } catch (error) {
      // Renamed by another process that started at the same time.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}

interface RecordRow {
  record: string;
}

function prepareStatements(database: SqliteDatabase) {
  return {
    selectById: database.prepare<[string], RecordRow>("SELECT record FROM models WHERE id = ?"),
    selectByName: database.prepare<[string], RecordRow>("SELECT models.record FROM model_names JOIN models ON models.id = model_names.model_id WHERE model_names.name = ?"),
    // BINARY collation: byte order, as `compareBytes` orders ids elsewhere.
    selectAll: database.prepare<[], RecordRow>("SELECT record FROM models ORDER BY id"),
    selectOwner: database.prepare<[string], { model_id: string }>("SELECT model_id FROM model_names WHERE name = ?"),
    writeModel: database.prepare<[string, string]>("INSERT INTO models (id, record) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record"),
    deleteModel: database.prepare<[string]>("DELETE FROM models WHERE id = ?"),
    deleteNames: database.prepare<[string]>("DELETE FROM model_names WHERE model_id = ?"),
    insertName: database.prepare<[string, string]>("INSERT INTO model_names (name, model_id) VALUES (?, ?)"),
  };
}

function parseRow(row: RecordRow | undefined): ModelRecord | undefined {
  return row === undefined ? undefined : (JSON.parse(row.record) as ModelRecord);
}
