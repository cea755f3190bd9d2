/**
 * The images the Dockerfile builds, one target per role, and what each carries: the bundles of its
 * services (dist/) and only the npm packages those bundles load at run time, with only the llama.cpp
 * build the role runs. scripts/build/runtime-modules.ts copies that package set out of a full
 * `npm ci`; test/deployment/images.test.ts checks the Dockerfile against this list.
 */
export interface ImageRole {
  /** The Dockerfile target and image name suffix: `federated-ai-graph-<name>`. */
  name: string;
  /** Bundles of scripts/build/build-entries.ts in the image; the first is what the image starts. */
  bundles: readonly string[];
  /**
   * The one @node-llama-cpp/* prebuilt binary package kept (node-llama-cpp lists every platform and
   * GPU as optional dependencies: 737 MB). Undefined: the role loads no llama.cpp.
   */
  llamaCppBinary?: string;
  /**
   * Packages needed beside those the bundles import: the gateway's playground page (web/playground,
   * bundled by esbuild when the gateway starts with PLAYGROUND_ENABLED=true) bundles graphql-ws,
   * graphql-sse and graphql (test/deployment/images.test.ts derives the list from a real bundle).
   */
  extraPackages?: readonly string[];
  /** Directories of the repository read at run time, copied as they are. */
  files: readonly string[];
}

export const imageRoles: readonly ImageRole[] = [
  { name: "gateway", bundles: ["gateway", "api-keys", "persisted-documents"], extraPackages: ["graphql", "graphql-sse", "graphql-ws"], files: ["schema", "web/playground"] },
  { name: "model-registry", bundles: ["model-registry"], files: ["schema"] },
  { name: "usage", bundles: ["usage"], files: ["schema"] },
  { name: "retrieval", bundles: ["retrieval"], files: ["schema"] },
  { name: "inference-cpu", bundles: ["inference", "fetch-model"], llamaCppBinary: "@node-llama-cpp/linux-x64", files: ["schema"] },
  // CUDA 13 (libggml-cuda.so needs libcudart.so.13 and libcublas.so.13): the nvidia/cuda 13 runtime base.
  { name: "inference-cuda", bundles: ["inference", "fetch-model"], llamaCppBinary: "@node-llama-cpp/linux-x64-cuda", files: ["schema"] },
];

/**
 * Optional dependencies never installed into an image: other platforms' llama.cpp builds (all but
 * the role's `llamaCppBinary`), and LanceDB's optional embedding-function helpers, which the
 * retrieval subgraph does not use (it embeds through the inference subgraph).
 */
export function isExcludedOptionalPackage(name: string, role: ImageRole): boolean {
  if (name.startsWith("@node-llama-cpp/")) return name !== role.llamaCppBinary;
  return ["@huggingface/transformers", "openai", "onnxruntime-node"].includes(name) ? true : false;
}
