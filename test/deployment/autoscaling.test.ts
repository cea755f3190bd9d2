/**
 * Autoscaling manifests against the code: an HPA for each stateless service (not inference), and
 * the KEDA ScaledObject of inference querying Prometheus for series the inference subgraph really
 * exports (platform/metrics/scheduler-metrics.ts), with labels it really sets. Schema validation of
 * the rendered profiles (KEDA's CRD included) is in k8s-manifests.test.ts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { defaultMetricsSettings } from "../../platform/metrics/metrics-settings.ts";
import { defineSchedulerMetrics } from "../../platform/metrics/scheduler-metrics.ts";
import { createServiceMetrics } from "../../platform/metrics/service-metrics.ts";
import { projectRoot } from "../../platform/schema-file.ts";

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
}

function manifestsOf(path: string): Manifest[] {
  return parseAllDocuments(readFileSync(join(projectRoot, path), "utf8")).map((document) => document.toJS() as Manifest);
}

const base = ["gateway", "model-registry", "inference", "retrieval", "usage"].flatMap((name) => manifestsOf(`k8s/base/${name}.yaml`));
const autoscalers = manifestsOf("k8s/base/autoscaling.yaml");
const scaledObject = manifestsOf("k8s/components/inference-autoscaling/scaled-object.yaml").find((manifest) => manifest.kind === "ScaledObject");

interface HorizontalPodAutoscalerSpec {
  scaleTargetRef: { apiVersion: string; kind: string; name: string };
  minReplicas: number;
  maxReplicas: number;
  metrics: { type: string; resource?: { name: string } }[];
}

describe("HorizontalPodAutoscalers", () => {
  for (const service of ["gateway", "model-registry", "retrieval", "usage"]) {
    it(`${service}: scales its Deployment on CPU, from 2 replicas up`, () => {
      const autoscaler = autoscalers.find((manifest) => manifest.kind === "HorizontalPodAutoscaler" && (manifest.spec as unknown as HorizontalPodAutoscalerSpec).scaleTargetRef.name === service);
      assert.ok(autoscaler, `no HorizontalPodAutoscaler targets ${service}`);
      const spec = autoscaler.spec as unknown as HorizontalPodAutoscalerSpec;
      assert.deepEqual([spec.scaleTargetRef.apiVersion, spec.scaleTargetRef.kind], ["apps/v1", "Deployment"]);
      assert.ok(spec.minReplicas >= 2 && spec.maxReplicas > spec.minReplicas, "min 2 (availability), max above it");
      const deployment = base.find((manifest) => manifest.kind === "Deployment" && manifest.metadata.name === service) as
        | { spec: { template: { spec: { containers: { resources?: { requests?: { cpu?: string } } }[] } } } }
        | undefined;
      assert.ok(deployment, `no Deployment ${service}`);
      // CPU utilisation is measured against the request: without one the HPA cannot work.
      assert.ok(spec.metrics.some((metric) => metric.type === "Resource" && metric.resource?.name === "cpu"));
      assert.ok(deployment.spec.template.spec.containers[0]?.resources?.requests?.cpu !== undefined, `${service} requests CPU`);
    });
  }

  it("none targets inference: KEDA owns its HPA (two autoscalers on one Deployment fight)", () => {
    assert.ok(!autoscalers.some((manifest) => (manifest.spec as unknown as HorizontalPodAutoscalerSpec).scaleTargetRef.name === "inference"));
  });
});

describe("KEDA ScaledObject of inference", () => {
  interface ScaledObjectSpec {
    scaleTargetRef: { name: string };
    minReplicaCount: number;
    maxReplicaCount: number;
    triggers: { type: string; metadata: { query: string; threshold: string; serverAddress: string } }[];
  }
  const spec = scaledObject?.spec as unknown as ScaledObjectSpec;

  it("targets the inference Deployment, never below its 2 replicas", () => {
    assert.ok(scaledObject, "k8s/components/inference-autoscaling/scaled-object.yaml has no ScaledObject");
    assert.equal(spec.scaleTargetRef.name, "inference");
    assert.ok(spec.minReplicaCount >= 2 && spec.maxReplicaCount > spec.minReplicaCount);
  });

  it("queries series the inference subgraph exports, by labels they carry", async () => {
    const metrics = createServiceMetrics("inference", defaultMetricsSettings);
    assert.ok(metrics);
    defineSchedulerMetrics(metrics);
    const exported = (await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name);
    const [trigger] = spec.triggers;
    assert.equal(trigger?.type, "prometheus");
    const query = trigger!.metadata.query;
    const selectors = [...query.matchAll(/([a-z_]+)\{([^}]*)\}/g)];
    assert.ok(selectors.length >= 2, "queue depth and running streams");
    for (const [, name, labels] of selectors) {
      assert.ok(exported.includes(name!), `${name} is not a metric of the inference subgraph (platform/metrics/)`);
      // prom-client keeps a metric's label names on the object (not in its typings).
      const labelNames = (metrics.registry.getSingleMetric(name!) as unknown as { labelNames: readonly string[] }).labelNames;
      for (const [, label, value] of labels!.matchAll(/(\w+)="([^"]*)"/g)) {
        // namespace and service come from Prometheus' Kubernetes discovery (the ServiceMonitor).
        if (label === "namespace" || label === "service") continue;
        assert.ok(labelNames.includes(label!), `${name} has no label ${label}`);
        if (label === "kind") assert.ok(["embed", "generate", "stream"].includes(value!), `kind="${value}" is not a request kind`);
      }
    }
    assert.ok(Number(trigger!.metadata.threshold) > 0, "a positive threshold per replica");
  });

  it("its threshold stays below one CPU replica's stream capacity (LLAMA_CPP_SEQUENCES default 8)", () => {
    assert.ok(Number(spec.triggers[0]!.metadata.threshold) <= 8, "scale out before requests queue");
  });
});
