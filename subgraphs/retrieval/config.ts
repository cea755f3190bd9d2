import { z } from "zod";
import { commonEnvironment, toCommonConfig, type CommonConfig } from "../../platform/config/common-config.ts";
import { peerServiceEnvironment, peerServiceUrl } from "../../platform/config/peer-service-url.ts";
import { ConfigurationError, integerVariable, parseEnvironment, portVariable } from "../../platform/config/parse-environment.ts";

/** Where chunks and vectors live. */
export type VectorStoreConfig =
  | {
      kind: "lancedb";
      /** Directory of the LanceDB tables. Default `<dataDirectory>/lancedb`. */
      directory: string;
      /** Rows a collection's table reaches before an ANN index is built (below it, search is exact). Default 10,000. */
      indexMinRows: number;
    }
  | {
      kind: "milvus";
      /** `host:port` of the Milvus gRPC API, for example `milvus:19530`. */
      address: string;
      /** `user:password` or an API key; unset when Milvus runs without authentication. */
      token: string | undefined;
      /** Milvus database; the server's default database when unset. */
      database: string | undefined;
      /** Prefix of the Milvus collections this service creates. Default `aig_`. */
      collectionPrefix: string;
    };

export interface RetrievalConfig extends CommonConfig {
  /** Port of the subgraph's HTTP server. Default 4003. */
  port: number;
  vectorStore: VectorStoreConfig;
  /** GraphQL endpoint of the inference subgraph, which embeds and counts tokens. `INFERENCE_URL`, else `http://127.0.0.1:<INFERENCE_PORT>/graphql` (default port 4002). */
  inferenceUrl: string;
  /** Largest document accepted, in UTF-8 bytes. Default 4,194,304 (4 MiB); must be below MAX_REQUEST_BODY_BYTES. */
  maximumDocumentBytes: number;
  /** Chunks embedded per call to the inference subgraph. Default 32. */
  embeddingBatchSize: number;
  /** Longest a document's ingestion may run, in milliseconds. Default 3,600,000 (1 h). */
  ingestionTimeoutMillis: number;
}

/** Every variable the retrieval subgraph reads. */
export const retrievalEnvironment = {
  ...commonEnvironment,
  RETRIEVAL_PORT: portVariable(4003),
  VECTOR_STORE: z.enum(["lancedb", "milvus"]).default("lancedb"),
  LANCEDB_DIR: z.string().optional(),
  LANCEDB_INDEX_MIN_ROWS: integerVariable(10_000, 256, 1_000_000_000),
  MILVUS_ADDRESS: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, "expected host:port").optional(),
  MILVUS_TOKEN: z.string().optional(),
  MILVUS_DATABASE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,254}$/, "expected a Milvus database name").optional(),
  MILVUS_COLLECTION_PREFIX: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,31}$/, "expected a letter or _ then letters, digits or _").default("aig_"),
  ...peerServiceEnvironment("inference"),
  MAX_DOCUMENT_BYTES: integerVariable(4_194_304, 1_024, 1_073_741_824),
  EMBEDDING_BATCH_SIZE: integerVariable(32, 1, 256),
  INGESTION_TIMEOUT_MILLIS: integerVariable(3_600_000, 1_000, 604_800_000),
};

export function loadRetrievalConfig(environment: NodeJS.ProcessEnv = process.env): RetrievalConfig {
  const values = parseEnvironment(retrievalEnvironment, environment);
  const common = toCommonConfig(values);
  const problems = [];
  if (values.VECTOR_STORE === "milvus" && values.MILVUS_ADDRESS === undefined) {
    problems.push({ variable: "MILVUS_ADDRESS", message: "required when VECTOR_STORE=milvus (not set)" });
  }
  if (values.MAX_DOCUMENT_BYTES >= common.maximumRequestBodyBytes) {
    problems.push({
      variable: "MAX_DOCUMENT_BYTES",
      message: `must be below MAX_REQUEST_BODY_BYTES (${common.maximumRequestBodyBytes}), which carries the document (got ${values.MAX_DOCUMENT_BYTES})`,
    });
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  const vectorStore: VectorStoreConfig =
    values.VECTOR_STORE === "milvus"
      ? {
          kind: "milvus",
          address: values.MILVUS_ADDRESS ?? "",
          token: values.MILVUS_TOKEN,
          database: values.MILVUS_DATABASE,
          collectionPrefix: values.MILVUS_COLLECTION_PREFIX,
        }
      : { kind: "lancedb", directory: values.LANCEDB_DIR ?? `${common.dataDirectory}/lancedb`, indexMinRows: values.LANCEDB_INDEX_MIN_ROWS };
  return {
    ...common,
    port: values.RETRIEVAL_PORT,
    vectorStore,
    inferenceUrl: peerServiceUrl(values, "inference"),
    maximumDocumentBytes: values.MAX_DOCUMENT_BYTES,
    embeddingBatchSize: values.EMBEDDING_BATCH_SIZE,
    ingestionTimeoutMillis: values.INGESTION_TIMEOUT_MILLIS,
  };
}
