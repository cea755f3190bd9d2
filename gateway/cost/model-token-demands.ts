import { getArgumentValues, Kind, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from "graphql";

/** What one root field of an operation asks of the models, known before it runs. */
export interface ModelTokenDemand {
  /** `Mutation.createCompletion`... */
  coordinate: string;
  /** The field's response key (its alias, or its name). */
  responseKey: string;
  /** Model id or alias; undefined when a collection decides (ingestion). */
  modelId: string | undefined;
  /** A collection whose settings the estimate needs: the grounding collection, or the one ingested into. */
  collectionId: string | undefined;
  /** Characters of prompt, messages or texts the model reads. */
  promptCharacters: number;
  /** Tokens to generate: the request's `maxTokens`, or undefined for the model's default (completions only). */
  maxTokens: number | undefined;
  /** Completions: true when they generate (prompt and maxTokens); false for embeddings, ingestion and token counts. */
  generates: boolean;
  /** Grounded completions: the chunks retrieved into the prompt (`topK`, default 4). */
  groundingChunks: number;
  /** False for work that is not metered against quotas (`tokenCounts` tokenizes only). */
  metered: boolean;
}

/**
 * Finds the operation's root fields that put models to work (completions, streams, embeddings,
 * token counts, ingestion, search) and reads what their arguments ask for. Root fragments are
 * expanded; the same fragment spread twice asks twice (as the gateway would run it twice).
 */
export function findModelTokenDemands(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, variables: Record<string, unknown>): ModelTokenDemand[] {
  const rootType = schema.getRootType(operation.operation);
  if (rootType === undefined || rootType === null) return [];
  const demands: ModelTokenDemand[] = [];
  const visit = (selectionSet: SelectionSetNode, depth: number) => {
    if (depth > 32) return;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, depth + 1);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment !== undefined) visit(fragment.selectionSet, depth + 1);
        continue;
      }
      const field = rootType.getFields()[selection.name.value];
      if (field === undefined) continue;
      const coordinate = `${rootType.name}.${field.name}`;
      const demand = demandOf(coordinate, getArgumentValues(field, selection, variables));
      if (demand !== undefined) demands.push({ coordinate, responseKey: selection.alias?.value ?? selection.name.value, ...demand });
    }
  };
  visit(operation.selectionSet, 0);
  return demands;
}

type Demand = Omit<ModelTokenDemand, "coordinate" | "responseKey">;

function demandOf(coordinate: string, argumentValues: Record<string, unknown>): Demand | undefined {
  switch (coordinate) {
    case "Mutation.createCompletion":
    case "Subscription.completionStream": {
      const input = record(argumentValues.input);
      const grounding = record(input.grounding);
      const messages = Array.isArray(input.messages) ? input.messages.map(record) : [];
      return {
        modelId: text(input.model),
        collectionId: input.grounding === undefined || input.grounding === null ? undefined : text(grounding.collectionId),
        promptCharacters: characters(input.prompt) + messages.reduce((sum, message) => sum + characters(message.content), 0),
        maxTokens: typeof input.maxTokens === "number" ? input.maxTokens : undefined,
        generates: true,
        groundingChunks: input.grounding === undefined || input.grounding === null ? 0 : typeof grounding.topK === "number" ? grounding.topK : 4,
        metered: true,
      };
    }
    case "Query.embeddings":
    case "Query.tokenCounts":
      return {
        modelId: text(argumentValues.model),
        collectionId: undefined,
        promptCharacters: Array.isArray(argumentValues.texts) ? argumentValues.texts.reduce((sum: number, item) => sum + characters(item), 0) : 0,
        maxTokens: undefined,
        generates: false,
        groundingChunks: 0,
        metered: coordinate === "Query.embeddings",
      };
    case "Mutation.ingestDocument":
    case "Query.search": {
      const input = record(argumentValues.input);
      return {
        modelId: undefined,
        collectionId: text(input.collectionId),
        promptCharacters: characters(coordinate === "Query.search" ? input.query : input.content),
        maxTokens: undefined,
        generates: false,
        groundingChunks: 0,
        metered: true,
      };
    }
    default:
      return undefined;
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function characters(value: unknown): number {
  return typeof value === "string" ? value.length : 0;
}
