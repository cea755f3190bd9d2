import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from "graphql";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { fragmentDepthRule } from "./fragment-depth-rule.ts";
import type { OperationLimits } from "./operation-limits.ts";
import { rootFieldsRule } from "./root-fields-rule.ts";

/** Why a document was refused: the first limit it broke. */
export interface OperationLimitRefusal {
  code: ErrorCode;
  message: string;
  /** The configured limit. */
  maximum: number;
  /** What the document has (at least this much for tokens: counting stops at the limit). */
  found: number;
}

/**
 * Checks `source` against every limit: the token count while parsing (graphql-js stops lexing at
 * the limit, so a 10 MB query costs no more than a 4,000-token one), then the shape rules, each
 * counting with fragments expanded. Returns the first refusal, or undefined when the document is
 * within every limit or does not parse (Apollo Server reports syntax errors itself).
 *
 * Depth, aliases and directives are counted by graphql-armor's rules; the schema only types the
 * validation context (the rules read the document alone).
 */
export function checkDocumentLimits(source: string, schema: GraphQLSchema, limits: OperationLimits): OperationLimitRefusal | undefined {
  let document: DocumentNode;
  try {
    document = parse(source, { maxTokens: limits.maximumDocumentTokens, noLocation: true });
  } catch (error) {
    if (error instanceof GraphQLError && /Document contains more tha[nt] \d+ tokens/.test(error.message)) {
      return {
        code: ErrorCode.MaxDocumentTokensExceeded,
        message: `The document has more than ${limits.maximumDocumentTokens} tokens.`,
        maximum: limits.maximumDocumentTokens,
        found: limits.maximumDocumentTokens + 1,
      };
    }
    return undefined;
  }
  const refusals: OperationLimitRefusal[] = [];
  const armorRule = (code: ErrorCode, maximum: number, describe: (found: number) => string, rule: (options: ArmorOptions) => ValidationRule): ValidationRule =>
    rule({
      n: maximum,
      exposeLimits: true,
      propagateOnRejection: false,
      onReject: [
        (_context, error) => {
          const found = Number(/found (\d+)/.exec(error.message)?.[1] ?? maximum + 1);
          refusals.push({ code, message: `${describe(found)}; at most ${maximum} allowed.`, maximum, found });
        },
      ],
    });
  const ownRule = (code: ErrorCode, maximum: number) => (violation: { found: number }) => {
    refusals.push({ code, message: "", maximum, found: violation.found });
  };
  const errors = validate(schema, document, [
    armorRule(ErrorCode.MaxDepthExceeded, limits.maximumDepth, (found) => `The operation nests fields ${found} deep`, (options) => maxDepthRule({ ...options, flattenFragments: true })),
    armorRule(ErrorCode.MaxAliasesExceeded, limits.maximumAliases, (found) => `The operation has ${found} aliases`, maxAliasesRule),
    armorRule(ErrorCode.MaxDirectivesExceeded, limits.maximumDirectives, (found) => `The operation has ${found} directives`, maxDirectivesRule),
    rootFieldsRule(limits.maximumRootFields, ownRule(ErrorCode.MaxRootFieldsExceeded, limits.maximumRootFields)),
    fragmentDepthRule(limits.maximumFragmentDepth, ownRule(ErrorCode.MaxFragmentDepthExceeded, limits.maximumFragmentDepth)),
  ]);
  const first = refusals[0];
  if (first === undefined) return undefined;
  // The own rules report their message as a validation error.
  return first.message === "" ? { ...first, message: errors[0]?.message ?? `The operation breaks the ${first.code} limit.` } : first;
}

interface ArmorOptions {
  n: number;
  exposeLimits: boolean;
  propagateOnRejection: boolean;
  onReject: ((context: unknown, error: GraphQLError) => void)[];
}
