/**
 * What each service's `/metrics` serves, read directly: the Prometheus text format that
 * `promtool check metrics` accepts, labels kept bounded (operation names capped by
 * METRICS_MAX_OPERATION_NAMES, `tenant` only with METRICS_TENANT_LABEL=true), and no route at all
 * with METRICS_ENABLED=false.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import { createLogger } from "../../platform/logging/logger.ts";
import { loadModelRegistryConfig } from "../../subgraphs/model-registry/config.ts";
import { startModelRegistry } from "../../subgraphs/model-registry/service.ts";
import { scrapeMetrics, sumOf } from "../harness/metric-samples.ts";
import { postGraphQL } from "../harness/post-graphql.ts";
import { prometheusBinaries } from "../harness/prometheus-server.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

describe("the /metrics endpoint of every service", () => {
  let stack: TestStack;
  const services = () => ({ gateway: stack.gateway, "model-registry": stack.modelRegistry, inference: stack.inference, retrieval: stack.retrieval, usage: stack.usage });

  before(async () => {
    const modelsDirectory = await temporaryDirectory("exposition-models");
    await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("exposition-stack"), MODELS_DIR: modelsDirectory, METRICS_MAX_OPERATION_NAMES: "2", METRICS_TENANT_LABEL: "true" });
    const registered = await postGraphQL(stack.gateway.graphqlUrl, stack.adminKey.key, "mutation Register($input: RegisterModelInput!) { registerModel(input: $input) { id } }", {
      input: { id: "exposition-chat", displayName: "Chat", family: "llama", capabilities: ["CHAT", "COMPLETION"], contextLength: 1024, engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" }, pricing: { inputPerMillionTokens: 1, outputPerMillionTokens: 1 } },
    });
    assert.deepEqual(registered.body.errors ?? [], []);
  });
  after(() => stack?.stop());

  it("serves the Prometheus text format, which `promtool check metrics` accepts, on the gateway and every subgraph", async () => {
    const { promtool } = prometheusBinaries();
    for (const [name, service] of Object.entries(services())) {
      const response = await fetch(`${service.url}/metrics`);
      assert.equal(response.status, 200, name);
      assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/, name);
      const text = await response.text();
      assert.match(text, new RegExp(`^process_cpu_user_seconds_total\\{service="${name}"\\} `, "m"), `${name} has process metrics under its service label`);
      // prom-client's own Node.js gauges (nodejs_active_handles_total...) break promtool's naming rule: ours are linted.
      const ours = text
        .split("\n")
        .filter((line) => !/^(# (HELP|TYPE) )?nodejs_/.test(line))
        .join("\n");
      const linted = spawnSync(promtool, ["check", "metrics"], { input: ours, encoding: "utf8" });
      assert.equal(linted.status, 0, `${name}: promtool check metrics:\n${linted.stdout}${linted.stderr}`);
    }
  });

  it("labels the first METRICS_MAX_OPERATION_NAMES operation names as they are, later ones `other`, unnamed ones `anonymous`", async () => {
    for (const query of ["query First { __typename }", "query Second { __typename }", "query Third { __typename }", "query Fourth { __typename }", "{ __typename }"]) {
      const result = await postGraphQL(stack.gateway.graphqlUrl, stack.memberKey.key, query);
      assert.deepEqual(result.body.errors ?? [], []);
    }
    const samples = await scrapeMetrics(stack.gateway.url);
    const count = (operationName: string) => sumOf(samples, "graphql_operations_total", { operation_name: operationName, operation_type: "query", outcome: "success" });
    assert.deepEqual(
      { First: count("First"), Second: count("Second"), Third: count("Third"), other: count("other"), anonymous: count("anonymous") },
      // The cap counts names in order of arrival; Register (before) took one of the two.
      { First: 1, Second: 0, Third: 0, other: 3, anonymous: 1 },
    );
  });

  it("labels token and quota series with the tenant when METRICS_TENANT_LABEL=true", async () => {
    const result = await postGraphQL(stack.gateway.graphqlUrl, stack.memberKey.key, "mutation Complete { createCompletion(input: {model: \"exposition-chat\", prompt: \"Hello\", maxTokens: 4, seed: 1}) { usage { completionTokens } } }");
    assert.deepEqual(result.body.errors ?? [], []);
    const completionTokens = (result.body.data?.createCompletion as { usage: { completionTokens: number } }).usage.completionTokens;
    const samples = await scrapeMetrics(stack.inference.url);
    assert.equal(sumOf(samples, "inference_tokens_total", { tenant: "tenant-a", direction: "output" }), completionTokens);
    assert.equal(sumOf(samples, "quota_decisions_total", { tenant: "tenant-a", decision: "admitted" }), 1);
    assert.equal(sumOf(samples, "inference_tokens_total", { tenant: "tenant-b" }), 0);
  });

  it("serves only the families asked for with name[] (as Prometheus federation asks)", async () => {
    const samples = await scrapeMetrics(stack.inference.url, ["scheduler_running", "no_such_metric"]);
    assert.deepEqual([...new Set(samples.map((sample) => sample.name))], samples.length === 0 ? [] : ["scheduler_running"]);
    const text = await (await fetch(`${stack.inference.url}/metrics?name[]=process_cpu_user_seconds_total`)).text();
    assert.deepEqual(text.split("\n").filter((line) => line !== "" && !line.startsWith("#")).map((line) => line.split("{")[0]), ["process_cpu_user_seconds_total"]);
  });

  it("serves no /metrics with METRICS_ENABLED=false", async () => {
    const registry = await startModelRegistry(
      loadModelRegistryConfig({ DATA_DIR: await temporaryDirectory("metrics-disabled"), MODEL_REGISTRY_PORT: "0", METRICS_ENABLED: "false", LOG_LEVEL: "error" }),
      createLogger("model-registry", "error"),
    );
    try {
      assert.equal((await fetch(`${registry.url}/metrics`)).status, 404);
      assert.equal((await fetch(`${registry.url}/healthz`)).status, 200);
    } finally {
      await registry.stop();
    }
  });
});
