import { join } from "node:path";
import { z } from "zod";
import { compareBytes } from "../../../platform/storage/compare-bytes.ts";
import { JsonFileDocument } from "../../../platform/storage/json-file-document.ts";
import { modelRecordSchema, namesOf, type ModelRecord } from "../model-record.ts";
import { ModelStoreConflictError, type ModelStore } from "./model-store.ts";

const catalogueSchema = z.object({ models: z.array(modelRecordSchema) });
type Catalogue = z.infer<typeof catalogueSchema>;

/** The catalogue in one JSON file under the data directory: the default, needing no server. */
export class EmbeddedModelStore implements ModelStore {
  readonly #document: JsonFileDocument<Catalogue>;

  constructor(dataDirectory: string) {
    this.#document = new JsonFileDocument(join(dataDirectory, "model-registry.json"), catalogueSchema, () => ({ models: [] }));
  }

  async getById(id: string): Promise<ModelRecord | undefined> {
    return (await this.#document.read()).models.find((model) => model.id === id);
  }

  async getManyByIds(ids: readonly string[]): Promise<(ModelRecord | undefined)[]> {
    const byId = new Map((await this.#document.read()).models.map((model) => [model.id, model]));
    return ids.map((id) => byId.get(id));
  }

  async resolve(name: string): Promise<ModelRecord | undefined> {
    return (await this.#document.read()).models.find((model) => model.id === name || model.aliases.includes(name));
  }

  async list(): Promise<ModelRecord[]> {
    return [...(await this.#document.read()).models];
  }

  create(record: ModelRecord): Promise<void> {
    return this.#document.update((catalogue) => {
      if (catalogue.models.some((model) => model.id === record.id)) throw new ModelStoreConflictError({ reason: "id-taken" });
      assertNamesFree(catalogue.models, record);
      const models = [...catalogue.models, record].sort((left, right) => compareBytes(left.id, right.id));
      return { next: { models }, result: undefined };
    });
  }

  replace(record: ModelRecord, expectedVersion: number): Promise<void> {
    return this.#document.update((catalogue) => {
      const current = findForWrite(catalogue.models, record.id, expectedVersion);
      assertNamesFree(catalogue.models, record);
      const models = catalogue.models.map((model) => (model === current ? record : model));
      return { next: { models }, result: undefined };
    });
  }

  delete(id: string, expectedVersion: number | undefined): Promise<ModelRecord> {
    return this.#document.update((catalogue) => {
      const current = findForWrite(catalogue.models, id, expectedVersion);
      return { next: { models: catalogue.models.filter((model) => model !== current) }, result: current };
    });
  }

  async checkHealth(): Promise<void> {
    await this.#document.read();
  }

  async close(): Promise<void> {
    // Every write is on disk before it resolves: nothing to flush.
  }
}

function findForWrite(models: readonly ModelRecord[], id: string, expectedVersion: number | undefined): ModelRecord {
  const current = models.find((model) => model.id === id);
  if (current === undefined) throw new ModelStoreConflictError({ reason: "not-found" });
  if (expectedVersion !== undefined && current.version !== expectedVersion) {
    throw new ModelStoreConflictError({ reason: "version-mismatch", currentVersion: current.version });
  }
  return current;
}

function assertNamesFree(models: readonly ModelRecord[], record: ModelRecord): void {
  for (const name of namesOf(record)) {
    const owner = models.find((model) => model.id !== record.id && namesOf(model).includes(name));
    if (owner !== undefined) throw new ModelStoreConflictError({ reason: "name-taken", name, ownerId: owner.id });
  }
}
