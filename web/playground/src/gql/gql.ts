/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query PlaygroundModels {\n    models(first: 100, filter: { statuses: [ACTIVE, DEPRECATED] }) {\n      nodes { id displayName capabilities pricing { inputPerMillionTokens outputPerMillionTokens currency } }\n    }\n    quota { currentUse { tokensToday costThisMonth } }\n  }\n": typeof types.PlaygroundModelsDocument,
    "\n  query PlaygroundCollections {\n    collections { id name documentCount }\n  }\n": typeof types.PlaygroundCollectionsDocument,
    "\n  query PlaygroundDocuments($id: ID!) {\n    collection(id: $id) { id documents(first: 100) { nodes { id title source status chunkCount } } }\n  }\n": typeof types.PlaygroundDocumentsDocument,
    "\n  mutation PlaygroundCreateCollection($input: CreateCollectionInput!) {\n    createCollection(input: $input) { id name documentCount }\n  }\n": typeof types.PlaygroundCreateCollectionDocument,
    "\n  mutation PlaygroundIngest($input: IngestDocumentInput!) {\n    ingestDocument(input: $input) { id title source status chunkCount }\n  }\n": typeof types.PlaygroundIngestDocument,
    "\n  subscription PlaygroundStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextDeltaEvent { id text }\n      ... on TextEndEvent {\n        id\n        completion {\n          id\n          finishReason\n          latencyMillis\n          timeToFirstTokenMillis\n          usage { promptTokens completionTokens estimated }\n          cost { amount currency }\n          citations { id index text headingPath document { title source } }\n        }\n      }\n    }\n  }\n": typeof types.PlaygroundStreamDocument,
};
const documents: Documents = {
    "\n  query PlaygroundModels {\n    models(first: 100, filter: { statuses: [ACTIVE, DEPRECATED] }) {\n      nodes { id displayName capabilities pricing { inputPerMillionTokens outputPerMillionTokens currency } }\n    }\n    quota { currentUse { tokensToday costThisMonth } }\n  }\n": types.PlaygroundModelsDocument,
    "\n  query PlaygroundCollections {\n    collections { id name documentCount }\n  }\n": types.PlaygroundCollectionsDocument,
    "\n  query PlaygroundDocuments($id: ID!) {\n    collection(id: $id) { id documents(first: 100) { nodes { id title source status chunkCount } } }\n  }\n": types.PlaygroundDocumentsDocument,
    "\n  mutation PlaygroundCreateCollection($input: CreateCollectionInput!) {\n    createCollection(input: $input) { id name documentCount }\n  }\n": types.PlaygroundCreateCollectionDocument,
    "\n  mutation PlaygroundIngest($input: IngestDocumentInput!) {\n    ingestDocument(input: $input) { id title source status chunkCount }\n  }\n": types.PlaygroundIngestDocument,
    "\n  subscription PlaygroundStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextDeltaEvent { id text }\n      ... on TextEndEvent {\n        id\n        completion {\n          id\n          finishReason\n          latencyMillis\n          timeToFirstTokenMillis\n          usage { promptTokens completionTokens estimated }\n          cost { amount currency }\n          citations { id index text headingPath document { title source } }\n        }\n      }\n    }\n  }\n": types.PlaygroundStreamDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PlaygroundModels {\n    models(first: 100, filter: { statuses: [ACTIVE, DEPRECATED] }) {\n      nodes { id displayName capabilities pricing { inputPerMillionTokens outputPerMillionTokens currency } }\n    }\n    quota { currentUse { tokensToday costThisMonth } }\n  }\n"): (typeof documents)["\n  query PlaygroundModels {\n    models(first: 100, filter: { statuses: [ACTIVE, DEPRECATED] }) {\n      nodes { id displayName capabilities pricing { inputPerMillionTokens outputPerMillionTokens currency } }\n    }\n    quota { currentUse { tokensToday costThisMonth } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PlaygroundCollections {\n    collections { id name documentCount }\n  }\n"): (typeof documents)["\n  query PlaygroundCollections {\n    collections { id name documentCount }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PlaygroundDocuments($id: ID!) {\n    collection(id: $id) { id documents(first: 100) { nodes { id title source status chunkCount } } }\n  }\n"): (typeof documents)["\n  query PlaygroundDocuments($id: ID!) {\n    collection(id: $id) { id documents(first: 100) { nodes { id title source status chunkCount } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PlaygroundCreateCollection($input: CreateCollectionInput!) {\n    createCollection(input: $input) { id name documentCount }\n  }\n"): (typeof documents)["\n  mutation PlaygroundCreateCollection($input: CreateCollectionInput!) {\n    createCollection(input: $input) { id name documentCount }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PlaygroundIngest($input: IngestDocumentInput!) {\n    ingestDocument(input: $input) { id title source status chunkCount }\n  }\n"): (typeof documents)["\n  mutation PlaygroundIngest($input: IngestDocumentInput!) {\n    ingestDocument(input: $input) { id title source status chunkCount }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription PlaygroundStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextDeltaEvent { id text }\n      ... on TextEndEvent {\n        id\n        completion {\n          id\n          finishReason\n          latencyMillis\n          timeToFirstTokenMillis\n          usage { promptTokens completionTokens estimated }\n          cost { amount currency }\n          citations { id index text headingPath document { title source } }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription PlaygroundStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      __typename\n      ... on TextDeltaEvent { id text }\n      ... on TextEndEvent {\n        id\n        completion {\n          id\n          finishReason\n          latencyMillis\n          timeToFirstTokenMillis\n          usage { promptTokens completionTokens estimated }\n          cost { amount currency }\n          citations { id index text headingPath document { title source } }\n        }\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;