import { Kind, parse, valueFromASTUntyped, type ConstDirectiveNode } from "graphql";

/** `@listSize` of one field, as the demand-control spec (IBM's GraphQL cost directives, Apollo Federation 2.9) defines it. */
export interface ListSize {
  /** Size assumed when no slicing argument gives one. */
  assumedSize?: number;
  /** Arguments whose value is the list's size (`first`). */
  slicingArguments?: string[];
  /** Child fields the slicing argument sizes (`nodes` of a connection); the field itself is then one object. */
  sizedFields?: string[];
}

/** The `@cost` and `@listSize` applications of a supergraph, by `Type.field` coordinate (types by name). */
export interface CostDirectives {
  fieldWeights: ReadonlyMap<string, number>;
  typeWeights: ReadonlyMap<string, number>;
  listSizes: ReadonlyMap<string, ListSize>;
}

/**
 * Reads `@cost(weight:)` and `@listSize(...)` from a composed supergraph. Subgraphs declare them
 * (federation v2.9) and composition keeps them in the supergraph; the API schema clients see does
 * not carry them, so the gateway reads them here, once per supergraph.
 */
export function readCostDirectives(supergraphSdl: string): CostDirectives {
  const fieldWeights = new Map<string, number>();
  const typeWeights = new Map<string, number>();
  const listSizes = new Map<string, ListSize>();
  for (const definition of parse(supergraphSdl, { noLocation: true }).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const typeName = definition.name.value;
    const typeWeight = weightOf(definition.directives);
    if (typeWeight !== undefined) typeWeights.set(typeName, typeWeight);
    for (const field of definition.fields ?? []) {
      const coordinate = `${typeName}.${field.name.value}`;
      const weight = weightOf(field.directives);
      if (weight !== undefined) fieldWeights.set(coordinate, weight);
      const listSize = field.directives?.find((directive) => directive.name.value === "listSize");
      if (listSize !== undefined) listSizes.set(coordinate, readListSize(listSize));
    }
  }
  return { fieldWeights, typeWeights, listSizes };
}

function weightOf(directives: readonly ConstDirectiveNode[] | undefined): number | undefined {
  const cost = directives?.find((directive) => directive.name.value === "cost");
  const weight = cost?.arguments?.find((argument) => argument.name.value === "weight");
  const value = weight === undefined ? undefined : valueFromASTUntyped(weight.value);
  return typeof value === "number" ? value : undefined;
}

function readListSize(directive: ConstDirectiveNode): ListSize {
  const listSize: ListSize = {};
  for (const argument of directive.arguments ?? []) {
    const value = valueFromASTUntyped(argument.value);
    if (argument.name.value === "assumedSize" && typeof value === "number") listSize.assumedSize = value;
    if (argument.name.value === "slicingArguments" && Array.isArray(value)) listSize.slicingArguments = value.map(String);
    if (argument.name.value === "sizedFields" && Array.isArray(value)) listSize.sizedFields = value.map(String);
  }
  return listSize;
}
