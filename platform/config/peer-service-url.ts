import type { z } from "zod";
import { defaultSubgraphUrl, environmentStem, subgraphCatalog } from "../service-catalog.ts";
import { httpUrlVariable, portVariable } from "./parse-environment.ts";

/**
 * The variables that locate another subgraph, read the way the gateway reads them: `<NAME>_URL`,
 * else `http://127.0.0.1:<NAME>_PORT/graphql` (the subgraph running beside this one, `npm start`).
 */
export function peerServiceEnvironment<Name extends string>(name: Name): Record<string, z.ZodType<string | number | undefined>> {
  const descriptor = subgraphCatalog.find((subgraph) => subgraph.name === name);
  if (descriptor === undefined) throw new Error(`no subgraph named ${name} in the catalogue`);
  const stem = environmentStem(name);
  return { [`${stem}_URL`]: httpUrlVariable().optional(), [`${stem}_PORT`]: portVariable(descriptor.defaultPort) };
}

/** The GraphQL URL of subgraph `name` from values parsed with `peerServiceEnvironment(name)`. */
export function peerServiceUrl(values: Record<string, unknown>, name: string): string {
  const descriptor = subgraphCatalog.find((subgraph) => subgraph.name === name);
  if (descriptor === undefined) throw new Error(`no subgraph named ${name} in the catalogue`);
  const stem = environmentStem(name);
  const configured = values[`${stem}_URL`];
  if (typeof configured === "string") return configured;
  return defaultSubgraphUrl({ ...descriptor, defaultPort: Number(values[`${stem}_PORT`] ?? descriptor.defaultPort) });
}
