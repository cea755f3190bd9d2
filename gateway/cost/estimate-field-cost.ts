import {
  getArgumentValues,
  getNamedType,
  isCompositeType,
  isListType,
  isNonNullType,
  Kind,
  OperationTypeNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import type { CostDirectives, ListSize } from "./cost-directives.ts";

/** The static estimate of what an operation's result holds, before it runs. */
export interface FieldCostEstimate {
  /**
   * Demand-control cost: each object 1 (or its type's or field's `@cost` weight), each scalar 0,
   * each mutation root field 10, lists multiplied by their size (`@listSize`).
   */
  score: number;
  /** Objects the result can hold, lists multiplied by their estimated size: the fan-out. */
  objects: number;
}

export interface EstimateFieldCostOptions {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  /** Coerced variable values (graphql's `getVariableValues`). */
  variables: Record<string, unknown>;
  directives: CostDirectives;
  /** Size of lists with no `@listSize` and no slicing argument. */
  defaultListSize: number;
}

/** A mutation root field's weight when it has no `@cost` (Apollo Router's demand control uses the same). */
const mutationRootWeight = 10;

/**
 * Walks the operation with the schema's types, the way Apollo Router's and Cosmo's demand control
 * estimate cost (IBM's GraphQL cost specification): a list's size is its slicing argument (`first`),
 * else its `assumedSize`, else `defaultListSize`. A fragment is costed once and reused wherever it
 * is spread, so nested fragments cost linear time; fragments on several types of an abstract field
 * are all counted (an over-estimate, never an under-estimate).
 */
export function estimateFieldCost(options: EstimateFieldCostOptions): FieldCostEstimate {
  const { schema, operation, fragments, variables, directives, defaultListSize } = options;
  const rootType = schema.getRootType(operation.operation);
  if (rootType === undefined || rootType === null) return { score: 0, objects: 0 };
  const fragmentCosts = new Map<string, FieldCostEstimate>();

  const selectionSetCost = (parentType: GraphQLCompositeType, selectionSet: SelectionSetNode, sizedFields: ReadonlyMap<string, number>, isRoot: boolean): FieldCostEstimate => {
    const total = { score: 0, objects: 0 };
    for (const selection of selectionSet.selections) {
      let part: FieldCostEstimate;
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith("__") || !("getFields" in parentType)) continue;
        const field = parentType.getFields()[selection.name.value];
        if (field === undefined) continue;
        const argumentValues = getArgumentValues(field, selection, variables);
        part = fieldCost(parentType.name, field, argumentValues, selection.selectionSet, sizedFields.get(selection.name.value), isRoot);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typeCondition = selection.typeCondition === undefined ? parentType : schema.getType(selection.typeCondition.name.value);
        if (typeCondition === undefined || typeCondition === null || !isCompositeType(typeCondition)) continue;
        part = selectionSetCost(typeCondition, selection.selectionSet, sizedFields, isRoot);
      } else {
        const name = selection.name.value;
        const cacheable = !isRoot && sizedFields.size === 0;
        const cached = cacheable ? fragmentCosts.get(name) : undefined;
        if (cached !== undefined) {
          part = cached;
        } else {
          const fragment = fragments.get(name);
          const typeCondition = fragment === undefined ? undefined : schema.getType(fragment.typeCondition.name.value);
          if (fragment === undefined || typeCondition === undefined || typeCondition === null || !isCompositeType(typeCondition)) continue;
          part = selectionSetCost(typeCondition, fragment.selectionSet, sizedFields, isRoot);
          if (cacheable) fragmentCosts.set(name, part);
        }
      }
      total.score += part.score;
      total.objects += part.objects;
    }
    return total;
  };

  const fieldCost = (
    parentTypeName: string,
    field: GraphQLField<unknown, unknown>,
    argumentValues: Record<string, unknown>,
    selectionSet: SelectionSetNode | undefined,
    sizeFromParent: number | undefined,
    isRoot: boolean,
  ): FieldCostEstimate => {
    const coordinate = `${parentTypeName}.${field.name}`;
    const namedType = getNamedType(field.type);
    const composite = isCompositeType(namedType);
    const ownWeight =
      directives.fieldWeights.get(coordinate) ??
      directives.typeWeights.get(namedType.name) ??
      (isRoot && operation.operation === OperationTypeNode.MUTATION ? mutationRootWeight : composite ? 1 : 0);
    const listSize = directives.listSizes.get(coordinate);
    const slicedSize = sizeFromSlicingArguments(listSize, argumentValues);
    // With `sizedFields`, the slicing argument sizes the named children; the field is one object.
    const childSizes = new Map<string, number>();
    if (listSize?.sizedFields !== undefined) {
      for (const child of listSize.sizedFields) childSizes.set(child, slicedSize ?? listSize.assumedSize ?? defaultListSize);
    }
    const multiplier = isList(field.type) ? (sizeFromParent ?? (listSize?.sizedFields === undefined ? slicedSize : undefined) ?? listSize?.assumedSize ?? defaultListSize) : 1;
    const children = composite && selectionSet !== undefined ? selectionSetCost(namedType, selectionSet, childSizes, false) : { score: 0, objects: 0 };
    return {
      score: multiplier * (ownWeight + children.score),
      objects: composite ? multiplier * (1 + children.objects) : 0,
    };
  };

  return selectionSetCost(rootType, operation.selectionSet, new Map(), true);
}

function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/** The largest slicing argument given (a whole number, 0 or more), or undefined when none is. */
function sizeFromSlicingArguments(listSize: ListSize | undefined, argumentValues: Record<string, unknown>): number | undefined {
  let size: number | undefined;
  for (const name of listSize?.slicingArguments ?? []) {
    const value = argumentValues[name];
    if (typeof value === "number" && Number.isFinite(value)) size = Math.max(size ?? 0, Math.max(0, Math.floor(value)));
  }
  return size;
}
