import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCommonConfig } from "../../platform/config/common-config.ts";
import { ConfigurationError } from "../../platform/config/parse-environment.ts";
import { loadGatewayConfig } from "../../gateway/config.ts";
import { loadModelRegistryConfig } from "../../subgraphs/model-registry/config.ts";

function problemsOf(load: () => unknown): { variable: string; message: string }[] {
  try {
    load();
  } catch (error) {
    assert.ok(error instanceof ConfigurationError);
    return [...error.problems];
  }
  assert.fail("expected a configuration error");
}

describe("configuration", () => {
  it("defaults to embedded stores and needs nothing set", () => {
    const config = loadCommonConfig({});
    assert.equal(config.storeBackend, "embedded");
    assert.equal(config.dataDirectory, ".data");
    assert.equal(config.shutdownGracePeriodMillis, 10_000);
  });

  it("treats empty variables as unset", () => {
    assert.equal(loadCommonConfig({ STORE_BACKEND: "", LOG_LEVEL: "  " }).storeBackend, "embedded");
  });

  it("names every bad variable with the value it got", () => {
    const problems = problemsOf(() => loadGatewayConfig({ GATEWAY_PORT: "eighty", LOG_LEVEL: "loud", MODEL_REGISTRY_URL: "not a url" }));
    assert.deepEqual(problems.map((problem) => problem.variable).sort(), ["GATEWAY_PORT", "LOG_LEVEL", "MODEL_REGISTRY_URL"]);
    assert.match(problems.find((problem) => problem.variable === "GATEWAY_PORT")?.message ?? "", /"eighty"/);
  });

  it("requires a Redis URL and a shared signing secret with the Redis backend", () => {
    const problems = problemsOf(() => loadModelRegistryConfig({ STORE_BACKEND: "redis" }));
    assert.deepEqual(problems.map((problem) => problem.variable), ["REDIS_URL", "INTERNAL_SIGNING_SECRET"]);
    const config = loadModelRegistryConfig({ STORE_BACKEND: "redis", REDIS_URL: "redis://localhost:6379", INTERNAL_SIGNING_SECRET: "s".repeat(32) });
    assert.equal(config.redisUrl, "redis://localhost:6379");
    assert.deepEqual(problemsOf(() => loadCommonConfig({ REDIS_URL: "http://x" })).map((problem) => problem.variable), ["REDIS_URL"]);
  });

  it("reads subgraph URLs for the gateway, defaulting to local ports", () => {
    assert.equal(loadGatewayConfig({}).subgraphUrls["model-registry"], "http://127.0.0.1:4001/graphql");
    assert.equal(loadGatewayConfig({ MODEL_REGISTRY_URL: "http://registry:4001/graphql" }).subgraphUrls["model-registry"], "http://registry:4001/graphql");
  });

  it("keeps introspection and schema suggestions off unless enabled (production defaults)", () => {
    assert.equal(loadCommonConfig({}).introspection, false);
    assert.equal(loadCommonConfig({}).schemaSuggestions, false);
  });

  it("parses booleans and bounded integers", () => {
    assert.equal(loadCommonConfig({ INTROSPECTION: "true" }).introspection, true);
    assert.equal(loadCommonConfig({ SCHEMA_SUGGESTIONS: "true" }).schemaSuggestions, true);
    assert.deepEqual(problemsOf(() => loadCommonConfig({ INTROSPECTION: "maybe" })).map((problem) => problem.variable), ["INTROSPECTION"]);
    assert.deepEqual(problemsOf(() => loadCommonConfig({ MAX_REQUEST_BODY_BYTES: "10" })).map((problem) => problem.variable), ["MAX_REQUEST_BODY_BYTES"]);
  });
});
