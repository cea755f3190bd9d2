import { isAllowed } from "../../platform/authorization/authorize.ts";
import { dateTimeScalar } from "../../platform/graphql/date-time-scalar.ts";
import { streamEventId, type CompletionStreamEventRecord } from "./completion-record.ts";
import { prepareCompletion, type PreparedCompletion } from "./completion-request.ts";
import type { Resolvers } from "./generated/resolvers-types.ts";

type EventOf<Name extends CompletionStreamEventRecord["__typename"]> = Extract<CompletionStreamEventRecord, { __typename: Name }>;

function eventOf<Name extends CompletionStreamEventRecord["__typename"]>(event: CompletionStreamEventRecord, name: Name): EventOf<Name> {
  if (event.__typename !== name) throw new Error(`expected a ${name}, got a ${event.__typename}`);
  return event as EventOf<Name>;
}

/** Grounding abstained and the request chose NO_ANSWER: nothing is generated. */
function answersNothing(prepared: PreparedCompletion): boolean {
  return prepared.grounding?.status === "ABSTAINED" && prepared.grounding.fallback === "NO_ANSWER";
}

export const resolvers: Resolvers = {
  DateTime: dateTimeScalar,
  Query: {
    embeddings: (_parent, { model, texts, cache }, context) => context.completions.embed(model, texts, context, cache),
    rerank: (_parent, { model, query, documents, truncate }, context) => context.completions.rerank(model, query, documents, context, { truncate: truncate === true }),
    tokenCounts: (_parent, { model, texts }, context) => context.completions.countTokens(model, texts, context.request),
    completion: async (_parent, { id }, context) => (await context.completions.find(id, context.request.tenantId)) ?? null,
  },
  Mutation: {
    createCompletion: async (_parent, { input }, context) => {
      const prepared = await prepareCompletion(input, context.request, context.completions.engines, context.completions.limits, context.completions.groundingFor(context));
      if (answersNothing(prepared)) return context.completions.abstain(prepared, context);
      return context.completions.complete(prepared, context, input.cache);
    },
  },
  Subscription: {
    completionStream: {
      // Validation runs here, before the stream starts: a bad request fails with no engine time spent.
      subscribe: async (_parent, { input }, context) => {
        const prepared = await prepareCompletion(input, context.request, context.completions.engines, context.completions.limits, context.completions.groundingFor(context));
        if (answersNothing(prepared)) return context.completions.abstainStream(prepared, context);
        return context.completions.stream(prepared, context, input.cache);
      },
      resolve: (event: CompletionStreamEventRecord) => {
        if (event.__typename === "StreamFailure") throw event.error;
        return event;
      },
    },
  },
  CompletionStreamEvent: {
    __resolveType: (event) => {
      if (event.__typename === "StreamFailure") throw event.error;
      return event.__typename;
    },
  },
  TextStartEvent: {
    id: (event) => streamEventId(eventOf(event, "TextStartEvent")),
    completionId: (event) => eventOf(event, "TextStartEvent").completionId,
    model: (event) => ({ id: eventOf(event, "TextStartEvent").modelId }),
  },
  TextDeltaEvent: {
    id: (event) => streamEventId(eventOf(event, "TextDeltaEvent")),
    completionId: (event) => eventOf(event, "TextDeltaEvent").completionId,
    index: (event) => eventOf(event, "TextDeltaEvent").index,
    text: (event) => eventOf(event, "TextDeltaEvent").text,
  },
  TextEndEvent: {
    id: (event) => streamEventId(eventOf(event, "TextEndEvent")),
    completionId: (event) => eventOf(event, "TextEndEvent").completion.id,
    completion: (event) => eventOf(event, "TextEndEvent").completion,
  },
  Completion: {
    __resolveReference: async (reference, context) => (await context.completions.find(reference.id, context.request.tenantId)) ?? null,
    model: (completion) => ({ id: completion.modelId }),
    citations: (completion) => completion.citationChunkIds.map((id) => ({ id })),
    grounding: (completion) => completion.grounding,
    cache: (completion) => completion.cache,
    usage: (completion) => ({
      promptTokens: completion.usage.promptTokens,
      completionTokens: completion.usage.completionTokens,
      totalTokens: completion.usage.promptTokens + completion.usage.completionTokens,
      estimated: completion.usage.estimated === true,
    }),
  },
  TenantQuota: {
    // The usage subgraph only references quotas the caller may see; checked again here all the same.
    __resolveReference: (reference, context) =>
      isAllowed(context.request, "quotas.read", reference.tenantId) ? { tenantId: reference.tenantId } : null,
    currentUse: async (quota, _arguments, context) => {
      const use = await context.quotas.currentUse(quota.tenantId, Date.now());
      return { tokensThisMinute: use.tokensThisMinute, tokensToday: use.tokensToday, costThisMonth: use.costMicrosThisMonth / 1_000_000, activeStreams: use.activeStreams };
    },
  },
  RerankResult: {
    model: (result) => ({ id: result.modelId }),
    usage: (result) => ({ promptTokens: result.promptTokens, completionTokens: 0, totalTokens: result.promptTokens, estimated: result.promptTokensEstimated }),
  },
  EmbeddingResult: {
    model: (result) => ({ id: result.modelId }),
    embeddings: (result) => result.vectors.map((vector, index) => ({ index, vector: Array.from(vector) })),
    usage: (result) => ({ promptTokens: result.promptTokens, completionTokens: 0, totalTokens: result.promptTokens, estimated: result.promptTokensEstimated }),
    cache: (result) => result.cache,
  },
};
