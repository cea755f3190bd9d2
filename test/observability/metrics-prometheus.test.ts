/**
 * The stack's metrics as a real Prometheus sees them: Debian's prometheus (test/harness/prometheus-server.ts)
 * scrapes the gateway and every subgraph, and after known traffic (completions and a stream with
 * known token counts, a refused request, an ingestion and a search) PromQL gives exactly what
 * happened. The alert rules pass `promtool check rules`, and every expression of the rules and of
 * the Grafana dashboard is valid PromQL naming only series the services declare.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import { projectRoot } from "../../platform/schema-file.ts";
import { metricFamilies } from "../harness/metric-samples.ts";
import { postGraphQL } from "../harness/post-graphql.ts";
import { prometheusBinaries, startTestPrometheus, type TestPrometheus } from "../harness/prometheus-server.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";
import { metricNamesIn } from "./promql-names.ts";

const monitoringRoot = join(projectRoot, "k8s", "monitoring");

interface Usage {
  promptTokens: number;
  completionTokens: number;
}

describe("metrics scraped by a real Prometheus", () => {
  let stack: TestStack;
  let prometheus: TestPrometheus;
  let subscriptions: Client;
  /** Every metric family any service declares, with the sample names of histograms. */
  const declared = new Map<string, string>();
  const traffic = { promptTokens: 0, completionTokens: 0, completions: 0, streamEvents: 0, failureCode: "", chunkCount: 0 };

  const single = async (promql: string): Promise<number> => {
    const samples = await prometheus.query(promql);
    assert.equal(samples.length, 1, `${promql} gave ${JSON.stringify(samples)}`);
    return samples[0]?.value ?? Number.NaN;
  };

  before(async () => {
    const modelsDirectory = await temporaryDirectory("metrics-models");
    await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });
    await generateModel({ ...modelPresets.tiny, pooling: "mean", outputPath: join(modelsDirectory, "embed.gguf") });
    stack = await startTestStack({ DATA_DIR: await temporaryDirectory("metrics-stack"), MODELS_DIR: modelsDirectory });
    const admin = (query: string, variables: Record<string, unknown>) => postGraphQL(stack.gateway.graphqlUrl, stack.adminKey.key, query, variables);
    const member = (query: string, variables: Record<string, unknown> = {}) => postGraphQL(stack.gateway.graphqlUrl, stack.memberKey.key, query, variables);
    const register = "mutation Register($input: RegisterModelInput!) { registerModel(input: $input) { id } }";
    const pricing = { inputPerMillionTokens: 0.25, outputPerMillionTokens: 0.75 };
    for (const input of [
      { id: "metrics-chat", displayName: "Chat", family: "llama", capabilities: ["CHAT", "COMPLETION"], contextLength: 1024, engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" }, pricing },
      { id: "metrics-embed", displayName: "Embeddings", family: "llama", capabilities: ["EMBEDDING"], embeddingDimensions: 256, contextLength: 2048, engine: { kind: "LLAMA_CPP", modelPath: "embed.gguf" }, pricing },
    ]) {
      assert.deepEqual((await admin(register, { input })).body.errors ?? [], []);
    }
    prometheus = await startTestPrometheus(
      (["gateway", "modelRegistry", "inference", "retrieval", "usage"] as const).map((name) => ({ job: name, url: stack[name].url })),
    );

    // Known traffic: three completions and one stream of the chat model.
    for (const seed of [1, 2, 3]) {
      const result = await member("mutation MetricsCompletion($input: CompletionInput!) { createCompletion(input: $input) { usage { promptTokens completionTokens } } }", {
        input: { model: "metrics-chat", prompt: `Tell me about the number ${seed}`, maxTokens: 8, seed },
      });
      assert.deepEqual(result.body.errors ?? [], []);
      const usage = (result.body.data?.createCompletion as { usage: Usage }).usage;
      traffic.promptTokens += usage.promptTokens;
      traffic.completionTokens += usage.completionTokens;
      traffic.completions += 1;
    }
    subscriptions = createClient({ url: stack.gateway.graphqlUrl.replace(/^http/, "ws"), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${stack.memberKey.key}` }, retryAttempts: 0 });
    const stream = subscriptions.iterate<{ completionStream: { __typename: string; completion?: { usage: Usage } } }>({
      query: "subscription MetricsStream($input: CompletionInput!) { completionStream(input: $input) { __typename ... on TextEndEvent { completion { usage { promptTokens completionTokens } } } } }",
      variables: { input: { model: "metrics-chat", prompt: "Once upon a time", maxTokens: 12, seed: 4 } },
    });
    for await (const event of stream) {
      assert.equal(event.errors, undefined, JSON.stringify(event.errors));
      traffic.streamEvents += 1;
      const usage = event.data?.completionStream.completion?.usage;
      if (usage !== undefined) {
        traffic.promptTokens += usage.promptTokens;
        traffic.completionTokens += usage.completionTokens;
      }
    }
    // A refused operation and a request without a valid key.
    const failure = await member("mutation MetricsFailure { createCompletion(input: {model: \"no-such-model\", prompt: \"hello\"}) { text } }");
    traffic.failureCode = String(failure.body.errors?.[0]?.extensions?.code);
    assert.notEqual(traffic.failureCode, "undefined");
    assert.equal((await postGraphQL(stack.gateway.graphqlUrl, "not-a-key", "query MetricsUnauthenticated { __typename }")).status, 401);
    // Retrieval: a collection, one ingested document, one search.
    const collection = await member("mutation MetricsCollection($input: CreateCollectionInput!) { createCollection(input: $input) { id } }", { input: { name: "metrics", embeddingModel: "metrics-embed" } });
    assert.deepEqual(collection.body.errors ?? [], []);
    const collectionId = (collection.body.data?.createCollection as { id: string }).id;
    const ingested = await member("mutation MetricsIngest($input: IngestDocumentInput!) { ingestDocument(input: $input) { status chunkCount } }", {
      input: { collectionId, source: "metrics.md", content: "# Metrics\n\nPrometheus scrapes every service.\n\nGrafana shows the dashboard.", waitForCompletion: true },
    });
    assert.deepEqual(ingested.body.errors ?? [], []);
    traffic.chunkCount = (ingested.body.data?.ingestDocument as { chunkCount: number }).chunkCount;
    const searched = await member("query MetricsSearch($input: SearchInput!) { search(input: $input) { totalCount } }", { input: { collectionId, query: "who scrapes the services?", mode: "HYBRID" } });
    assert.deepEqual(searched.body.errors ?? [], []);

    // Usage events are aggregated in the background: wait until every metered call was.
    const deadline = Date.now() + 30_000;
    for (;;) {
      await prometheus.waitForScrapesAfter(Date.now());
      const [aggregated] = await prometheus.query("sum(usage_events_aggregated_total)");
      const [calls] = await prometheus.query("sum(inference_calls_total)");
      if (aggregated !== undefined && calls !== undefined && aggregated.value === calls.value) break;
      if (Date.now() > deadline) assert.fail(`usage events not all aggregated: ${aggregated?.value} of ${calls?.value}`);
    }

    // Two scrapes after the traffic, so that rate() over it has two samples.
    await prometheus.waitForScrapesAfter(Date.now());
    for (const service of [stack.gateway, stack.modelRegistry, stack.inference, stack.retrieval, stack.usage]) {
      for (const [name, type] of metricFamilies(await (await fetch(`${service.url}/metrics`)).text())) declared.set(name, type);
    }
  });
  after(async () => {
    await subscriptions?.dispose();
    await prometheus?.stop();
    await stack?.stop();
  });

  it("scrapes the gateway and every subgraph, each with process metrics under its service label", async () => {
    assert.equal(await single('count(up == 1)'), 5);
    for (const service of ["gateway", "model-registry", "inference", "retrieval", "usage"]) {
      assert.ok((await single(`process_resident_memory_bytes{service="${service}"}`)) > 0, service);
      assert.equal(await single(`count(nodejs_heap_space_size_used_bytes{service="${service}"}) > 0`) > 0, true);
    }
  });

  it("counts exactly the tokens the completions reported, in inference_tokens_total and gen_ai_client_token_usage", async () => {
    assert.ok(traffic.completionTokens > 0);
    assert.equal(await single('sum(inference_tokens_total{model="metrics-chat",direction="output"})'), traffic.completionTokens);
    assert.equal(await single('sum(inference_tokens_total{model="metrics-chat",direction="input"})'), traffic.promptTokens);
    assert.equal(await single('sum(gen_ai_client_token_usage_sum{gen_ai_request_model="metrics-chat",gen_ai_token_type="output",gen_ai_operation_name="text_completion",gen_ai_provider_name="llama.cpp"})'), traffic.completionTokens);
    assert.equal(await single('sum(gen_ai_client_token_usage_count{gen_ai_request_model="metrics-chat",gen_ai_token_type="output"})'), traffic.completions + 1);
    assert.equal(await single('sum(inference_calls_total{model="metrics-chat",status="SUCCEEDED"})'), traffic.completions + 1);
  });

  it("measures time to first token and per output token for the stream only", async () => {
    assert.equal(await single('sum(gen_ai_server_time_to_first_token_seconds_count{gen_ai_request_model="metrics-chat"})'), 1);
    assert.ok((await single('sum(gen_ai_server_time_to_first_token_seconds_sum{gen_ai_request_model="metrics-chat"})')) > 0);
    assert.equal(await single('sum(gen_ai_server_time_per_output_token_seconds_count{gen_ai_request_model="metrics-chat"})'), 1);
  });

  it("counts the scheduler's requests by kind and outcome, with queue wait and batch size histograms", async () => {
    assert.equal(await single('sum(scheduler_requests_total{model="metrics-chat",kind="generate",outcome="completed"})'), traffic.completions);
    assert.equal(await single('sum(scheduler_requests_total{model="metrics-chat",kind="stream",outcome="completed"})'), 1);
    assert.equal(await single('sum(scheduler_queue_wait_seconds_count{model="metrics-chat"})'), traffic.completions + 1);
    assert.equal(await single('sum(scheduler_batch_size_sum{model="metrics-chat",kind="generate"})'), traffic.completions);
    assert.equal(await single('sum(scheduler_queue_depth{model="metrics-chat"})'), 0);
    assert.equal(await single('sum(scheduler_running{model="metrics-chat"})'), 0);
  });

  it("gives RED series per operation name and type at the gateway, errors by code, refusals before Apollo included", async () => {
    assert.equal(await single('sum(graphql_operations_total{service="gateway",operation_name="MetricsCompletion",operation_type="mutation",outcome="success"})'), traffic.completions);
    assert.equal(await single('sum(graphql_operation_duration_seconds_count{service="gateway",operation_name="MetricsCompletion",operation_type="mutation"})'), traffic.completions);
    assert.equal(await single(`sum(graphql_operation_errors_total{service="gateway",operation_name="MetricsFailure",code="${traffic.failureCode}"})`), 1);
    assert.equal(await single('sum(graphql_operation_errors_total{service="gateway",operation_name="anonymous",code="UNAUTHENTICATED"})'), 1);
    assert.equal(await single('sum(graphql_operations_total{service="gateway",operation_type="unknown",outcome="error"})'), 1);
  });

  it("times the gateway's fetches per subgraph", async () => {
    assert.ok((await single('sum(gateway_subgraph_fetch_duration_seconds_count{subgraph="inference",outcome="ok"})')) >= traffic.completions);
    assert.equal((await prometheus.query("sum(gateway_subgraph_fetch_errors_total)")).length === 0 ? 0 : await single("sum(gateway_subgraph_fetch_errors_total)"), 0);
  });

  it("counts subscriptions and the events sent to clients", async () => {
    assert.equal(await single("sum(gateway_subscriptions_started_total)"), 1);
    assert.equal(await single("sum(gateway_subscription_events_sent_total)"), traffic.streamEvents);
    assert.equal(await single("sum(gateway_subscriptions_open)"), 0);
  });

  it("records one quota decision per metered call, and the usage pipeline's lag and buffer", async () => {
    // No call was refused: every metered call was admitted once.
    assert.equal(await single('sum(quota_decisions_total{decision="admitted"})'), await single("sum(inference_calls_total)"));
    assert.equal(await single("sum(usage_pipeline_lag_seconds_count)"), await single("sum(inference_calls_total)"));
    assert.equal(await single("sum(usage_events_buffered)"), 0);
    assert.equal(await single("sum(usage_events_delivered_total)"), await single("sum(inference_calls_total)"));
    assert.equal(await single('service_dependency_up{service="inference",dependency="quota-store"}'), 1);
  });

  it("times retrieval ingestion and search", async () => {
    assert.equal(await single('sum(retrieval_ingestions_total{outcome="succeeded"})'), 1);
    assert.equal(await single("sum(retrieval_ingested_chunks_total)"), traffic.chunkCount);
    assert.equal(await single('sum(retrieval_search_duration_seconds_count{mode="HYBRID",outcome="succeeded"})'), 1);
    assert.equal(await single('sum(retrieval_store_query_duration_seconds_count{kind="vector"})'), 1);
    assert.equal(await single('sum(retrieval_store_query_duration_seconds_count{kind="keyword"})'), 1);
  });

  it("alert rules: pass `promtool check rules`, and every expression is valid PromQL over declared series", async () => {
    const rules = parseYaml(readFileSync(join(monitoringRoot, "prometheus-rules.yaml"), "utf8")) as { spec: { groups: { name: string; rules: { alert: string; expr: string }[] }[] } };
    const directory = await temporaryDirectory("alert-rules");
    const rulesFile = join(directory, "rules.yml");
    writeFileSync(rulesFile, stringifyYaml(rules.spec));
    const checked = spawnSync(prometheusBinaries().promtool, ["check", "rules", rulesFile], { encoding: "utf8" });
    assert.equal(checked.status, 0, `promtool check rules failed:\n${checked.stdout}${checked.stderr}`);
    const alerts = rules.spec.groups.flatMap((group) => group.rules);
    assert.deepEqual(
      ["GatewayServerErrorRateHigh", "SchedulerRefusingOverloaded", "UsagePipelineLagHigh", "QuotaStoreDown"].filter((name) => !alerts.some((rule) => rule.alert === name)),
      [],
      "error rate, queue saturation, usage lag and quota store alerts",
    );
    for (const rule of alerts) {
      await prometheus.query(rule.expr);
      for (const name of metricNamesIn(rule.expr)) assert.ok(name === "up" || declared.has(name), `${rule.alert} names ${name}, which no service declares`);
    }
  });

  it("dashboard: a Grafana dashboard whose every panel query is valid PromQL over declared series", async () => {
    const dashboard = JSON.parse(readFileSync(join(monitoringRoot, "aigraph-dashboard.json"), "utf8")) as {
      uid: string;
      title: string;
      panels: { type: string; title: string; targets?: { expr: string; refId: string }[] }[];
    };
    assert.equal(typeof dashboard.uid, "string");
    assert.deepEqual(
      dashboard.panels.filter((panel) => panel.type === "row").map((panel) => panel.title),
      ["Gateway", "Engines", "Usage and quotas", "Retrieval", "Processes"],
    );
    const queries = dashboard.panels.filter((panel) => panel.type !== "row").flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));
    assert.ok(queries.length >= 20);
    for (const { panel, expr } of queries) {
      await prometheus.query(expr.replaceAll("$__rate_interval", "1m"));
      const names = metricNamesIn(expr);
      assert.ok(names.length > 0, `${panel}: ${expr} names no series`);
      for (const name of names) assert.ok(declared.has(name), `${panel} names ${name}, which no service declares`);
    }
    // After the traffic, the token panel shows data.
    const tokens = queries.find((query) => query.panel === "Tokens per second (in / out)");
    assert.ok(tokens !== undefined, "the token panel");
    const tokenSeries = await prometheus.query(tokens.expr.replaceAll("$__rate_interval", "1m"));
    assert.deepEqual(tokenSeries.map((sample) => sample.metric).sort((first, second) => JSON.stringify(first).localeCompare(JSON.stringify(second))), [
      { direction: "input", model: "metrics-chat" },
      { direction: "input", model: "metrics-embed" },
      { direction: "output", model: "metrics-chat" },
    ]);
  });
});
