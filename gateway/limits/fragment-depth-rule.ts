import { Kind, type ASTVisitor, type SelectionSetNode, type ValidationContext } from "graphql";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { operationLimitError } from "./operation-limit-error.ts";

/**
 * Refuses operations whose fragment spreads nest deeper than `maximum` (a fragment spreading a
 * fragment spreading a fragment...). Nested fragments multiply: 30 levels of two spreads each expand
 * to 2^30 selections. It runs in the same validation pass as graphql-js's own rules, so it must
 * survive what they refuse: a fragment cycle counts as deeper than any limit, an unknown fragment as
 * depth 0.
 */
export function fragmentDepthRule(maximum: number) {
  return (context: ValidationContext): ASTVisitor => {
    const depthByFragment = new Map<string, number>();
    const visiting = new Set<string>();
    const depthOf = (selectionSet: SelectionSetNode): number => {
      let deepest = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FRAGMENT_SPREAD) {
          deepest = Math.max(deepest, 1 + fragmentDepth(selection.name.value));
        } else if (selection.selectionSet !== undefined) {
          deepest = Math.max(deepest, depthOf(selection.selectionSet));
        }
      }
      return deepest;
    };
    const fragmentDepth = (name: string): number => {
      const known = depthByFragment.get(name);
      if (known !== undefined) return known;
      if (visiting.has(name)) return Number.POSITIVE_INFINITY;
      const fragment = context.getFragment(name);
      if (fragment === undefined || fragment === null) return 0;
      visiting.add(name);
      const depth = depthOf(fragment.selectionSet);
      visiting.delete(name);
      depthByFragment.set(name, depth);
      return depth;
    };
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet);
        if (depth > maximum) {
          context.reportError(operationLimitError(ErrorCode.MaxFragmentDepthExceeded, `Fragments nest ${Number.isFinite(depth) ? depth : "endlessly"} deep; at most ${maximum} allowed.`, maximum, Number.isFinite(depth) ? depth : maximum + 1));
        }
      },
    };
  };
}
