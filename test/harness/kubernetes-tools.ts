/**
 * Offline validation of Kubernetes manifests for the deployment tests: kubeconform and helm, built
 * once with `go install` through the Go module proxy, the Kubernetes JSON schemas of the
 * `kubernetes-validate` package on the Python index, and KEDA's CRD schemas from its Go module.
 * Everything is cached under `~/.cache/federated-ai-graph/` (the first run takes a few minutes:
 * helm builds in ~4 min on 2 cores). Missing Go or Python fails under CI=true; elsewhere the tests
 * skip with the reason.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import { ensurePythonEnvironment, PythonEnvironmentUnavailableError } from "./python-environment.ts";

/** Why the tools cannot be had here. */
export class KubernetesToolsUnavailableError extends Error {}

const cacheRoot = join(homedir(), ".cache", "federated-ai-graph");

/** The Go tools, pinned. helm v4 builds with this machine's Go (1.26). */
export const goTools = {
  kubeconform: { module: "github.com/yannh/kubeconform/cmd/kubeconform", version: "v0.7.0" },
  helm: { module: "helm.sh/helm/v4/cmd/helm", version: "v4.3.2" },
  // Only where kubectl (whose `kubectl kustomize` is used first) is missing; v5.8 needs Go 1.27.
  kustomize: { module: "sigs.k8s.io/kustomize/kustomize/v5", version: "v5.7.1" },
} as const;

/** The Kubernetes version the manifests are validated against (the oldest of the supported three, December 2026). */
export const kubernetesVersion = "1.35.0";
const kubernetesValidateVersion = "1.37.0";
/** KEDA's Go module, whose config/crd/bases holds the ScaledObject CRD. */
const kedaModule = { path: "github.com/kedacore/keda/v2", version: "v2.21.0" };

/** The path of a Go tool's binary, built into the cache when missing. */
export function goTool(name: keyof typeof goTools): string {
  const { module, version } = goTools[name];
  const directory = join(cacheRoot, "go-tools", `${name}-${version}`);
  const binary = join(directory, name);
  if (existsSync(binary)) return binary;
  const building = `${directory}.building-${process.pid}`;
  mkdirSync(building, { recursive: true });
  console.warn(`Building ${name} ${version} with go install (first run only, a few minutes)...`);
  const result = spawnSync("go", ["install", `${module}@${version}`], {
    encoding: "utf8",
    env: { ...process.env, GOBIN: building, CGO_ENABLED: "0" },
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new KubernetesToolsUnavailableError(
      `go install ${module}@${version} failed (Go and the Go module proxy are needed): ${result.error?.message ?? result.stderr.slice(-2_000)}`,
    );
  }
  try {
    mkdirSync(join(cacheRoot, "go-tools"), { recursive: true });
    spawnSync("mv", ["-T", building, directory]);
  } finally {
    spawnSync("rm", ["-rf", building]);
  }
  if (!existsSync(binary)) throw new KubernetesToolsUnavailableError(`${binary} is missing after go install`);
  return binary;
}

/** Kubernetes' JSON schemas of `kubernetesVersion` (strict: no unknown fields), from kubernetes-validate. */
async function kubernetesSchemaSource(): Promise<string> {
  const python = await ensurePythonEnvironment({
    name: `kubernetes-validate-${kubernetesValidateVersion}`,
    packages: [`kubernetes-validate==${kubernetesValidateVersion}`],
    announcement: `Installing kubernetes-validate ${kubernetesValidateVersion} (the Kubernetes JSON schemas, 22 MB).`,
  });
  const located = spawnSync(python, ["-c", "import kubernetes_validate, os; print(os.path.dirname(kubernetes_validate.__file__))"], { encoding: "utf8" });
  const directory = join(located.stdout.trim(), "kubernetes-json-schema", `v${kubernetesVersion}-local-strict`);
  if (located.status !== 0 || !existsSync(join(directory, "_definitions.json"))) {
    throw new KubernetesToolsUnavailableError(`kubernetes-validate has no schemas for Kubernetes ${kubernetesVersion} at ${directory}`);
  }
  return directory;
}

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * kubernetes-validate's per-kind files point into one `/api/_definitions.json`, which kubeconform's
 * loader cannot follow: each file is made standalone here, with the definitions it reaches copied
 * into its own `$defs` (as the "-standalone-strict" schemas kubeconform documents).
 */
function standaloneSchema(source: string, fileName: string): JsonValue {
  const definitions = (JSON.parse(readFileSync(join(source, "_definitions.json"), "utf8")) as { $defs: Record<string, JsonValue> }).$defs;
  const localise = (value: JsonValue): JsonValue => {
    if (Array.isArray(value)) return value.map(localise);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, key === "$ref" && typeof inner === "string" ? inner.replace("/api/_definitions.json#", "#") : localise(inner)]),
    );
  };
  const schema = localise(JSON.parse(readFileSync(join(source, fileName), "utf8")) as JsonValue) as Record<string, JsonValue>;
  const needed = new Map<string, JsonValue>();
  const pending: JsonValue[] = [schema];
  while (pending.length > 0) {
    const value = pending.pop()!;
    if (Array.isArray(value)) pending.push(...value);
    else if (value !== null && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        if (key === "$ref" && typeof inner === "string" && inner.startsWith("#/$defs/")) {
          const name = inner.slice("#/$defs/".length);
          if (!needed.has(name)) {
            const definition = definitions[name];
            if (definition === undefined) throw new Error(`${fileName} refers to ${name}, which _definitions.json lacks`);
            const localised = localise(definition);
            needed.set(name, localised);
            pending.push(localised);
          }
        } else pending.push(inner);
      }
    }
  }
  return { ...schema, $defs: Object.fromEntries(needed) };
}

/**
 * A CRD's OpenAPI v3 schema as the JSON schema kubeconform reads, strict like Kubernetes' own:
 * objects with declared properties refuse others, int-or-string and nullable fields as Kubernetes
 * accepts them (what kubeconform's openapi2jsonschema.py does).
 */
function crdJsonSchema(openApi: JsonValue): JsonValue {
  if (Array.isArray(openApi)) return openApi.map(crdJsonSchema);
  if (openApi === null || typeof openApi !== "object") return openApi;
  const converted: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(openApi)) converted[key] = crdJsonSchema(value);
  if (converted["x-kubernetes-int-or-string"] === true) {
    delete converted.type;
    converted.oneOf = [{ type: "string" }, { type: "integer" }];
  }
  if (converted.nullable === true && typeof converted.type === "string") converted.type = [converted.type, "null"];
  if (converted.properties !== undefined && converted.additionalProperties === undefined && converted["x-kubernetes-preserve-unknown-fields"] !== true) {
    converted.additionalProperties = false;
  }
  return converted;
}

/** Writes KEDA's ScaledObject schema(s) as `<kind>-keda-<version>.json` into `directory`. */
function writeKedaSchemas(directory: string): void {
  const download = spawnSync("go", ["mod", "download", "-json", `${kedaModule.path}@${kedaModule.version}`], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  const moduleDirectory = download.status === 0 ? (JSON.parse(download.stdout) as { Dir?: string }).Dir : undefined;
  if (moduleDirectory === undefined) {
    throw new KubernetesToolsUnavailableError(`go mod download ${kedaModule.path}@${kedaModule.version} failed: ${download.error?.message ?? download.stderr.slice(-1_000)}`);
  }
  const crd = parseYaml(readFileSync(join(moduleDirectory, "config", "crd", "bases", "keda.sh_scaledobjects.yaml"), "utf8")) as {
    spec: { names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: JsonValue } }[] };
  };
  for (const version of crd.spec.versions) {
    const schema = crdJsonSchema(version.schema.openAPIV3Schema) as Record<string, JsonValue>;
    // metadata is only `type: object` in CRDs: any ObjectMeta passes, as with kubectl.
    writeFileSync(join(directory, `${crd.spec.names.kind.toLowerCase()}-keda-${version.name}.json`), JSON.stringify(schema));
  }
}

export interface ManifestValidation {
  /** kubeconform's summary line and its findings. */
  output: string;
  ok: boolean;
}

let schemaDirectory: string | undefined;

/** The directory of schemas kubeconform reads (standalone files made on demand). */
async function schemas(): Promise<{ source: string; directory: string }> {
  const source = await kubernetesSchemaSource();
  schemaDirectory ??= join(cacheRoot, "kubeconform-schemas", `v${kubernetesVersion}-standalone-strict-keda-${kedaModule.version}`);
  if (!existsSync(join(schemaDirectory, `scaledobject-keda-v1alpha1.json`))) {
    const building = `${schemaDirectory}.building-${process.pid}`;
    mkdirSync(building, { recursive: true });
    writeKedaSchemas(building);
    try {
      await rename(building, schemaDirectory);
    } catch {
      await rm(building, { recursive: true, force: true });
    }
  }
  return { source, directory: schemaDirectory };
}

/** kubeconform's file name for a kind: `deployment-apps-v1.json`, `service-v1.json`. */
function schemaFileName(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const suffix = group === "" ? `-${version}` : `-${group!.split(".")[0]}-${version}`;
  return `${kind.toLowerCase()}${suffix}.json`;
}

/**
 * Validates a multi-document YAML stream with `kubeconform -strict` against Kubernetes
 * `kubernetesVersion` and KEDA's CRDs, offline. A kind with no schema fails (nothing is skipped).
 */
export async function validateManifests(yamlText: string): Promise<ManifestValidation> {
  const kubeconform = goTool("kubeconform");
  const { source, directory } = await schemas();
  for (const document of parseAllDocuments(yamlText)) {
    const manifest = document.toJS() as { apiVersion?: string; kind?: string } | null;
    if (manifest?.apiVersion === undefined || manifest.kind === undefined) continue;
    const fileName = schemaFileName(manifest.apiVersion, manifest.kind);
    if (!existsSync(join(directory, fileName)) && existsSync(join(source, fileName))) {
      writeFileSync(join(directory, fileName), JSON.stringify(standaloneSchema(source, fileName)));
    }
  }
  const result = spawnSync(
    kubeconform,
    ["-strict", "-summary", "-output", "text", "-schema-location", join(directory, "{{ .ResourceKind }}{{ .KindSuffix }}.json"), "-"],
    { input: yamlText, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const output = `${result.stdout}${result.stderr}`.trim();
  // "could not find schema" is an error in kubeconform's summary too (Errors: n), never a skip.
  return { output, ok: result.status === 0 && /Invalid: 0, Errors: 0, Skipped: 0/.test(output) };
}

/** Runs `tests` only where the tools can be had; under CI=true their absence fails instead. */
export async function kubernetesToolsSkipReason(): Promise<string | false> {
  try {
    goTool("kubeconform");
    goTool("helm");
    await schemas();
    return false;
  } catch (error) {
    if (process.env.CI === "true" || !(error instanceof KubernetesToolsUnavailableError || error instanceof PythonEnvironmentUnavailableError)) throw error;
    return error.message;
  }
}
