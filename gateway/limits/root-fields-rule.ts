import { Kind, type ASTVisitor, type SelectionSetNode, type ValidationContext } from "graphql";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { operationLimitError } from "./operation-limit-error.ts";

/**
 * Refuses operations with more than `maximum` root fields (each alias counts, `__typename` does
 * not; fragments at the root are expanded). Every root field is a separate resolver call, and in a
 * mutation a separate, serial piece of work: 100 aliased `createCompletion`s are 100 generations.
 */
export function rootFieldsRule(maximum: number) {
  return (context: ValidationContext): ASTVisitor => {
    // Counted once per fragment: a fragment spread twice at each of 30 levels would otherwise be
    // walked 2^30 times (this rule runs in the same pass as the fragment-depth limit, not after it).
    const fieldsByFragment = new Map<string, number>();
    const counting = new Set<string>();
    const count = (selectionSet: SelectionSetNode): number => {
      let fields = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value !== "__typename") fields += 1;
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          fields += count(selection.selectionSet);
        } else {
          fields += fragmentFields(selection.name.value);
        }
      }
      return fields;
    };
    const fragmentFields = (name: string): number => {
      const known = fieldsByFragment.get(name);
      if (known !== undefined) return known;
      const fragment = context.getFragment(name);
      // A cycle or an unknown fragment is validation's to report.
      if (fragment === undefined || fragment === null || counting.has(name)) return 0;
      counting.add(name);
      const fields = count(fragment.selectionSet);
      counting.delete(name);
      fieldsByFragment.set(name, fields);
      return fields;
    };
    return {
      OperationDefinition(operation) {
        const fields = count(operation.selectionSet);
        if (fields > maximum) {
          context.reportError(operationLimitError(ErrorCode.MaxRootFieldsExceeded, `The operation has ${fields} root fields; at most ${maximum} allowed.`, maximum, fields));
        }
      },
    };
  };
}
