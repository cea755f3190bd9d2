import { modelChangedChannel, type ModelChangedEvent } from "../../platform/events/model-changed.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { badUserInput, ServiceError } from "../../platform/errors/service-error.ts";
import { decodeCursor, encodeCursor } from "../../platform/graphql/cursor.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import type { PubSub } from "../../platform/pubsub/pubsub.ts";
import { EgressGuard } from "../../platform/network/egress-policy.ts";
import type { ModelFilter, RegisterModelInput, UpdateModelInput } from "./generated/resolvers-types.ts";
import { namesOf, type ModelDefinition, type ModelRecord, type ModelStatus } from "./model-record.ts";
import { definitionFromRegistration, definitionFromUpdate } from "./model-validation.ts";
import { compareBytes } from "../../platform/storage/compare-bytes.ts";
import { ModelStoreConflictError, type ModelStore } from "./store/model-store.ts";

/** Page sizes `models(first:)` accepts. */
export const modelPageLimits = { minimum: 1, maximum: 100 } as const;

export interface ModelPage {
  nodes: ModelRecord[];
  hasNextPage: boolean;
  endCursor: string | null;
  totalCount: number;
}

/**
 * The registry's rules over a store: validation, versions and timestamps, error codes, and change
 * events. Resolvers stay thin; tests drive this class with either store.
 */
export class ModelCatalog {
  readonly #store: ModelStore;
  readonly #pubsub: PubSub;
  readonly #logger: Logger;
  readonly #now: () => Date;
  readonly #engineGuard: EgressGuard;

  /** `engineGuard`: which OPENAI_COMPATIBLE `baseUrl` hosts registration accepts. Default: public hosts only. */
  constructor(store: ModelStore, pubsub: PubSub, logger: Logger, now: () => Date = () => new Date(), engineGuard: EgressGuard = new EgressGuard()) {
    this.#store = store;
    this.#pubsub = pubsub;
    this.#logger = logger;
    this.#now = now;
    this.#engineGuard = engineGuard;
  }

  find(name: string): Promise<ModelRecord | undefined> {
    return this.#store.resolve(name);
  }

  /** A page of the models matching `filter` (and `include`, the caller's visibility), ordered by id. */
  async list(filter: ModelFilter | null | undefined, first: number, after: string | null | undefined, include: (model: ModelRecord) => boolean = () => true): Promise<ModelPage> {
    if (!Number.isInteger(first) || first < modelPageLimits.minimum || first > modelPageLimits.maximum) {
      throw badUserInput("first", `first must be between ${modelPageLimits.minimum} and ${modelPageLimits.maximum}, got ${first}.`);
    }
    let afterId: string | undefined;
    if (after !== null && after !== undefined) {
      afterId = decodeCursor(after);
      if (afterId === undefined) throw badUserInput("after", "after is not a cursor returned by models(); pass pageInfo.endCursor.");
    }
    const matching = (await this.#store.list()).filter((model) => include(model) && matchesFilter(model, filter));
    const remaining = afterId === undefined ? matching : matching.filter((model) => compareBytes(model.id, afterId) > 0);
    const nodes = remaining.slice(0, first);
    const last = nodes.at(-1);
    return {
      nodes,
      hasNextPage: remaining.length > nodes.length,
      endCursor: last === undefined ? null : encodeCursor(last.id),
      totalCount: matching.length,
    };
  }

  async register(input: RegisterModelInput): Promise<ModelRecord> {
    const definition = definitionFromRegistration(input, this.#engineGuard);
    const timestamp = this.#now().toISOString();
    const record: ModelRecord = { ...definition, version: 1, createdAt: timestamp, updatedAt: timestamp };
    await this.#write(() => this.#store.create(record), record.id);
    await this.#announce({ change: "created", modelId: record.id, version: record.version, names: namesOf(record) });
    return record;
  }

  async update(id: string, expectedVersion: number, input: UpdateModelInput): Promise<ModelRecord> {
    const current = await this.#current(id, expectedVersion);
    return this.#replace(current, definitionFromUpdate(current, input, this.#engineGuard), expectedVersion);
  }

  async setStatus(id: string, status: ModelStatus, expectedVersion: number | null | undefined): Promise<ModelRecord> {
    const current = await this.#current(id, expectedVersion ?? undefined);
    if (current.status === status) return current;
    return this.#replace(current, { ...current, status }, current.version);
  }

  async delete(id: string, expectedVersion: number | null | undefined): Promise<ModelRecord> {
    const deleted = await this.#write(() => this.#store.delete(id, expectedVersion ?? undefined), id);
    await this.#announce({ change: "deleted", modelId: id, version: deleted.version, names: namesOf(deleted) });
    return deleted;
  }

  async #current(id: string, expectedVersion: number | undefined): Promise<ModelRecord> {
    const current = await this.#store.getById(id);
    if (current === undefined) throw modelNotFound(id);
    if (expectedVersion !== undefined && current.version !== expectedVersion) throw versionConflict(id, current.version, expectedVersion);
    return current;
  }

  async #replace(current: ModelRecord, definition: ModelDefinition, expectedVersion: number): Promise<ModelRecord> {
    const record: ModelRecord = {
      ...definition,
      version: current.version + 1,
      createdAt: current.createdAt,
      updatedAt: this.#now().toISOString(),
    };
    await this.#write(() => this.#store.replace(record, expectedVersion), record.id, expectedVersion);
    const names = [...new Set([...namesOf(current), ...namesOf(record)])];
    await this.#announce({ change: "updated", modelId: record.id, version: record.version, names });
    return record;
  }

  async #write<Result>(write: () => Promise<Result>, id: string, expectedVersion?: number): Promise<Result> {
    try {
      return await write();
    } catch (error) {
      if (!(error instanceof ModelStoreConflictError)) throw error;
      const conflict = error.conflict;
      switch (conflict.reason) {
        case "id-taken":
          throw new ServiceError(ErrorCode.ModelAlreadyExists, `A model with id "${id}" already exists.`, { field: "input.id" });
        case "name-taken":
          throw new ServiceError(
            ErrorCode.AliasConflict,
            `"${conflict.name}" is already the id or an alias of model "${conflict.ownerId}".`,
            { field: conflict.name === id ? "input.id" : "input.aliases", details: { name: conflict.name, ownerId: conflict.ownerId } },
          );
        case "version-mismatch":
          throw versionConflict(id, conflict.currentVersion, expectedVersion);
        case "not-found":
          throw modelNotFound(id);
      }
    }
  }

  async #announce(event: ModelChangedEvent): Promise<void> {
    try {
      await this.#pubsub.publish(modelChangedChannel, event);
    } catch (error) {
      // The change is stored; caches elsewhere expire on their own. Failing the mutation now would
      // tell the client the change did not happen when it did.
      this.#logger.warn("could not publish a model change", { error, event });
    }
  }
}

function matchesFilter(model: ModelRecord, filter: ModelFilter | null | undefined): boolean {
  if (!filter) return true;
  if (filter.capabilities && !filter.capabilities.every((capability) => model.capabilities.includes(capability))) return false;
  if (filter.statuses && !filter.statuses.includes(model.status)) return false;
  if (filter.family && filter.family !== model.family) return false;
  return true;
}

function modelNotFound(id: string): ServiceError {
  return new ServiceError(ErrorCode.ModelNotFound, `No model has the id "${id}".`, { field: "id" });
}

function versionConflict(id: string, currentVersion: number, expectedVersion: number | undefined): ServiceError {
  return new ServiceError(
    ErrorCode.VersionConflict,
    `Model "${id}" is at version ${currentVersion}, not ${expectedVersion}: it changed since you read it. Read it again and retry.`,
    { field: "expectedVersion", details: { currentVersion } },
  );
}
