/**
 * @federated-ai-graph/client: a typed client for the federated AI graph's gateway. Run your own
 * generated documents (GraphQL Code Generator's client preset) with `createGraphClient`: queries and
 * mutations over HTTP, subscriptions over graphql-ws or Server-Sent Events, abort signals, errors
 * typed by the schema's `ErrorCode`, and `streamText` for a completion's text as it is generated.
 */
export { createGraphClient } from "./graph-client.js";
export type { GraphClient, GraphClientOptions, GraphResult, RequestOptions, SubscribeOptions, Transport } from "./graph-client.js";
export type { GraphDocument, OperationArguments } from "./document.js";
export { ClientErrorCode, GraphClientError, GraphQLLayerErrorCode, isGraphClientError } from "./graph-client-error.js";
export type { GraphClientErrorCode, GraphClientErrorOptions } from "./graph-client-error.js";
export { StreamTextDocument } from "./stream-text.js";
export type { StreamedCompletion, StreamTextInput, TextStream } from "./stream-text.js";
/** Every enum of the public schema, as a const object and a type: `ErrorCode.RateLimited === "RATE_LIMITED"`. */
export * from "./generated/schema-enums.js";
export type { ChatMessageInput, CompletionInput, GroundingInput, MetadataFilterInput } from "./generated/operations/graphql.js";
export type { ResultOf, TypedDocumentNode, VariablesOf } from "@graphql-typed-document-node/core";
