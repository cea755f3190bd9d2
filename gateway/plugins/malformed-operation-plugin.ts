/**
 * Client mistakes that `@apollo/gateway` would otherwise answer with 500 INTERNAL_SERVER_ERROR
 * (measured): a document of several operations without `operationName`, an `operationName` naming
 * none of them, and numbers that do not fit a double (`1e400`). graphql-js's `Float` accepts an
 * infinite literal at validation and the gateway's planner throws on it later; an infinite
 * variable (JSON.parse turns `1e400` into Infinity) would reach subgraphs as `null`.
 */
import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { GraphQLError, visit, type DocumentNode } from "graphql";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";

export function malformedOperationPlugin<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request: resolved, document }) {
          const infinite = findNonFiniteNumber(resolved.variables, "variables");
          if (infinite !== undefined) throw new ServiceError(ErrorCode.BadUserInput, `${infinite} is not a finite number.`, { field: infinite, httpStatus: 400 });
          const literal = findNonFiniteLiteral(document);
          if (literal !== undefined) throw new ServiceError(ErrorCode.BadUserInput, `${literal} is not a finite number.`, { httpStatus: 400 });
          if (operation !== null && operation !== undefined) return;
          const message =
            resolved.operationName === undefined || resolved.operationName === null
              ? "The document holds several operations: say which one to run with operationName."
              : `The document has no operation named "${resolved.operationName}".`;
          throw new GraphQLError(message, { extensions: { code: "OPERATION_RESOLUTION_FAILURE", retryable: false, http: { status: 400 } } });
        },
      };
    },
  };
}

/** The first number literal of `document` that is not a finite double, e.g. `1e400`. */
function findNonFiniteLiteral(document: DocumentNode): string | undefined {
  let found: string | undefined;
  visit(document, {
    FloatValue(node) {
      if (found === undefined && !Number.isFinite(Number(node.value))) found = node.value;
    },
    IntValue(node) {
      if (found === undefined && !Number.isFinite(Number(node.value))) found = node.value;
    },
  });
  return found;
}

/** The path of the first non-finite number in `value` (variables as JSON.parse made them). */
function findNonFiniteNumber(value: unknown, path: string): string | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findNonFiniteNumber(item, `${path}[${index}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const found = findNonFiniteNumber(item, `${path}.${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
