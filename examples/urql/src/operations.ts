/** The app's operations: typed by codegen (src/gql/), each also in the persisted documents manifest. */
import { graphql } from "./gql/index.js";

export const ExampleModels = graphql(`
  query UrqlExampleModels {
    models(first: 20) { nodes { id displayName capabilities } }
  }
`);

export const ExampleCompletion = graphql(`
  mutation UrqlExampleCompletion($input: CompletionInput!) {
    createCompletion(input: $input) { id text finishReason usage { promptTokens completionTokens } }
  }
`);

export const ExampleStream = graphql(`
  subscription UrqlExampleStream($input: CompletionInput!) {
    completionStream(input: $input) {
      ... on TextDeltaEvent { id text }
      ... on TextEndEvent { id completion { id finishReason usage { completionTokens } } }
    }
  }
`);
