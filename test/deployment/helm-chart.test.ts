/**
 * The Helm chart (charts/federated-ai-graph): `helm lint --strict` and `helm template | kubeconform
 * -strict` (offline schemas, KEDA's CRD included) for the default, CPU and GPU values; the same
 * defaults as kustomize (every object of k8s/base, and the cpu and gpu overlays' inference and
 * ScaledObject, rendered by both and compared field by field); the Ingress keeps subscriptions open;
 * NetworkPolicies deny by default and allow what the graph needs.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { projectRoot } from "../../platform/schema-file.ts";
import { goTool, kubernetesToolsSkipReason, validateManifests } from "../harness/kubernetes-tools.ts";

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, unknown>;
}

const chart = join(projectRoot, "charts", "federated-ai-graph");
const profiles: Record<string, string[]> = {
  default: [],
  cpu: ["-f", join(chart, "values-cpu.yaml")],
  gpu: ["-f", join(chart, "values-gpu.yaml")],
};

const skip = await kubernetesToolsSkipReason();

function helm(args: readonly string[]): string {
  const result = spawnSync(goTool("helm"), args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, `helm ${args.join(" ")} failed:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

function parse(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

function renderChart(profile: string): Manifest[] {
  return parse(helm(["template", "aigraph", chart, "--namespace", "aigraph", ...profiles[profile]!]));
}

function renderKustomize(directory: string): Manifest[] {
  const result = spawnSync("kubectl", ["kustomize", join(projectRoot, "k8s", directory)], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  return parse(result.stdout);
}

function find(manifests: readonly Manifest[], kind: string, name: string): Manifest | undefined {
  return manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
}

/** What decides behaviour: the spec (or a ConfigMap's data), without the chart's checksum annotation. */
function behaviour(manifest: Manifest): unknown {
  const copy = structuredClone(manifest);
  const template = (copy.spec as { template?: { metadata?: { annotations?: unknown } } } | undefined)?.template;
  if (template?.metadata !== undefined) delete template.metadata.annotations;
  return copy.kind === "ConfigMap" ? copy.data : copy.spec;
}

describe("Helm chart", { skip }, () => {
  for (const profile of Object.keys(profiles)) {
    it(`${profile} values: helm lint --strict passes`, () => {
      const output = helm(["lint", "--strict", chart, ...profiles[profile]!]);
      assert.match(output, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });

    it(`${profile} values: helm template passes kubeconform -strict`, async () => {
      const validation = await validateManifests(helm(["template", "aigraph", chart, "--namespace", "aigraph", ...profiles[profile]!]));
      assert.ok(validation.ok, validation.output);
    });
  }

  it("has the defaults of k8s/base: every object kustomize renders (NetworkPolicies aside) renders the same", () => {
    const fromChart = renderChart("default");
    // The chart installs into the release's namespace and writes its own NetworkPolicies (default deny + egress).
    const compared = renderKustomize("base").filter((manifest) => !["Namespace", "NetworkPolicy"].includes(manifest.kind));
    assert.ok(compared.length >= 20);
    for (const expected of compared) {
      const actual = find(fromChart, expected.kind, expected.metadata.name);
      assert.ok(actual, `the chart does not render ${expected.kind}/${expected.metadata.name}`);
      assert.deepEqual(behaviour(actual), behaviour(expected), `${expected.kind}/${expected.metadata.name} differs from k8s/base`);
    }
  });

  for (const profile of ["cpu", "gpu"]) {
    it(`values-${profile}.yaml matches k8s/overlays/${profile}: the inference Deployment and its ScaledObject`, () => {
      const fromChart = renderChart(profile);
      const fromKustomize = renderKustomize(`overlays/${profile}`);
      for (const [kind, name] of [["Deployment", "inference"], ["ScaledObject", "inference"]] as const) {
        const expected = find(fromKustomize, kind, name);
        const actual = find(fromChart, kind, name);
        assert.ok(expected && actual, `${kind}/${name} in both`);
        assert.deepEqual(behaviour(actual), behaviour(expected), `${kind}/${name} differs from k8s/overlays/${profile}`);
      }
    });
  }

  it("the Ingress routes to the gateway and keeps WebSocket and SSE subscriptions open", () => {
    const ingress = find(renderChart("cpu"), "Ingress", "gateway") as (Manifest & { spec: { rules: { http: { paths: { backend: { service: { name: string; port: { name: string } } } }[] } }[] } }) | undefined;
    assert.ok(ingress, "values-cpu.yaml enables the Ingress");
    const annotations = ingress.metadata.annotations ?? {};
    assert.ok(Number(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600, "streams outlive the controller's 60 s default");
    assert.ok(Number(annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"]) >= 3600);
    assert.equal(annotations["nginx.ingress.kubernetes.io/proxy-buffering"], "off", "SSE events reach the client as they are sent");
    assert.deepEqual(ingress.spec.rules[0]?.http.paths[0]?.backend.service, { name: "gateway", port: { name: "http" } });
    assert.throws(() => helm(["template", "aigraph", chart, "--set", "ingress.enabled=true"]), /ingress.host is required/);
  });

  it("NetworkPolicies deny everything by default, then allow DNS, the graph's own traffic and the listed egress", () => {
    const policies = renderChart("default").filter((manifest) => manifest.kind === "NetworkPolicy") as (Manifest & {
      spec: { podSelector: { matchLabels?: Record<string, string> }; policyTypes: string[]; ingress?: unknown[]; egress?: { to?: unknown[]; ports?: { port: unknown }[] }[] };
    })[];
    const denyAll = policies.find((policy) => policy.metadata.name === "default-deny");
    assert.ok(denyAll);
    assert.deepEqual(denyAll.spec.podSelector.matchLabels, { "app.kubernetes.io/part-of": "federated-ai-graph" });
    assert.deepEqual([...denyAll.spec.policyTypes].sort(), ["Egress", "Ingress"]);
    assert.equal(denyAll.spec.ingress, undefined);
    assert.equal(denyAll.spec.egress, undefined);
    const egressPorts = (name: string) => (policies.find((policy) => policy.metadata.name === name)?.spec.egress ?? []).flatMap((rule) => (rule.ports ?? []).map((port) => port.port));
    assert.ok(egressPorts("dns-egress").includes(53), "DNS");
    assert.ok(egressPorts("redis").includes(6379), "services to Redis");
    assert.ok(egressPorts("subgraphs").includes("http") && egressPorts("gateway").includes("http"), "gateway and subgraphs to subgraphs");
    assert.ok(egressPorts("retrieval-to-milvus").includes(19530), "retrieval to Milvus");
    assert.ok(egressPorts("inference-upstreams").includes(443), "inference to OpenAI-compatible upstreams");
    // Every pod of the chart is selected by the default deny.
    for (const deployment of renderChart("default").filter((manifest) => manifest.kind === "Deployment")) {
      const labels = (deployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
      assert.equal(labels["app.kubernetes.io/part-of"], "federated-ai-graph", `${deployment.metadata.name} escapes the default deny`);
    }
  });
});
