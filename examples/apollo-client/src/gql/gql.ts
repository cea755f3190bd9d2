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
    "\n  query ApolloExampleModels {\n    models(first: 20) { nodes { id displayName capabilities } }\n  }\n": typeof types.ApolloExampleModelsDocument,
    "\n  mutation ApolloExampleCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) { id text finishReason usage { promptTokens completionTokens } }\n  }\n": typeof types.ApolloExampleCompletionDocument,
    "\n  subscription ApolloExampleStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      ... on TextDeltaEvent { id text }\n      ... on TextEndEvent { id completion { id finishReason usage { completionTokens } } }\n    }\n  }\n": typeof types.ApolloExampleStreamDocument,
};
const documents: Documents = {
    "\n  query ApolloExampleModels {\n    models(first: 20) { nodes { id displayName capabilities } }\n  }\n": types.ApolloExampleModelsDocument,
    "\n  mutation ApolloExampleCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) { id text finishReason usage { promptTokens completionTokens } }\n  }\n": types.ApolloExampleCompletionDocument,
    "\n  subscription ApolloExampleStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      ... on TextDeltaEvent { id text }\n      ... on TextEndEvent { id completion { id finishReason usage { completionTokens } } }\n    }\n  }\n": types.ApolloExampleStreamDocument,
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
export function graphql(source: "\n  query ApolloExampleModels {\n    models(first: 20) { nodes { id displayName capabilities } }\n  }\n"): (typeof documents)["\n  query ApolloExampleModels {\n    models(first: 20) { nodes { id displayName capabilities } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ApolloExampleCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) { id text finishReason usage { promptTokens completionTokens } }\n  }\n"): (typeof documents)["\n  mutation ApolloExampleCompletion($input: CompletionInput!) {\n    createCompletion(input: $input) { id text finishReason usage { promptTokens completionTokens } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ApolloExampleStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      ... on TextDeltaEvent { id text }\n      ... on TextEndEvent { id completion { id finishReason usage { completionTokens } } }\n    }\n  }\n"): (typeof documents)["\n  subscription ApolloExampleStream($input: CompletionInput!) {\n    completionStream(input: $input) {\n      ... on TextDeltaEvent { id text }\n      ... on TextEndEvent { id completion { id finishReason usage { completionTokens } } }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;