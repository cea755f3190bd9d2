import { after, describe } from "node:test";
import { Redis } from "ioredis";
import { EmbeddedRetrievalCatalog } from "../../../subgraphs/retrieval/catalog/embedded-retrieval-catalog.ts";
import { RedisRetrievalCatalog } from "../../../subgraphs/retrieval/catalog/redis-retrieval-catalog.ts";
import { provisionRedis, requireServer } from "../../harness/redis-suite.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";
import { retrievalCatalogContract } from "./catalog-contract.ts";

const redis = await provisionRedis();

describe("EmbeddedRetrievalCatalog", () => {
  let counter = 0;
  retrievalCatalogContract(async () => new EmbeddedRetrievalCatalog(await temporaryDirectory(`retrieval-catalog-${(counter += 1)}`)));
});

describe("RedisRetrievalCatalog", { skip: redis.skip }, () => {
  const connections: Redis[] = [];
  after(() => connections.forEach((connection) => connection.disconnect()));
  retrievalCatalogContract(async () => {
    const server = requireServer(redis);
    const connection = new Redis(server.url);
    connections.push(connection);
    return new RedisRetrievalCatalog(connection, server.uniquePrefix());
  });
});
