/**
 * Bounds on the shape of one GraphQL document, checked by the gateway before it plans or runs
 * anything: the token count while parsing (`parseOptions.maxTokens`), the rest as validation rules
 * (`operation-limit-rules.ts`), for subscriptions too (`check-document-limits.ts`). Each refusal is a 400 whose
 * `extensions.code` names the limit (`MAX_DEPTH_EXCEEDED`...), with `maximum` and `found`.
 *
 * The defaults fit every operation of this project's tests, benchmarks and typed client with room
 * to spare; the attacks they stop are listed in docs/BENCHMARKS.md ("Gateway protection").
 */
export interface OperationLimits {
  /** Most lexical tokens in the document (names, punctuation, values). Default 4,000 (MAX_DOCUMENT_TOKENS). */
  maximumDocumentTokens: number;
  /** Deepest field nesting, fragments expanded. Default 12 (MAX_DEPTH). */
  maximumDepth: number;
  /** Most aliases in an operation, fragments expanded. Default 30 (MAX_ALIASES). */
  maximumAliases: number;
  /** Most root fields (aliases included) in an operation. Default 16 (MAX_ROOT_FIELDS). */
  maximumRootFields: number;
  /** Most directives in an operation, fragments expanded. Default 50 (MAX_DIRECTIVES). */
  maximumDirectives: number;
  /** Longest chain of fragment spreads (a fragment spreading a fragment...). Default 8 (MAX_FRAGMENT_DEPTH). */
  maximumFragmentDepth: number;
}

export const defaultOperationLimits: OperationLimits = {
  maximumDocumentTokens: 4_000,
  maximumDepth: 12,
  maximumAliases: 30,
  maximumRootFields: 16,
  maximumDirectives: 50,
  maximumFragmentDepth: 8,
};
