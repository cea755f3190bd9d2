import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from "graphql";
import { LruCache } from "../cache/lru-cache.ts";

/**
 * Parses and validates operation documents against one schema, remembering the valid ones by
 * their text. A subgraph's WebSocket operations come from the gateway's query planner, a small set
 * of documents sent over and over; parsing and validating each again cost about 0.7 ms per stream
 * on the benchmark machine. Invalid documents are not remembered: they are rare and could be
 * made up in any number.
 */
export class ValidatedDocuments {
  readonly #schema: GraphQLSchema;
  readonly #documents: LruCache<string, DocumentNode>;

  /** @param capacity Most documents remembered, least recently used dropped first. */
  constructor(schema: GraphQLSchema, capacity: number) {
    this.#schema = schema;
    this.#documents = new LruCache(capacity);
  }

  /** The document of `source`, or the errors that make it unusable (codes `GRAPHQL_PARSE_FAILED`, `GRAPHQL_VALIDATION_FAILED`, as Apollo Server's). */
  get(source: string): DocumentNode | readonly GraphQLError[] {
    const cached = this.#documents.get(source);
    if (cached !== undefined) return cached;
    let document: DocumentNode;
    try {
      document = parse(source);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return [new GraphQLError(message, { extensions: { code: "GRAPHQL_PARSE_FAILED" } })];
    }
    const errors = validate(this.#schema, document);
    if (errors.length > 0) {
      return errors.map((error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } }));
    }
    this.#documents.set(source, document);
    return document;
  }
}
