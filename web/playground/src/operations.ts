/**
 * The page's GraphQL operations, typed by the client preset from the public schema (generated into
 * `./gql/` by `npm run codegen`; schema-artifacts.test.ts fails when it is stale).
 */
import type { ResultOf } from "@graphql-typed-document-node/core";
import { graphql } from "./gql/index.js";

export const ModelsQuery = graphql(`
  query PlaygroundModels {
    models(first: 100, filter: { statuses: [ACTIVE, DEPRECATED] }) {
      nodes { id displayName capabilities pricing { inputPerMillionTokens outputPerMillionTokens currency } }
    }
    quota { currentUse { tokensToday costThisMonth } }
  }
`);

export const CollectionsQuery = graphql(`
  query PlaygroundCollections {
    collections { id name documentCount }
  }
`);

export const DocumentsQuery = graphql(`
  query PlaygroundDocuments($id: ID!) {
    collection(id: $id) { id documents(first: 100) { nodes { id title source status chunkCount } } }
  }
`);

export const CreateCollectionMutation = graphql(`
  mutation PlaygroundCreateCollection($input: CreateCollectionInput!) {
    createCollection(input: $input) { id name documentCount }
  }
`);

export const IngestDocumentMutation = graphql(`
  mutation PlaygroundIngest($input: IngestDocumentInput!) {
    ingestDocument(input: $input) { id title source status chunkCount }
  }
`);

export const CompletionStreamSubscription = graphql(`
  subscription PlaygroundStream($input: CompletionInput!) {
    completionStream(input: $input) {
      __typename
      ... on TextDeltaEvent { id text }
      ... on TextEndEvent {
        id
        completion {
          id
          finishReason
          latencyMillis
          timeToFirstTokenMillis
          usage { promptTokens completionTokens estimated }
          cost { amount currency }
          citations { id index text headingPath document { title source } }
        }
      }
    }
  }
`);

export type StreamEvent = ResultOf<typeof CompletionStreamSubscription>["completionStream"];
export type FinishedCompletion = Extract<StreamEvent, { __typename: "TextEndEvent" }>["completion"];
export type Citation = NonNullable<FinishedCompletion["citations"][number]>;
