/**
 * Checks the Kubernetes manifests (k8s/) against the code they deploy: every
 * variable a container sets is one its service reads and passes the real config validation, ports
 * agree, probes hit /healthz and /readyz, the pod outlives the graceful drain, each Deployment runs
 * the image of its role (test/deployment/images.test.ts checks the images), and every profile
 * (base, cpu, gpu, vllm) renders and passes kubeconform -strict offline. Every service of
 * platform/service-catalog.ts (plus the gateway) must have manifests, so a new subgraph without
 * them fails here.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { parse as parseYaml, parseAllDocuments, stringify as stringifyYaml } from "yaml";
import { loadGatewayConfig } from "../../gateway/config.ts";
import { commonEnvironment } from "../../platform/config/common-config.ts";
import { inferenceEnvironment, loadInferenceConfig } from "../../subgraphs/inference/config.ts";
import { retrievalEnvironment } from "../../subgraphs/retrieval/config.ts";
import { usageEnvironment } from "../../subgraphs/usage/config.ts";
import { ConfigurationError } from "../../platform/config/parse-environment.ts";
import { projectRoot } from "../../platform/schema-file.ts";
import { buildEntries } from "../../scripts/build/build-entries.ts";
import { imageRoles } from "../../scripts/build/image-roles.ts";
import { environmentStem, gatewayDefaultPort, subgraphCatalog } from "../../platform/service-catalog.ts";
import { loadModelRegistryConfig } from "../../subgraphs/model-registry/config.ts";
import { goTool, kubernetesToolsSkipReason, kubernetesVersion, validateManifests } from "../harness/kubernetes-tools.ts";
import { streamEndMillis } from "../../platform/http/service-server.ts";

// ---------------------------------------------------------------------------------------------
// The shapes of the Kubernetes objects this test reads (only the fields it looks at).

type Labels = Record<string, string>;

interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Labels;
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

interface KeyReference {
  name: string;
  key: string;
}

interface EnvVar {
  name: string;
  value?: unknown;
  valueFrom?: { configMapKeyRef?: KeyReference; secretKeyRef?: KeyReference; fieldRef?: unknown; resourceFieldRef?: unknown };
}

interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string };
  secretRef?: { name: string };
}

interface Probe {
  httpGet?: { path?: string; port: string | number };
  exec?: { command: string[] };
}

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[] };
}

interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string }[];
}

interface PodSpec {
  containers: Container[];
  securityContext?: SecurityContext;
  terminationGracePeriodSeconds?: number;
  enableServiceLinks?: boolean;
  volumes?: { name: string; emptyDir?: unknown }[];
  nodeSelector?: Labels;
  tolerations?: { key?: string; operator?: string; effect?: string }[];
}

interface Deployment extends Manifest {
  spec: {
    replicas?: number;
    selector: { matchLabels?: Labels };
    template: { metadata: { labels?: Labels }; spec: PodSpec };
  };
}

interface ServiceManifest extends Manifest {
  spec: { selector?: Labels; ports: { name?: string; port: number; targetPort?: string | number }[] };
}

interface ConfigMap extends Manifest {
  data?: Record<string, unknown>;
}

interface Secret extends Manifest {
  data?: Record<string, unknown>;
  stringData?: Record<string, unknown>;
}

interface PodDisruptionBudget extends Manifest {
  spec: { selector: { matchLabels?: Labels }; minAvailable?: number | string; maxUnavailable?: number | string };
}

interface Kustomization {
  kind: "Kustomization";
  namespace?: string;
  resources?: string[];
}

// ---------------------------------------------------------------------------------------------
// Reading the files.

const k8sRoot = join(projectRoot, "k8s");
const baseRoot = join(k8sRoot, "base");

function filesUnder(directory: string, accept: (name: string) => boolean): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) return filesUnder(path, accept);
      return accept(entry.name) ? [path] : [];
    })
    .sort();
}

interface ParsedFile {
  file: string;
  /** The documents as plain values; empty documents are left out. */
  documents: unknown[];
  problems: string[];
}

function parseYamlFile(file: string): ParsedFile {
  const documents: unknown[] = [];
  const problems: string[] = [];
  for (const document of parseAllDocuments(readFileSync(file, "utf8"))) {
    problems.push(...document.errors.map((error) => error.message), ...document.warnings.map((warning) => warning.message));
    const value: unknown = document.toJS();
    if (value !== null && value !== undefined) documents.push(value);
  }
  return { file: relative(projectRoot, file), documents, problems };
}

const yamlFiles = filesUnder(k8sRoot, (name) => name.endsWith(".yaml") || name.endsWith(".yml")).map(parseYamlFile);

function isManifest(value: unknown): value is Manifest {
  return typeof value === "object" && value !== null && "kind" in value && "metadata" in value;
}

function manifestsIn(files: readonly ParsedFile[]): Manifest[] {
  return files.flatMap((file) => file.documents.filter(isManifest));
}

const baseKustomization = parseYaml(readFileSync(join(baseRoot, "kustomization.yaml"), "utf8")) as Kustomization;
/** What `kubectl apply -k k8s/base` creates: the documents of the files the kustomization lists. */
const deployed = manifestsIn(
  (baseKustomization.resources ?? []).map((resource) => parseYamlFile(join(baseRoot, resource))),
);
/** Every object written under k8s/base, templates included (the Secret template lives there). */
const baseManifests = manifestsIn(yamlFiles.filter((file) => file.file.startsWith(`k8s${sep}base${sep}`)));

function findDeployed<Kind extends Manifest>(kind: string, name: string): Kind | undefined {
  return deployed.find((manifest) => manifest.kind === kind && manifest.metadata.name === name) as Kind | undefined;
}

function selects(selector: Labels | undefined, labels: Labels | undefined): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([key, value]) => labels?.[key] === value);
}

// ---------------------------------------------------------------------------------------------
// What each service reads, derived from the code.

interface ServiceConfig {
  port: number;
  shutdownGracePeriodMillis: number;
  storeBackend: string;
}

interface DeployedService {
  name: string;
  /** The module `node --import tsx` starts. */
  entryPoint: string;
  /** The variable of the port it listens on. */
  portVariable: string;
  defaultPort: number;
  /** Every environment variable the service reads. */
  knownVariables: ReadonlySet<string>;
  loadConfig: (environment: NodeJS.ProcessEnv) => ServiceConfig;
}

const commonVariables = Object.keys(commonEnvironment);

/** Variables a subgraph reads beyond the common ones and its port. */
const subgraphVariables: Record<string, readonly string[]> = {
  inference: Object.keys(inferenceEnvironment),
  retrieval: Object.keys(retrievalEnvironment),
  usage: Object.keys(usageEnvironment),
};

/**
 * A subgraph's `load…Config` function, found in the `config.ts` beside its entry point; where there
 * is none, a function that fails the tests using it with what to add.
 */
async function findConfigLoader(entryPoint: string): Promise<(environment: NodeJS.ProcessEnv) => ServiceConfig> {
  const path = join(projectRoot, dirname(entryPoint), "config.ts");
  const missing = (message: string) => () => assert.fail(`${relative(projectRoot, path)} ${message}`);
  if (!existsSync(path)) return missing("should exist and export the subgraph's load…Config(environment)");
  const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const loaders = Object.entries(module).filter(([name, value]) => /^load\w*Config$/.test(name) && typeof value === "function");
  if (loaders.length !== 1) return missing("should export exactly one load…Config(environment) function");
  return loaders[0]![1] as (environment: NodeJS.ProcessEnv) => ServiceConfig;
}

const subgraphLoaders = new Map<string, (environment: NodeJS.ProcessEnv) => ServiceConfig>();
for (const subgraph of subgraphCatalog) subgraphLoaders.set(subgraph.name, await findConfigLoader(subgraph.entryPoint));

const gatewayVariables = new Set([
  ...commonVariables,
  ...subgraphCatalog.flatMap((subgraph) => [`${environmentStem(subgraph.name)}_URL`, `${environmentStem(subgraph.name)}_PORT`]),
  "GATEWAY_PORT",
  "SUPERGRAPH_PATH",
  "SUPERGRAPH_WATCH",
  "SUBGRAPH_TIMEOUT_MILLIS",
  "OPERATION_DEADLINE_MILLIS",
  "RATE_LIMIT_REQUESTS_PER_MINUTE_PER_KEY",
  "RATE_LIMIT_REQUESTS_PER_MINUTE_PER_TENANT",
  "RATE_LIMIT_REQUESTS_PER_MINUTE_PER_IP",
  "RATE_LIMIT_CONCURRENT_REQUESTS_PER_KEY",
  "RATE_LIMIT_CONCURRENT_REQUESTS_PER_TENANT",
  "RATE_LIMIT_LEASE_MILLIS",
  "TRUSTED_PROXY_HOPS",
  "MAX_DOCUMENT_TOKENS",
  "MAX_DEPTH",
  "MAX_ALIASES",
  "MAX_ROOT_FIELDS",
  "MAX_DIRECTIVES",
  "MAX_FRAGMENT_DEPTH",
  "MAX_BATCH_OPERATIONS",
  "MAX_OPERATION_COST",
  "MAX_FAN_OUT",
  "MAX_OPERATION_MODEL_TOKENS",
  "MAX_OPERATION_COST_MICROS",
  "COST_DEFAULT_LIST_SIZE",
  "DEFAULT_MAX_TOKENS",
]);

const services: DeployedService[] = [
  {
    name: "gateway",
    entryPoint: "gateway/main.ts",
    portVariable: "GATEWAY_PORT",
    defaultPort: gatewayDefaultPort,
    knownVariables: gatewayVariables,
    loadConfig: loadGatewayConfig,
  },
  ...subgraphCatalog.map((subgraph) => ({
    name: subgraph.name,
    entryPoint: subgraph.entryPoint,
    portVariable: `${environmentStem(subgraph.name)}_PORT`,
    defaultPort: subgraph.defaultPort,
    knownVariables: new Set([...commonVariables, `${environmentStem(subgraph.name)}_PORT`, ...(subgraphVariables[subgraph.name] ?? [])]),
    loadConfig: subgraphLoaders.get(subgraph.name)!,
  })),
];

// ---------------------------------------------------------------------------------------------
// A container's environment, as Kubernetes would build it.

/** Stands in for the Secret's value, which is never in the repository. */
const dummySigningSecret = "0123456789abcdef0123456789abcdef";

function secretKeys(name: string): string[] {
  const secret = baseManifests.find((manifest): manifest is Secret => manifest.kind === "Secret" && manifest.metadata.name === name);
  assert.ok(secret, `no Secret (or Secret template) named ${name} under k8s/base`);
  return [...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})];
}

function secretValue(key: string): string {
  return key === "INTERNAL_SIGNING_SECRET" ? dummySigningSecret : `dummy-${key}`;
}

function configMapData(name: string): Record<string, string> {
  const configMap = findDeployed<ConfigMap>("ConfigMap", name);
  assert.ok(configMap, `the ConfigMap ${name} is not in k8s/base/kustomization.yaml's resources`);
  return Object.fromEntries(Object.entries(configMap.data ?? {}).map(([key, value]) => [key, String(value)]));
}

function environmentOf(container: Container): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const prefix = source.prefix ?? "";
    if (source.configMapRef !== undefined) {
      for (const [key, value] of Object.entries(configMapData(source.configMapRef.name))) environment[prefix + key] = value;
    }
    if (source.secretRef !== undefined) {
      for (const key of secretKeys(source.secretRef.name)) environment[prefix + key] = secretValue(key);
    }
  }
  for (const variable of container.env ?? []) {
    const reference = variable.valueFrom;
    if (variable.value !== undefined) environment[variable.name] = String(variable.value);
    else if (reference?.configMapKeyRef !== undefined) {
      const value = configMapData(reference.configMapKeyRef.name)[reference.configMapKeyRef.key];
      assert.ok(value !== undefined, `${variable.name} refers to a key its ConfigMap lacks`);
      environment[variable.name] = value;
    } else if (reference?.secretKeyRef !== undefined) {
      assert.ok(secretKeys(reference.secretKeyRef.name).includes(reference.secretKeyRef.key), `${variable.name} refers to a key its Secret lacks`);
      environment[variable.name] = secretValue(reference.secretKeyRef.key);
    } else environment[variable.name] = "";
  }
  return environment;
}

function deploymentOf(service: DeployedService): Deployment {
  const deployment = findDeployed<Deployment>("Deployment", service.name);
  assert.ok(deployment, `no Deployment named ${service.name} in k8s/base (add its manifest and list it in kustomization.yaml)`);
  return deployment;
}

function containerOf(service: DeployedService): Container {
  const containers = deploymentOf(service).spec.template.spec.containers;
  const container = containers.find((candidate) => candidate.name === service.name) ?? containers[0];
  assert.ok(container, `the Deployment ${service.name} has no container`);
  return container;
}

function httpPort(container: Container): number {
  const port = container.ports?.find((candidate) => candidate.name === "http");
  assert.ok(port, `container ${container.name} should name its port "http"`);
  return port.containerPort;
}

/** The number a probe's or Service's port (a number or a container port's name) stands for. */
function resolvePort(container: Container, port: string | number | undefined): number | undefined {
  if (typeof port === "number") return port;
  return container.ports?.find((candidate) => candidate.name === port)?.containerPort;
}

function serviceFor(deployment: Deployment): ServiceManifest[] {
  return deployed.filter(
    (manifest): manifest is ServiceManifest =>
      manifest.kind === "Service" && selects((manifest as ServiceManifest).spec.selector, deployment.spec.template.metadata.labels),
  );
}

function preStopSeconds(container: Container): number {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep !== undefined) return preStop.sleep.seconds;
  const command = (preStop?.exec?.command ?? []).join(" ");
  const match = /(?:^|\s|\/)sleep\s+(\d+)/.exec(command);
  return match === null ? 0 : Number(match[1]);
}

// ---------------------------------------------------------------------------------------------

describe("k8s manifests", () => {
  it("parse: every YAML file under k8s/ is valid YAML of Kubernetes objects, kustomizations, components or JSON patches (Helm values files aside)", () => {
    assert.ok(yamlFiles.length > 0, "no YAML under k8s/");
    for (const file of yamlFiles) {
      assert.deepEqual(file.problems, [], `${file.file} does not parse cleanly`);
      assert.ok(file.documents.length > 0, `${file.file} is empty`);
      // Values for another project's Helm chart (k8s/overlays/vllm/milvus-values.yaml), not objects.
      if (file.file.endsWith("-values.yaml")) continue;
      for (const document of file.documents) {
        if (Array.isArray(document)) {
          for (const operation of document as { op?: unknown; path?: unknown }[]) {
            assert.ok(typeof operation.op === "string" && typeof operation.path === "string", `${file.file}: a JSON patch needs op and path`);
          }
          continue;
        }
        assert.ok(isManifest(document) || ["Kustomization", "Component"].includes(String((document as { kind?: unknown }).kind)), `${file.file}: not a Kubernetes object`);
        if (isManifest(document)) {
          assert.equal(typeof document.apiVersion, "string", `${file.file}: apiVersion`);
          assert.equal(typeof document.metadata.name, "string", `${file.file}: metadata.name`);
        }
      }
    }
  });

  it("kustomization: lists every manifest in k8s/base except templates, and only files that exist", () => {
    const listed = new Set(baseKustomization.resources ?? []);
    for (const resource of listed) assert.ok(existsSync(join(baseRoot, resource)), `kustomization.yaml lists ${resource}, which does not exist`);
    const manifests = readdirSync(baseRoot).filter(
      (name) => /\.ya?ml$/.test(name) && name !== "kustomization.yaml" && !name.includes(".template."),
    );
    for (const name of manifests) assert.ok(listed.has(name), `k8s/base/${name} is not listed in kustomization.yaml's resources`);
    assert.ok(!listed.has("secret.template.yaml"), "the Secret template must not be applied");
  });

  it("kustomization: sets the namespace it creates, and no object overrides it", () => {
    const namespaces = deployed.filter((manifest) => manifest.kind === "Namespace");
    assert.deepEqual(namespaces.map((namespace) => namespace.metadata.name), [baseKustomization.namespace]);
    for (const manifest of baseManifests) {
      if (manifest.metadata.namespace !== undefined) assert.equal(manifest.metadata.namespace, baseKustomization.namespace);
    }
  });

  it("catalogue: the gateway and every subgraph of platform/service-catalog.ts has a Deployment, Service and PodDisruptionBudget", () => {
    for (const service of services) {
      deploymentOf(service);
      assert.ok(findDeployed("Service", service.name), `no Service named ${service.name} in k8s/base`);
      assert.ok(findDeployed("PodDisruptionBudget", service.name), `no PodDisruptionBudget named ${service.name} in k8s/base`);
    }
  });

  it("config: the ConfigMap sets only shared variables, as strings", () => {
    for (const configMap of deployed.filter((manifest): manifest is ConfigMap => manifest.kind === "ConfigMap")) {
      for (const [key, value] of Object.entries(configMap.data ?? {})) {
        assert.ok(commonVariables.includes(key), `ConfigMap ${configMap.metadata.name}: ${key} is not a variable every service reads (platform/config/common-config.ts)`);
        assert.equal(typeof value, "string", `ConfigMap ${configMap.metadata.name}: quote the value of ${key}`);
      }
    }
  });

  it("config: the ConfigMap's values pass the services' real validation, with the Redis store", () => {
    const shared = { ...configMapData("aigraph-config"), INTERNAL_SIGNING_SECRET: dummySigningSecret };
    const gateway = loadGatewayConfig(shared);
    const modelRegistry = loadModelRegistryConfig(shared);
    assert.equal(gateway.storeBackend, "redis");
    assert.equal(modelRegistry.storeBackend, "redis");
    assert.equal(gateway.host, "0.0.0.0");
    // The discovered loader of each subgraph is its real one.
    assert.equal(subgraphLoaders.get("model-registry"), loadModelRegistryConfig);
  });

  it("config: the Secret template's placeholder is refused, so an unedited copy cannot run", () => {
    const template = baseManifests.find((manifest): manifest is Secret => manifest.kind === "Secret");
    assert.ok(template, "k8s/base should hold the Secret template");
    const placeholder = String(template.stringData?.INTERNAL_SIGNING_SECRET ?? "");
    assert.throws(
      () => loadGatewayConfig({ ...configMapData("aigraph-config"), INTERNAL_SIGNING_SECRET: placeholder }),
      (error: unknown) => error instanceof ConfigurationError && error.problems.some((problem) => problem.variable === "INTERNAL_SIGNING_SECRET"),
    );
  });

  for (const service of services) {
    describe(`${service.name}`, () => {
      it("sets only variables the service reads, and they pass its config validation", () => {
        const environment = environmentOf(containerOf(service));
        for (const name of Object.keys(environment)) {
          assert.ok(service.knownVariables.has(name), `${service.name} sets ${name}, which it does not read`);
        }
        for (const variable of containerOf(service).env ?? []) {
          if (variable.value !== undefined) assert.equal(typeof variable.value, "string", `${service.name}: quote the value of ${variable.name}`);
        }
        const config = service.loadConfig(environment);
        assert.equal(config.storeBackend, "redis");
      });

      it("disables service links, whose <SERVICE>_PORT=tcp://… variables collide with <SUBGRAPH>_PORT", () => {
        assert.equal(deploymentOf(service).spec.template.spec.enableServiceLinks, false);
      });

      it("exposes the port the service listens on", () => {
        const container = containerOf(service);
        const config = service.loadConfig(environmentOf(container));
        assert.equal(httpPort(container), config.port, `${service.name} listens on ${config.port} (${service.portVariable})`);
        const [kubernetesService] = serviceFor(deploymentOf(service));
        assert.ok(kubernetesService, `no Service selects the pods of ${service.name}`);
        for (const port of kubernetesService.spec.ports) {
          assert.equal(resolvePort(container, port.targetPort ?? port.port), config.port, `Service ${kubernetesService.metadata.name} targets another port`);
        }
      });

      it("runs the image of its role, whose command starts the service's compiled entry point", () => {
        const container = containerOf(service);
        assert.equal(container.command, undefined, "keep the image's entry point (node)");
        assert.equal(container.args, undefined, "the image's CMD names the bundle (Dockerfile)");
        const role = imageRoles.find((candidate) => candidate.bundles[0] === service.name);
        assert.ok(role, `no image role of scripts/build/image-roles.ts starts ${service.name}`);
        assert.equal(container.image, `federated-ai-graph-${role.name}`, `${service.name} should run the image of role ${role.name}`);
        const entry = buildEntries.find((candidate) => candidate.name === service.name);
        assert.equal(entry?.source, service.entryPoint, `dist/${service.name}.js should be built from ${service.entryPoint}`);
        assert.ok(existsSync(join(projectRoot, service.entryPoint)), `${service.entryPoint} does not exist`);
      });

      it("probes /readyz for readiness and /healthz for liveness, on its port", () => {
        const container = containerOf(service);
        const port = httpPort(container);
        assert.equal(container.readinessProbe?.httpGet?.path, "/readyz");
        assert.equal(container.livenessProbe?.httpGet?.path, "/healthz");
        for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
          if (probe?.httpGet !== undefined) {
            assert.ok(["/healthz", "/readyz"].includes(probe.httpGet.path ?? ""), `unexpected probe path ${probe.httpGet.path}`);
            assert.equal(resolvePort(container, probe.httpGet.port), port);
          }
        }
      });

      it("outlives its graceful drain: terminationGracePeriodSeconds > preStop sleep + SHUTDOWN_GRACE_PERIOD_MILLIS", () => {
        const container = containerOf(service);
        const config = service.loadConfig(environmentOf(container));
        const sleep = preStopSeconds(container);
        assert.ok(sleep > 0, "a preStop sleep lets load balancers drop the pod before it drains");
        const grace = deploymentOf(service).spec.template.spec.terminationGracePeriodSeconds ?? 30;
        // After the grace period, cut streams get their last event (streamEndMillis) and sockets their close handshake (up to 5 s).
        const afterGraceSeconds = streamEndMillis / 1000 + 5;
        assert.ok(
          grace > config.shutdownGracePeriodMillis / 1000 + sleep + afterGraceSeconds,
          `terminationGracePeriodSeconds ${grace} <= ${config.shutdownGracePeriodMillis / 1000} s drain + ${sleep} s preStop + ${afterGraceSeconds} s closing`,
        );
      });

      it("runs highly available: 2+ replicas, a PodDisruptionBudget that selects them and still lets nodes drain", () => {
        const deployment = deploymentOf(service);
        const replicas = deployment.spec.replicas ?? 1;
        assert.ok(replicas >= 2, `${service.name} should run at least 2 replicas`);
        assert.ok(selects(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels), "selector does not match the pod labels");
        const budget = findDeployed<PodDisruptionBudget>("PodDisruptionBudget", service.name);
        assert.ok(budget, `no PodDisruptionBudget named ${service.name}`);
        assert.ok(selects(budget.spec.selector.matchLabels, deployment.spec.template.metadata.labels), "the PodDisruptionBudget selects no pod of the service");
        const { minAvailable, maxUnavailable } = budget.spec;
        if (typeof maxUnavailable === "number") assert.ok(maxUnavailable >= 1, "maxUnavailable 0 blocks every node drain");
        if (typeof minAvailable === "number") assert.ok(minAvailable < replicas, "minAvailable must be below the replica count");
      });

      it("requests and limits CPU and memory", () => {
        const { resources } = containerOf(service);
        for (const kind of ["requests", "limits"] as const) {
          for (const resource of ["cpu", "memory"]) assert.ok(resources?.[kind]?.[resource] !== undefined, `${kind}.${resource}`);
        }
      });

      it("runs as non-root on a read-only root filesystem, with a writable /tmp", () => {
        const pod = deploymentOf(service).spec.template.spec;
        const container = containerOf(service);
        assert.equal(container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, true);
        const user = container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
        assert.ok(user !== undefined && user !== 0, "runAsUser should be a non-zero uid");
        assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
        assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
        assert.ok(container.securityContext?.capabilities?.drop?.includes("ALL"), "drop all capabilities");
        const tmp = container.volumeMounts?.find((mount) => mount.mountPath === "/tmp");
        assert.ok(tmp, "mount a writable volume at /tmp");
        assert.ok(pod.volumes?.find((volume) => volume.name === tmp.name)?.emptyDir !== undefined, "/tmp should be an emptyDir");
      });
    });
  }

  it("gateway: reaches every subgraph through the subgraph's Service, on the port it listens on", () => {
    const gateway = services[0]!;
    const config = loadGatewayConfig(environmentOf(containerOf(gateway)));
    for (const subgraph of services.slice(1)) {
      const url = new URL(config.subgraphUrls[subgraph.name] ?? "");
      assert.equal(url.pathname, "/graphql");
      const serviceName = url.hostname.split(".")[0]!;
      const kubernetesService = findDeployed<ServiceManifest>("Service", serviceName);
      assert.ok(kubernetesService, `${environmentStem(subgraph.name)}_URL names ${url.hostname}, which is no Service of k8s/base`);
      const port = kubernetesService.spec.ports.find((candidate) => candidate.port === Number(url.port || 80));
      assert.ok(port, `Service ${serviceName} has no port ${url.port}`);
      const deployment = deploymentOf(subgraph);
      assert.ok(selects(kubernetesService.spec.selector, deployment.spec.template.metadata.labels), `Service ${serviceName} does not select ${subgraph.name}`);
      const container = containerOf(subgraph);
      assert.equal(resolvePort(container, port.targetPort ?? port.port), subgraph.loadConfig(environmentOf(container)).port);
    }
  });

  it("gateway: the operation deadline leaves room for at least one whole subgraph request", () => {
    const config = loadGatewayConfig(environmentOf(containerOf(services[0]!)));
    assert.ok(
      config.operationDeadlineMillis === 0 || config.operationDeadlineMillis > config.subgraphTimeoutMillis,
      `OPERATION_DEADLINE_MILLIS ${config.operationDeadlineMillis} should exceed SUBGRAPH_TIMEOUT_MILLIS ${config.subgraphTimeoutMillis} (or be 0)`,
    );
  });

  it("every Deployment runs as non-root on a read-only root filesystem", () => {
    for (const deployment of deployed.filter((manifest): manifest is Deployment => manifest.kind === "Deployment")) {
      const pod = deployment.spec.template.spec;
      for (const container of pod.containers) {
        assert.equal(container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, true, `${deployment.metadata.name}: runAsNonRoot`);
        assert.equal(container.securityContext?.readOnlyRootFilesystem, true, `${deployment.metadata.name}: readOnlyRootFilesystem`);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Rendering with kustomize (kubectl's built-in one, or kustomize built by the harness) and
// validating with kubeconform -strict against Kubernetes' and KEDA's schemas, offline.

const kustomizeCommand: readonly string[] =
  spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0 ? ["kubectl", "kustomize"] : [goTool("kustomize")];

function kustomizeText(directory: string): string {
  const [command, ...prefix] = kustomizeCommand;
  const result = spawnSync(command!, [...prefix, directory], { encoding: "utf8" });
  assert.equal(result.status, 0, `${kustomizeCommand.join(" ")} ${directory} failed:\n${result.stderr}`);
  return result.stdout;
}

function kustomize(directory: string): Manifest[] {
  return parseAllDocuments(kustomizeText(directory)).map((document) => document.toJS() as Manifest);
}

const toolsSkipReason = await kubernetesToolsSkipReason();
const temporaryDirectories: string[] = [];
after(() => {
  for (const directory of temporaryDirectories) rmSync(directory, { recursive: true, force: true });
});

/** The profiles an operator applies: `kubectl apply -k k8s/<profile>`. */
const profiles = ["base", "overlays/cpu", "overlays/gpu", "overlays/vllm"];

function inferenceContainer(rendered: readonly Manifest[]): Container {
  const deployment = rendered.find((manifest) => manifest.kind === "Deployment" && manifest.metadata.name === "inference") as Deployment | undefined;
  assert.ok(deployment, "no inference Deployment rendered");
  return deployment.spec.template.spec.containers[0]!;
}

describe("kustomize build", { skip: toolsSkipReason }, () => {
  for (const profile of profiles) {
    it(`k8s/${profile} renders and passes kubeconform -strict (Kubernetes ${kubernetesVersion}, KEDA CRDs)`, async () => {
      const validation = await validateManifests(kustomizeText(join(k8sRoot, profile)));
      assert.ok(validation.ok, validation.output);
    });
  }

  it("the cpu profile runs llama.cpp's CPU image and scales inference on its queue", () => {
    const rendered = kustomize(join(k8sRoot, "overlays", "cpu"));
    const container = inferenceContainer(rendered);
    assert.equal(container.image, "federated-ai-graph-inference-cpu:0.1.0");
    assert.equal(container.env?.find((variable) => variable.name === "LLAMA_CPP_GPU"), undefined, "the default (cpu)");
    assert.ok(rendered.some((manifest) => manifest.kind === "ScaledObject" && manifest.metadata.name === "inference"));
  });

  it("the gpu profile runs the CUDA image with LLAMA_CPP_GPU=cuda on one GPU", () => {
    const container = inferenceContainer(kustomize(join(k8sRoot, "overlays", "gpu")));
    assert.equal(container.image, "federated-ai-graph-inference-cuda:0.1.0");
    assert.equal(container.env?.find((variable) => variable.name === "LLAMA_CPP_GPU")?.value, "cuda");
    assert.equal(Number(container.resources?.limits?.["nvidia.com/gpu"]), 1);
    const config = loadInferenceConfig(environmentOf(container));
    assert.equal(config.engines.llamaCpp.gpu, "cuda");
  });

  it("the vllm profile lets inference reach the vLLM Service, and retrieval Milvus", () => {
    const rendered = kustomize(join(k8sRoot, "overlays", "vllm"));
    const config = loadInferenceConfig(environmentOf(inferenceContainer(rendered)));
    assert.ok(config.engines.openAiCompatible.network.allowedHosts.includes("vllm"), "ENGINE_ALLOWED_HOSTS names vllm");
    // The registry checks engine URLs at registration against the same policy.
    const registry = rendered.find((manifest) => manifest.kind === "Deployment" && manifest.metadata.name === "model-registry") as Deployment;
    const registryEnvironment = environmentOf(registry.spec.template.spec.containers[0]!);
    assert.equal(registryEnvironment.ENGINE_ALLOWED_HOSTS, "vllm");
    loadModelRegistryConfig(registryEnvironment);
    const vllm = rendered.find((manifest) => manifest.kind === "Service" && manifest.metadata.name === "vllm") as ServiceManifest | undefined;
    assert.ok(vllm?.spec.ports.some((port) => port.port === 8000), "a vllm Service on port 8000");
    const retrieval = rendered.find((manifest) => manifest.kind === "Deployment" && manifest.metadata.name === "retrieval") as Deployment;
    assert.match(environmentOf(retrieval.spec.template.spec.containers[0]!).MILVUS_ADDRESS ?? "", /^milvus\.milvus\.svc/);
  });

  it("renders k8s/base with a Deployment per service, all in one namespace", () => {
    const rendered = kustomize(baseRoot);
    for (const service of services) {
      assert.ok(rendered.some((manifest) => manifest.kind === "Deployment" && manifest.metadata.name === service.name), `rendered base lacks ${service.name}`);
    }
    for (const manifest of rendered) {
      if (manifest.kind !== "Namespace") assert.equal(manifest.metadata.namespace, baseKustomization.namespace, `${manifest.kind}/${manifest.metadata.name}`);
    }
  });

  it("the gpu overlay renders the base, and gives a Deployment labelled aigraph.io/accelerator=gpu one GPU", () => {
    const overlay = kustomize(join(k8sRoot, "overlays", "gpu"));
    const base = kustomize(baseRoot);
    const withoutGpuLabel = base.filter((manifest) => manifest.metadata.labels?.["aigraph.io/accelerator"] !== "gpu");
    for (const manifest of withoutGpuLabel) {
      assert.deepEqual(
        overlay.find((candidate) => candidate.kind === manifest.kind && candidate.metadata.name === manifest.metadata.name),
        manifest,
        `the gpu overlay changed ${manifest.kind}/${manifest.metadata.name}`,
      );
    }

    // A stand-in for the future inference subgraph, added to a copy of the base.
    const copy = mkdtempSync(join(tmpdir(), "k8s-gpu-"));
    temporaryDirectories.push(copy);
    cpSync(k8sRoot, join(copy, "k8s"), { recursive: true });
    const template = structuredClone(findDeployed<Deployment>("Deployment", "model-registry")!);
    template.metadata = { name: "gpu-stand-in", labels: { "app.kubernetes.io/name": "gpu-stand-in", "aigraph.io/accelerator": "gpu" } };
    template.spec.selector.matchLabels = { "app.kubernetes.io/name": "gpu-stand-in" };
    template.spec.template.metadata.labels = { "app.kubernetes.io/name": "gpu-stand-in", "aigraph.io/accelerator": "gpu" };
    writeFileSync(join(copy, "k8s", "base", "gpu-stand-in.yaml"), stringifyYaml(template));
    const kustomization = parseYaml(readFileSync(join(copy, "k8s", "base", "kustomization.yaml"), "utf8")) as Kustomization;
    kustomization.resources = [...(kustomization.resources ?? []), "gpu-stand-in.yaml"];
    writeFileSync(join(copy, "k8s", "base", "kustomization.yaml"), stringifyYaml(kustomization));

    const rendered = kustomize(join(copy, "k8s", "overlays", "gpu"));
    const standIn = rendered.find((manifest) => manifest.metadata.name === "gpu-stand-in" && manifest.kind === "Deployment") as Deployment | undefined;
    assert.ok(standIn, "the stand-in Deployment was not rendered");
    const pod = standIn.spec.template.spec;
    assert.equal(Number(pod.containers[0]?.resources?.limits?.["nvidia.com/gpu"]), 1);
    assert.ok(pod.nodeSelector !== undefined && Object.keys(pod.nodeSelector).length > 0, "a node selector for GPU nodes");
    assert.ok(pod.tolerations?.some((toleration) => toleration.key === "nvidia.com/gpu"), "a toleration for the GPU taint");
    const modelRegistry = rendered.find((manifest) => manifest.metadata.name === "model-registry" && manifest.kind === "Deployment") as Deployment;
    assert.equal(modelRegistry.spec.template.spec.containers[0]?.resources?.limits?.["nvidia.com/gpu"], undefined, "unlabelled Deployments get no GPU");
  });
});
