/** Where the gateway's subgraph replicas come from: `<NAME>_URLS`, DNS, the URL itself. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadGatewayConfig } from "../../../gateway/config.ts";
import { defaultEndpointResolver } from "../../../gateway/upstreams/endpoint-discovery.ts";
import { ConfigurationError } from "../../../platform/config/parse-environment.ts";

describe("subgraph endpoints", () => {
  it("INFERENCE_URLS lists the inference replicas; the first stands for the subgraph without INFERENCE_URL", () => {
    const config = loadGatewayConfig({ INFERENCE_URLS: "http://a:4003/graphql, http://b:4003/graphql" });
    assert.deepEqual(config.subgraphEndpoints, { inference: ["http://a:4003/graphql", "http://b:4003/graphql"] });
    assert.equal(config.subgraphUrls.inference, "http://a:4003/graphql");
    assert.deepEqual(config.upstreams, { discoveryRefreshMillis: 5_000, healthCheckIntervalMillis: 2_000, connectionMaxAgeMillis: 10_000 });
  });

  it("refuses a list with something other than http(s) URLs, naming the variable", () => {
    assert.throws(
      () => loadGatewayConfig({ USAGE_URLS: "http://a:4004/graphql,ftp://b" }),
      (error: unknown) => error instanceof ConfigurationError && error.problems.some((problem) => problem.variable === "USAGE_URLS"),
    );
  });

  it("resolves a configured list as given, and an IP literal, localhost or https URL as itself", async () => {
    const resolve = defaultEndpointResolver({ inference: ["http://a:4003/graphql", "http://b:4003/graphql"] });
    assert.deepEqual(await resolve("inference", "http://inference:4003/graphql"), ["http://a:4003/graphql", "http://b:4003/graphql"]);
    for (const url of ["http://10.0.0.7:4004/graphql", "http://[::1]:4004/graphql", "http://localhost:4004/graphql", "https://usage.example.com/graphql"]) {
      assert.deepEqual(await resolve("usage", url), [url]);
    }
  });

  it("resolves a host name to one endpoint per address (a headless Service's records), keeping port and path", async () => {
    // TEST DOUBLE for the system resolver: what a headless Service of three pods answers.
    const lookedUp: string[] = [];
    const resolve = defaultEndpointResolver({}, async (hostname) => {
      lookedUp.push(hostname);
      return hostname === "inference-pods" ? [{ address: "10.0.0.9", family: 4 }, { address: "10.0.0.7", family: 4 }, { address: "fd00::5", family: 6 }, { address: "10.0.0.7", family: 4 }] : [];
    });
    assert.deepEqual(await resolve("inference", "http://inference-pods:4002/graphql"), ["http://10.0.0.7:4002/graphql", "http://10.0.0.9:4002/graphql", "http://[fd00::5]:4002/graphql"]);
    // A name that resolves to nothing stays itself: the fetch then reports why.
    assert.deepEqual(await resolve("usage", "http://usage:4004/graphql"), ["http://usage:4004/graphql"]);
    assert.deepEqual(lookedUp, ["inference-pods", "usage"]);
  });
});
