import { modelOwnerTenant } from "../../platform/authorization/model-scope.ts";
import { dateTimeScalar } from "../../platform/graphql/date-time-scalar.ts";
import type { Resolvers } from "./generated/resolvers-types.ts";
import { deploymentsOf } from "./model-record.ts";

export const resolvers: Resolvers = {
  DateTime: dateTimeScalar,
  Query: {
    model: (_parent, { id }, context) => context.models.find(context.request, id).then((model) => model ?? null),
    models: async (_parent, { filter, first, after }, context) => {
      const page = await context.models.list(context.request, filter, first ?? 20, after);
      return {
        nodes: page.nodes,
        totalCount: page.totalCount,
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      };
    },
  },
  Mutation: {
    registerModel: (_parent, { input }, context) => context.models.register(context.request, input),
    updateModel: (_parent, { id, expectedVersion, input }, context) => context.models.update(context.request, id, expectedVersion, input),
    setModelStatus: (_parent, { id, status, expectedVersion }, context) => context.models.setStatus(context.request, id, status, expectedVersion),
    deleteModel: (_parent, { id, expectedVersion }, context) => context.models.delete(context.request, id, expectedVersion),
  },
  Model: {
    __resolveReference: async (reference, context) => context.models.visible(context.request, await context.modelById.load(reference.id)) ?? null,
    visibility: (model) => (modelOwnerTenant(model.id) === undefined ? "SHARED" : "PRIVATE"),
    ownerTenantId: (model) => modelOwnerTenant(model.id) ?? null,
    deployments: (model) => deploymentsOf(model),
    routing: (model) => model.routing ?? "WEIGHTED",
    aliasSplits: (model) => model.aliasSplits ?? [],
    responseCacheTtlSeconds: (model) => model.responseCacheTtlSeconds ?? null,
  },
  ModelEngine: {
    hasApiKey: (engine) => engine.apiKey !== null,
    chatTemplate: (engine) => engine.chatTemplate ?? null,
    tokenizerPath: (engine) => engine.tokenizerPath ?? null,
  },
};
