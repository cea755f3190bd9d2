import DataLoader from "dataloader";
import type { RequestContext } from "../../platform/context/request-context.ts";
import type { ModelAccess } from "./model-access.ts";
import type { ModelRecord } from "./model-record.ts";
import type { ModelStore } from "./store/model-store.ts";

/** What every model-registry resolver receives. Built once per GraphQL operation. */
export interface ModelRegistryContext {
  request: RequestContext;
  /** The catalogue as the caller may see and change it. */
  models: ModelAccess;
  /** Per-operation batching of entity loads: the gateway asks for many `Model`s in one `_entities` call. */
  modelById: DataLoader<string, ModelRecord | undefined>;
}

export function createModelRegistryContext(request: RequestContext, models: ModelAccess, store: ModelStore): ModelRegistryContext {
  return {
    request,
    models,
    modelById: new DataLoader((ids) => store.getManyByIds(ids)),
  };
}
