/** The page's GraphQL operations. */

export const ModelsQuery = /* GraphQL */ `
  query PlaygroundModels {
    models(first: 100, filter: { statuses: [ACTIVE, DEPRECATED] }) {
      nodes { id displayName capabilities pricing { inputPerMillionTokens outputPerMillionTokens currency } }
    }
    quota { currentUse { tokensToday costThisMonth } }
  }
`;

export interface PlaygroundModel {
  id: string;
  displayName: string;
  capabilities: string[];
  pricing: { inputPerMillionTokens: number; outputPerMillionTokens: number; currency: string };
}

export const CollectionsQuery = /* GraphQL */ `
  query PlaygroundCollections {
    collections { id name documentCount }
  }
`;

export interface PlaygroundCollection {
  id: string;
  name: string;
  documentCount: number;
}

export const DocumentsQuery = /* GraphQL */ `
  query PlaygroundDocuments($id: ID!) {
    collection(id: $id) { id documents(first: 100) { nodes { id title source status chunkCount } } }
  }
`;

export interface PlaygroundDocument {
  id: string;
  title: string | null;
  source: string;
  status: string;
  chunkCount: number;
}

export const CreateCollectionMutation = /* GraphQL */ `
  mutation PlaygroundCreateCollection($input: CreateCollectionInput!) {
    createCollection(input: $input) { id name documentCount }
  }
`;

export const IngestDocumentMutation = /* GraphQL */ `
  mutation PlaygroundIngest($input: IngestDocumentInput!) {
    ingestDocument(input: $input) { id title source status chunkCount }
  }
`;

export const CompletionStreamSubscription = /* GraphQL */ `
  subscription PlaygroundStream($input: CompletionInput!) {
    completionStream(input: $input) {
      __typename
      ... on TextDeltaEvent { text }
      ... on TextEndEvent {
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
`;

export interface Citation {
  id: string;
  index: number;
  text: string;
  headingPath: string[];
  document: { title: string | null; source: string };
}

export interface FinishedCompletion {
  id: string;
  finishReason: string;
  latencyMillis: number;
  timeToFirstTokenMillis: number | null;
  usage: { promptTokens: number; completionTokens: number; estimated: boolean };
  cost: { amount: number; currency: string } | null;
  citations: (Citation | null)[];
}

export type StreamEvent = { __typename: "TextStartEvent" } | { __typename: "TextDeltaEvent"; text: string } | { __typename: "TextEndEvent"; completion: FinishedCompletion };
