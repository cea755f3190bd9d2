/**
 * Checks the deployment files (k8s/, Dockerfile, .dockerignore) against the code they deploy: every
 * variable a container sets is one its service reads and passes the real config validation, ports
 * agree, probes hit /healthz and /readyz, the pod outlives the graceful drain, and the image's
 * start commands name entry points that exist and that the image contains. Every service of
 * platform/service-catalog.ts (plus the gateway) must have manifests, so a new subgraph without
 * them fails here.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { parse as parseYaml, parseAllDocuments, stringify as stringifyYaml } from "yaml";
import { loadGatewayConfig } from "../../gateway/config.ts";
import { commonEnvironment } from "../../platform/config/common-config.ts";
import { inferenceEnvironment } from "../../subgraphs/inference/config.ts";
import { retrievalEnvironment } from "../../subgraphs/retrieval/config.ts";
import { usageEnvironment } from "../../subgraphs/usage/config.ts";
import { ConfigurationError } from "../../platform/config/parse-environment.ts";
import { projectRoot } from "../../platform/schema-file.ts";
import { environmentStem, gatewayDefaultPort, subgraphCatalog } from "../../platform/service-catalog.ts";
import { loadModelRegistryConfig } from "../../subgraphs/model-registry/config.ts";

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
  it("parse: every YAML file under k8s/ is valid YAML of Kubernetes objects, kustomizations or JSON patches", () => {
    assert.ok(yamlFiles.length > 0, "no YAML under k8s/");
    for (const file of yamlFiles) {
      assert.deepEqual(file.problems, [], `${file.file} does not parse cleanly`);
      assert.ok(file.documents.length > 0, `${file.file} is empty`);
      for (const document of file.documents) {
        if (Array.isArray(document)) {
          for (const operation of document as { op?: unknown; path?: unknown }[]) {
            assert.ok(typeof operation.op === "string" && typeof operation.path === "string", `${file.file}: a JSON patch needs op and path`);
          }
          continue;
        }
        assert.ok(isManifest(document) || (document as { kind?: unknown }).kind === "Kustomization", `${file.file}: not a Kubernetes object`);
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

      it("starts the service's entry point", () => {
        const container = containerOf(service);
        assert.equal(container.command, undefined, "keep the image's entry point (node --import tsx); name the module in args");
        assert.deepEqual(container.args, [service.entryPoint]);
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
        assert.ok(
          grace > config.shutdownGracePeriodMillis / 1000 + sleep,
          `terminationGracePeriodSeconds ${grace} <= ${config.shutdownGracePeriodMillis / 1000} s drain + ${sleep} s preStop`,
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

      it("runs as non-root on a read-only root filesystem, with a writable /tmp for tsx's cache", () => {
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
// The Dockerfile.

interface Instruction {
  keyword: string;
  argument: string;
}

function dockerfileInstructions(text: string): Instruction[] {
  return text
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      const [keyword = "", ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), argument: rest.join(" ") };
    });
}

const dockerfile = dockerfileInstructions(readFileSync(join(projectRoot, "Dockerfile"), "utf8"));

function execForm(keyword: string): string[] {
  const instructions = dockerfile.filter((instruction) => instruction.keyword === keyword);
  assert.equal(instructions.length, 1, `the Dockerfile should have one ${keyword}`);
  const value: unknown = JSON.parse(instructions[0]!.argument);
  assert.ok(Array.isArray(value), `${keyword} should use the exec form (JSON array), so node gets SIGTERM`);
  return value as string[];
}

/** The paths (relative to the repository) the Dockerfile copies into the image. */
const copiedPaths = dockerfile
  .filter((instruction) => instruction.keyword === "COPY")
  .flatMap((instruction) => {
    const words = instruction.argument.split(/\s+/).filter((word) => !word.startsWith("--"));
    return words.slice(0, -1).map((word) => word.replace(/^\.\//, "").replace(/\/$/, ""));
  });

function isCopied(file: string): boolean {
  const path = relative(projectRoot, file).split(sep).join("/");
  return copiedPaths.some((copied) => copied === "." || path === copied || path.startsWith(`${copied}/`));
}

const packageJson = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as {
  dependencies?: Record<string, string>;
};
const builtins = new Set(builtinModules);

/** `import … from "x"`, `export … from "x"`, `import "x"`, `import("x")`; the first group marks `import type`. */
const importPattern = /(?:^|[\s;])(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** Every module `entryPoint` loads at run time, and every npm package among them. */
function runtimeImports(entryPoint: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  assert.ok(existsSync(join(projectRoot, entryPoint)), `${entryPoint} does not exist`);
  const pending = [join(projectRoot, entryPoint)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const match of readFileSync(file, "utf8").matchAll(importPattern)) {
      if (match[1] !== undefined) continue; // `import type`: erased at run time
      const specifier = (match[2] ?? match[3])!;
      if (specifier.startsWith(".")) {
        let target = resolve(dirname(file), specifier);
        if (!existsSync(target) && target.endsWith(".js")) target = target.replace(/\.js$/, ".ts");
        assert.ok(existsSync(target) && statSync(target).isFile(), `${relative(projectRoot, file)} imports ${specifier}, which does not exist`);
        pending.push(target);
      } else if (!specifier.startsWith("node:") && !builtins.has(specifier)) {
        const parts = specifier.split("/");
        packages.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!);
      }
    }
  }
  return { files: [...files], packages: [...packages] };
}

describe("Dockerfile", () => {
  it("builds on node:20-bookworm-slim with production dependencies only", () => {
    assert.deepEqual(dockerfile.filter((instruction) => instruction.keyword === "FROM").map((instruction) => instruction.argument), ["node:20-bookworm-slim"]);
    const install = dockerfile.find((instruction) => instruction.keyword === "RUN" && instruction.argument.includes("npm ci"));
    assert.ok(install, "install with npm ci");
    assert.match(install.argument, /--omit=dev/);
    assert.match(install.argument, /NODE_LLAMA_CPP_SKIP_DOWNLOAD=true/);
    for (const file of ["package.json", "package-lock.json", ".npmrc"]) assert.ok(copiedPaths.includes(file), `copy ${file} before npm ci`);
  });

  it("runs as a numeric non-root user, so Kubernetes can verify runAsNonRoot", () => {
    const users = dockerfile.filter((instruction) => instruction.keyword === "USER");
    const user = users.at(-1)?.argument.split(":")[0] ?? "";
    assert.match(user, /^\d+$/);
    assert.notEqual(Number(user), 0);
  });

  it("starts node --import tsx with the gateway by default; each Deployment's args name an entry point that exists", () => {
    assert.deepEqual(execForm("ENTRYPOINT"), ["node", "--import", "tsx"]);
    const [defaultModule] = execForm("CMD");
    assert.equal(defaultModule, "gateway/main.ts");
    for (const service of services) {
      assert.ok(existsSync(join(projectRoot, service.entryPoint)), `${service.entryPoint} does not exist`);
      assert.deepEqual(containerOf(service).args, [service.entryPoint]);
    }
    assert.ok(subgraphCatalog.some((subgraph) => subgraph.entryPoint === "subgraphs/model-registry/main.ts"));
  });

  it("copies everything each service imports, whose packages are runtime dependencies", () => {
    for (const service of services) {
      const { files, packages } = runtimeImports(service.entryPoint);
      for (const file of files) assert.ok(isCopied(file), `${service.name} imports ${relative(projectRoot, file)}, which the Dockerfile does not copy`);
      for (const name of packages) {
        assert.ok(packageJson.dependencies?.[name] !== undefined, `${service.name} imports ${name}, which is not in package.json dependencies (npm ci --omit=dev skips it)`);
      }
    }
    // Read at run time rather than imported: the SDL of each subgraph and the supergraph.
    assert.ok(isCopied(join(projectRoot, "schema", "supergraph.graphql")), "copy schema/");
  });

  it(".dockerignore keeps local state out and does not exclude what is copied", () => {
    const patterns = readFileSync(join(projectRoot, ".dockerignore"), "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.length > 0 && !line.startsWith("#"));
    for (const required of ["node_modules", ".data", ".git", "test"]) assert.ok(patterns.includes(required), `.dockerignore should list ${required}`);
    for (const copied of copiedPaths) {
      const excluded = patterns.filter((pattern) => !/[*?[!]/.test(pattern)).map((pattern) => pattern.replace(/^\//, "").replace(/\/$/, ""));
      assert.ok(!excluded.some((pattern) => copied === pattern || copied.startsWith(`${pattern}/`)), `.dockerignore excludes ${copied}, which the Dockerfile copies`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Rendering with kustomize (kubectl's built-in one), where kubectl is installed.

function kustomize(directory: string): Manifest[] {
  const result = spawnSync("kubectl", ["kustomize", directory], { encoding: "utf8" });
  assert.equal(result.status, 0, `kubectl kustomize ${directory} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout).map((document) => document.toJS() as Manifest);
}

const kubectlMissing = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status !== 0;
const temporaryDirectories: string[] = [];
after(() => {
  for (const directory of temporaryDirectories) rmSync(directory, { recursive: true, force: true });
});

describe("kustomize build", { skip: kubectlMissing ? "kubectl is not installed" : false }, () => {
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
