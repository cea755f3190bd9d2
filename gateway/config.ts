import { join } from "node:path";
import { z } from "zod";
import { commonEnvironment, toCommonConfig, type CommonConfig } from "../platform/config/common-config.ts";
import { booleanVariable, httpUrlVariable, integerVariable, parseEnvironment, portVariable } from "../platform/config/parse-environment.ts";
import { projectRoot } from "../platform/schema-file.ts";
import { defaultSubgraphUrl, environmentStem, gatewayDefaultPort, subgraphCatalog } from "../platform/service-catalog.ts";

export interface GatewayConfig extends CommonConfig {
  /** Port of the gateway's HTTP server. Default 4000. */
  port: number;
  /** Composed supergraph to serve. Default `schema/supergraph.graphql`. */
  supergraphPath: string;
  /** Reload the supergraph when its file changes. Default true. */
  watchSupergraph: boolean;
  /** URL of each subgraph's GraphQL endpoint, by subgraph name: `<NAME>_URL`, else `http://127.0.0.1:<NAME>_PORT/graphql`. */
  subgraphUrls: Record<string, string>;
  /**
   * How long the gateway waits for one subgraph request (queries and mutations, not subscriptions),
   * in milliseconds, before answering SERVICE_UNAVAILABLE (retryable) for the fields it owed.
   * Default 300000 (5 minutes: a non-streamed generation of thousands of tokens on a CPU).
   */
  subgraphTimeoutMillis: number;
}

export function loadGatewayConfig(environment: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const subgraphVariables: Record<string, z.ZodType<string | number | undefined>> = {};
  for (const subgraph of subgraphCatalog) {
    const stem = environmentStem(subgraph.name);
    subgraphVariables[`${stem}_URL`] = httpUrlVariable().optional();
    subgraphVariables[`${stem}_PORT`] = portVariable(subgraph.defaultPort);
  }
  const values = parseEnvironment(
    {
      ...commonEnvironment,
      ...subgraphVariables,
      GATEWAY_PORT: portVariable(gatewayDefaultPort),
      SUPERGRAPH_PATH: z.string().default(join(projectRoot, "schema", "supergraph.graphql")),
      SUPERGRAPH_WATCH: booleanVariable(true),
      SUBGRAPH_TIMEOUT_MILLIS: integerVariable(300_000, 100, 3_600_000),
    },
    environment,
  );
  const subgraphUrls: Record<string, string> = {};
  for (const subgraph of subgraphCatalog) {
    const stem = environmentStem(subgraph.name);
    const configured = (values as Record<string, unknown>)[`${stem}_URL`];
    const port = (values as Record<string, unknown>)[`${stem}_PORT`];
    // Without a URL, the subgraph runs beside the gateway on its configured port (`npm start`).
    subgraphUrls[subgraph.name] = typeof configured === "string" ? configured : defaultSubgraphUrl({ ...subgraph, defaultPort: Number(port) });
  }
  return {
    ...toCommonConfig(values),
    port: values.GATEWAY_PORT,
    supergraphPath: values.SUPERGRAPH_PATH,
    watchSupergraph: values.SUPERGRAPH_WATCH,
    subgraphUrls,
    subgraphTimeoutMillis: values.SUBGRAPH_TIMEOUT_MILLIS,
  };
}
