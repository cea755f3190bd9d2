import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from "graphql";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { operationLimitExtension } from "./operation-limit-error.ts";
import { operationLimitRules } from "./operation-limit-rules.ts";
import type { OperationLimits } from "./operation-limits.ts";

/** Why a document was refused: the first limit it broke. */
export interface OperationLimitRefusal {
  code: ErrorCode;
  message: string;
  /** The configured limit. */
  maximum: number;
  /** What the document has (at least this much for tokens: lexing stops at the limit). */
  found: number;
}

/**
 * Checks `source` against every shape limit, as Apollo Server does for queries and mutations
 * (`parseOptions.maxTokens`, then the limit rules): for subscriptions over WebSocket, which do not
 * pass through Apollo Server, and for tests. Returns the first refusal, or undefined when the
 * document is within every limit or does not parse (that is reported as a syntax error).
 */
export function checkDocumentLimits(source: string, schema: GraphQLSchema, limits: OperationLimits): OperationLimitRefusal | undefined {
  let document: DocumentNode;
  try {
    document = parse(source, { maxTokens: limits.maximumDocumentTokens, noLocation: true });
  } catch (error) {
    if (error instanceof GraphQLError && /Document contains more tha[nt] \d+ tokens/.test(error.message)) {
      const maximum = limits.maximumDocumentTokens;
      return { code: ErrorCode.MaxDocumentTokensExceeded, message: `The document has more than ${maximum} tokens.`, maximum, found: maximum + 1 };
    }
    return undefined;
  }
  for (const error of validate(schema, document, operationLimitRules(limits))) {
    const { [operationLimitExtension]: code, maximum, found } = error.extensions;
    if (typeof code === "string" && typeof maximum === "number" && typeof found === "number") return { code: code as ErrorCode, message: error.message, maximum, found };
  }
  return undefined;
}
