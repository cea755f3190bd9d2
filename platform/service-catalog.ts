/** A subgraph this project ships: where its SDL lives, how it starts, where it listens by default. */
export interface SubgraphDescriptor {
  /** Name in the supergraph, and of the `schema/<name>.graphql` file and `subgraphs/<name>/` folder. */
  name: string;
  /** Port used when its `<NAME>_PORT` variable is not set. */
  defaultPort: number;
  /** Module that starts the subgraph alone. */
  entryPoint: string;
}

export const gatewayDefaultPort = 4000;

/**
 * Every subgraph, in start order. Composition, codegen, `npm start` and the gateway all read this
 * list, so a new subgraph joins the graph by being added here (and its SDL to `schema/`).
 */
export const subgraphCatalog: readonly SubgraphDescriptor[] = [
  { name: "model-registry", defaultPort: 4001, entryPoint: "subgraphs/model-registry/main.ts" },
  { name: "inference", defaultPort: 4002, entryPoint: "subgraphs/inference/main.ts" },
  { name: "retrieval", defaultPort: 4003, entryPoint: "subgraphs/retrieval/main.ts" },
  { name: "usage", defaultPort: 4004, entryPoint: "subgraphs/usage/main.ts" },
];

/** `model-registry` → `MODEL_REGISTRY`, the stem of a subgraph's environment variables. */
export function environmentStem(subgraphName: string): string {
  return subgraphName.toUpperCase().replaceAll("-", "_");
}

/** The URL the committed supergraph records for a subgraph; the gateway overrides it per deployment. */
export function defaultSubgraphUrl(descriptor: SubgraphDescriptor): string {
  return `http://127.0.0.1:${descriptor.defaultPort}/graphql`;
}
