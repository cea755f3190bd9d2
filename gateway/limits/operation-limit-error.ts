import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { ErrorCode } from "../../platform/errors/error-code.ts";

/**
 * The extension a limit's validation error carries its code under. Apollo Server relabels every
 * validation error GRAPHQL_VALIDATION_FAILED, keeping other extensions; the gateway's error
 * formatter (`relabelOperationLimitError`) restores the limit's own code from this one.
 */
export const operationLimitExtension = "operationLimit";

/** A validation error naming the limit broken, with the limit (`maximum`) and what the document has (`found`). */
export function operationLimitError(code: ErrorCode, message: string, maximum: number, found: number): GraphQLError {
  return new GraphQLError(message, { extensions: { [operationLimitExtension]: code, maximum, found } });
}

/** graphql-js's parse error when `maxTokens` stops it ("Document contains more that N tokens", sic). */
const tokenLimitMessage = /^Syntax Error: Document contains more tha[nt] (\d+) tokens/;

/**
 * The gateway's `formatError` step for limits: a limit's validation error gets the limit's own code
 * back (Apollo Server labelled it GRAPHQL_VALIDATION_FAILED), and the parser's token-limit error
 * becomes MAX_DOCUMENT_TOKENS_EXCEEDED with its `maximum`. Other errors pass unchanged.
 */
export function relabelOperationLimitError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const extensions = formatted.extensions ?? {};
  const limitCode = extensions[operationLimitExtension];
  if (typeof limitCode === "string") {
    const { [operationLimitExtension]: _limit, ...rest } = extensions;
    return { ...formatted, extensions: { ...rest, code: limitCode } };
  }
  const tokens = extensions.code === "GRAPHQL_PARSE_FAILED" ? tokenLimitMessage.exec(formatted.message) : null;
  if (tokens !== null) {
    const maximum = Number(tokens[1]);
    return { message: `The document has more than ${maximum} tokens.`, extensions: { ...extensions, code: ErrorCode.MaxDocumentTokensExceeded, maximum, found: maximum + 1 } };
  }
  return formatted;
}
