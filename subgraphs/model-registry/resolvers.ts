import { requireRole } from "../../platform/context/require-role.ts";
import { dateTimeScalar } from "../../platform/graphql/date-time-scalar.ts";
import type { Resolvers } from "./generated/resolvers-types.ts";

export const resolvers: Resolvers = {
  DateTime: dateTimeScalar,
  Query: {
    model: (_parent, { id }, context) => context.catalog.find(id).then((model) => model ?? null),
    models: async (_parent, { filter, first, after }, context) => {
      const page = await context.catalog.list(filter, first ?? 20, after);
      return {
        nodes: page.nodes,
        totalCount: page.totalCount,
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      };
    },
  },
  Mutation: {
    registerModel: (_parent, { input }, context) => {
      requireRole(context.request, "admin", "register models");
      return context.catalog.register(input);
    },
    updateModel: (_parent, { id, expectedVersion, input }, context) => {
      requireRole(context.request, "admin", "update models");
      return context.catalog.update(id, expectedVersion, input);
    },
    setModelStatus: (_parent, { id, status, expectedVersion }, context) => {
      requireRole(context.request, "admin", "change model status");
      return context.catalog.setStatus(id, status, expectedVersion);
    },
    deleteModel: (_parent, { id, expectedVersion }, context) => {
      requireRole(context.request, "admin", "delete models");
      return context.catalog.delete(id, expectedVersion);
    },
  },
  Model: {
    __resolveReference: async (reference, context) => (await context.modelById.load(reference.id)) ?? null,
  },
  ModelEngine: {
    hasApiKey: (engine) => engine.apiKey !== null,
    chatTemplate: (engine) => engine.chatTemplate ?? null,
    tokenizerPath: (engine) => engine.tokenizerPath ?? null,
  },
};
