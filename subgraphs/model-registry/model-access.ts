import type { AuditLog } from "../../platform/audit/audit-log.ts";
import { authorize, isAllowed } from "../../platform/authorization/authorize.ts";
import { canSeeModel, modelOwnerTenant } from "../../platform/authorization/model-scope.ts";
import { everyTenant } from "../../platform/authorization/permission.ts";
import type { RequestContext } from "../../platform/context/request-context.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import type { ModelEngineInput, ModelFilter, ModelStatus, RegisterModelInput, UpdateModelInput } from "./generated/resolvers-types.ts";
import type { ModelCatalog, ModelPage } from "./model-catalog.ts";
import type { ModelEngineRecord, ModelRecord } from "./model-record.ts";

type AuditAction = "MODEL_REGISTERED" | "MODEL_UPDATED" | "MODEL_STATUS_CHANGED" | "MODEL_DELETED";

/**
 * Who may see and change which model, over the catalogue's rules: shared models are read by every
 * key and changed by platform admins; a tenant's private models (`@<tenant>/...`) are seen and
 * changed only inside that tenant (and by platform admins). Another tenant's private model reads as
 * absent (`null`, `MODEL_NOT_FOUND`), never as forbidden: its existence is not disclosed. Every
 * change is written to the audit log before the mutation answers.
 */
export class ModelAccess {
  readonly #catalog: ModelCatalog;
  readonly #audit: AuditLog;

  constructor(catalog: ModelCatalog, audit: AuditLog) {
    this.#catalog = catalog;
    this.#audit = audit;
  }

  async find(caller: RequestContext, name: string): Promise<ModelRecord | undefined> {
    const model = await this.#catalog.find(name);
    return model !== undefined && canSeeModel(caller, model.id) ? model : undefined;
  }

  list(caller: RequestContext, filter: ModelFilter | null | undefined, first: number, after: string | null | undefined): Promise<ModelPage> {
    return this.#catalog.list(filter, first, after, (model) => canSeeModel(caller, model.id));
  }

  /** Entity references from other subgraphs: the same visibility as `model(id:)`. */
  visible(caller: RequestContext, model: ModelRecord | undefined): ModelRecord | undefined {
    return model !== undefined && canSeeModel(caller, model.id) ? model : undefined;
  }

  async register(caller: RequestContext, input: RegisterModelInput): Promise<ModelRecord> {
    authorizeChange(caller, input.id, "register");
    for (const engine of inputEngines(input)) checkTenantEngine(caller, input.id, engine);
    const model = await this.#catalog.register(input);
    await this.#record(caller, "MODEL_REGISTERED", model, { engineKind: model.engine.kind, baseUrl: model.engine.baseUrl });
    return model;
  }

  async update(caller: RequestContext, id: string, expectedVersion: number, input: UpdateModelInput): Promise<ModelRecord> {
    const current = await this.#changeable(caller, id, "update");
    for (const engine of inputEngines(input)) checkTenantEngine(caller, current.id, engine);
    const model = await this.#catalog.update(current.id, expectedVersion, input);
    await this.#record(caller, "MODEL_UPDATED", model, {
      changedFields: Object.keys(input).filter((field) => (input as Record<string, unknown>)[field] !== undefined).sort().join(","),
      ...engineChange(current.engine, model.engine),
    });
    return model;
  }

  async setStatus(caller: RequestContext, id: string, status: ModelStatus, expectedVersion: number | null | undefined): Promise<ModelRecord> {
    const current = await this.#changeable(caller, id, "change the status of");
    const model = await this.#catalog.setStatus(current.id, status, expectedVersion);
    if (model.version !== current.version) await this.#record(caller, "MODEL_STATUS_CHANGED", model, { from: current.status, to: model.status });
    return model;
  }

  async delete(caller: RequestContext, id: string, expectedVersion: number | null | undefined): Promise<ModelRecord> {
    const current = await this.#changeable(caller, id, "delete");
    const model = await this.#catalog.delete(current.id, expectedVersion);
    await this.#record(caller, "MODEL_DELETED", model, { version: model.version });
    return model;
  }

  /** The model as stored, if the caller may see it and change it. */
  async #changeable(caller: RequestContext, id: string, verb: string): Promise<ModelRecord> {
    const current = await this.find(caller, id);
    if (current === undefined || current.id !== id) {
      throw new ServiceError(ErrorCode.ModelNotFound, `No model has the id "${id}".`, { field: "id" });
    }
    authorizeChange(caller, current.id, verb);
    return current;
  }

  async #record(caller: RequestContext, action: AuditAction, model: ModelRecord, details: Record<string, string | number | boolean | null>): Promise<void> {
    await this.#audit.record({
      tenantId: modelOwnerTenant(model.id) ?? caller.tenantId,
      actorTenantId: caller.tenantId,
      actorApiKeyId: caller.apiKeyId,
      actorRoles: [...caller.roles],
      action,
      targetType: "model",
      targetId: model.id,
      requestId: caller.requestId,
      details: { visibility: modelOwnerTenant(model.id) === undefined ? "SHARED" : "PRIVATE", ...details },
    });
  }
}

function authorizeChange(caller: RequestContext, modelId: string, verb: string): void {
  const owner = modelOwnerTenant(modelId);
  if (owner === undefined) authorize(caller, "sharedModels.manage", everyTenant, `${verb} shared models (private models are named @${caller.tenantId}/...)`);
  else authorize(caller, "privateModels.manage", owner, `${verb} the private models of tenant "${owner}"`);
}

/**
 * A tenant binds its private models to its own OpenAI-compatible upstream. Engines that read files
 * on the servers (LLAMA_CPP `modelPath`, `tokenizerPath`) are for platform admins only.
 */
/** Every engine an input names: its `engine` and each deployment's. */
function inputEngines(input: Pick<RegisterModelInput, "engine" | "deployments">): ModelEngineInput[] {
  return [...(input.engine ? [input.engine] : []), ...(input.deployments ?? []).map((deployment) => deployment.engine)];
}

function checkTenantEngine(caller: RequestContext, modelId: string, engine: { kind: ModelEngineRecord["kind"]; tokenizerPath?: string | null }): void {
  if (modelOwnerTenant(modelId) === undefined || isAllowed(caller, "sharedModels.manage", everyTenant)) return;
  if (engine.kind !== "OPENAI_COMPATIBLE") {
    throw new ServiceError(ErrorCode.Forbidden, "A tenant's private model is served by its own OPENAI_COMPATIBLE upstream; LLAMA_CPP engines read files on the servers and need the platform-admin role.", {
      field: "input.engine.kind",
      details: { requiredRole: "platform-admin", permission: "sharedModels.manage" },
    });
  }
  if (engine.tokenizerPath !== undefined && engine.tokenizerPath !== null) {
    throw new ServiceError(ErrorCode.Forbidden, "tokenizerPath reads a file on the servers and needs the platform-admin role.", {
      field: "input.engine.tokenizerPath",
      details: { requiredRole: "platform-admin", permission: "sharedModels.manage" },
    });
  }
}

/** Where the engine pointed before and after, for the audit trail (never its API key). */
function engineChange(before: ModelEngineRecord, after: ModelEngineRecord): Record<string, string | null> {
  const changed: Record<string, string | null> = {};
  for (const field of ["kind", "baseUrl", "upstreamModel", "modelPath"] as const) {
    if (before[field] !== after[field]) {
      changed[`engine.${field}.before`] = before[field];
      changed[`engine.${field}.after`] = after[field];
    }
  }
  if (before.apiKey !== after.apiKey) changed["engine.apiKey"] = "changed";
  return changed;
}
