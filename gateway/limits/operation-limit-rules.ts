import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import type { GraphQLError, ValidationContext, ValidationRule } from "graphql";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { operationLimitError } from "./operation-limit-error.ts";
import { fragmentDepthRule } from "./fragment-depth-rule.ts";
import type { OperationLimits } from "./operation-limits.ts";
import { rootFieldsRule } from "./root-fields-rule.ts";

/**
 * Validation rules for the shape limits, given to Apollo Server with `validationRules` (and run by
 * `checkDocumentLimits` for WebSocket subscriptions). Depth, aliases and directives are counted by
 * graphql-armor's rules, fragments expanded; root fields and fragment nesting by this project's.
 * The document's size is bounded before any of them by `parseOptions.maxTokens`.
 */
export function operationLimitRules(limits: OperationLimits): ValidationRule[] {
  const armorRule = (code: ErrorCode, maximum: number, describe: (found: number) => string, rule: (options: ArmorOptions) => ValidationRule): ValidationRule =>
    rule({
      n: maximum,
      exposeLimits: true,
      // Reported through the context (a thrown error would escape graphql-js's validate()).
      propagateOnRejection: false,
      onReject: [
        (context, error) => {
          const found = Number(/found (\d+)/.exec(error.message)?.[1] ?? maximum + 1);
          context?.reportError(operationLimitError(code, `${describe(found)}; at most ${maximum} allowed.`, maximum, found));
        },
      ],
    });
  return [
    armorRule(ErrorCode.MaxDepthExceeded, limits.maximumDepth, (found) => `The operation nests fields ${found} deep`, (options) => maxDepthRule({ ...options, flattenFragments: true })),
    armorRule(ErrorCode.MaxAliasesExceeded, limits.maximumAliases, (found) => `The operation has ${found} aliases`, maxAliasesRule),
    armorRule(ErrorCode.MaxDirectivesExceeded, limits.maximumDirectives, (found) => `The operation has ${found} directives`, maxDirectivesRule),
    rootFieldsRule(limits.maximumRootFields),
    fragmentDepthRule(limits.maximumFragmentDepth),
  ];
}

interface ArmorOptions {
  n: number;
  exposeLimits: boolean;
  propagateOnRejection: boolean;
  onReject: ((context: ValidationContext | null, error: GraphQLError) => void)[];
}
