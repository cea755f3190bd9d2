# Images of the federated graph, one target per role, each with only what its service runs: the
# compiled bundle (dist/<service>.js, `npm run build`) and the npm packages that bundle loads at run
# time, with only the llama.cpp build the role uses. Step by step in docs/DEPLOYMENT.md.
#
#   docker build --target gateway        -t federated-ai-graph-gateway:0.1.0 .
#   docker build --target model-registry -t federated-ai-graph-model-registry:0.1.0 .
#   docker build --target usage          -t federated-ai-graph-usage:0.1.0 .
#   docker build --target retrieval      -t federated-ai-graph-retrieval:0.1.0 .
#   docker build --target inference-cpu  -t federated-ai-graph-inference-cpu:0.1.0 .
#   docker build --target inference-cuda -t federated-ai-graph-inference-cuda:0.1.0 .
#
# Node.js 26, the newest LTS (since 2026-10-28, maintained to 2029-04-30): no pinned dependency
# bounds its engines field above (all are ">=" ranges), and the native addons (llama.cpp, LanceDB)
# use Node-API, which is stable across versions. Node 20 reached end of life on 2026-04-30.
ARG NODE_IMAGE=node:26-trixie-slim
# The prebuilt @node-llama-cpp/linux-x64-cuda 3.21.1 links libcudart.so.13 and libcublas.so.13 and was
# compiled with CUDA 13.1: the runtime image of the same major (its cuBLAS included). Nodes need an
# NVIDIA driver for CUDA 13 (>= 580).
ARG CUDA_IMAGE=nvidia/cuda:13.1.1-runtime-ubuntu24.04

# ---------------------------------------------------------------------------------------------
# 1. Build: every dependency (all llama.cpp builds among them), the bundles, and per role the pruned
#    node_modules under /runtime/<role>.
FROM ${NODE_IMAGE} AS build

ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

WORKDIR /src

# Dependencies first, so source changes reuse this layer. .npmrc skips onnxruntime's binary
# download; NODE_LLAMA_CPP_SKIP_DOWNLOAD stops node-llama-cpp's postinstall from fetching or
# building llama.cpp (its prebuilt binaries come as optional npm packages). esbuild and tsx, which
# the build runs, are runtime dependencies, so --omit=dev holds everything the build needs.
# Compilers for native addons without a prebuilt binary for this Node.js (better-sqlite3 falls back
# to node-gyp); only this stage has them.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
# The workspace of the client package (packages/client), which npm ci expects to find.
COPY packages/client/package.json ./packages/client/
RUN NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm ci --omit=dev \
    && npm cache clean --force

COPY tsconfig.json ./
COPY platform ./platform
COPY gateway ./gateway
COPY subgraphs ./subgraphs
COPY engines ./engines
COPY schema ./schema
COPY client ./client
COPY scripts ./scripts
# scripts/fetch-model.ts talks to the gateway through the client package's source.
COPY packages/client/src ./packages/client/src

RUN node --import tsx scripts/build.ts \
    && for role in gateway model-registry usage retrieval inference-cpu inference-cuda; do \
         node --import tsx scripts/build/runtime-modules.ts --role "$role" --output "/runtime/$role"; \
       done

# ---------------------------------------------------------------------------------------------
# 2. The common runtime: Node.js, production mode, no build tools.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app

# ---------------------------------------------------------------------------------------------
# 3. One target per role, each with the node_modules runtime-modules.ts pruned for it (possibly
#    empty: a role whose bundle imports no package). Files stay owned by root: a service cannot modify its own code. Each runs
#    as the image's uid 1000 by number, so Kubernetes can verify runAsNonRoot; node is PID 1 (exec
#    form) and gets SIGTERM itself (graceful drain, platform/lifecycle/stop-on-signals.ts).
#    Source maps ship beside the bundles: NODE_OPTIONS=--enable-source-maps for TypeScript stack
#    traces (off by default: it costs ~35 MiB per process).

FROM runtime AS gateway
COPY --from=build /runtime/gateway/node_modules ./node_modules
COPY --from=build /src/dist/package.json /src/dist/gateway.js /src/dist/gateway.js.map /src/dist/api-keys.js /src/dist/api-keys.js.map /src/dist/persisted-documents.js /src/dist/persisted-documents.js.map ./dist/
COPY schema ./schema
COPY web/playground ./web/playground
USER 1000:1000
EXPOSE 4000
ENTRYPOINT ["node"]
CMD ["dist/gateway.js"]

FROM runtime AS model-registry
COPY --from=build /runtime/model-registry/node_modules ./node_modules
COPY --from=build /src/dist/package.json /src/dist/model-registry.js /src/dist/model-registry.js.map ./dist/
COPY schema ./schema
USER 1000:1000
EXPOSE 4001
ENTRYPOINT ["node"]
CMD ["dist/model-registry.js"]

FROM runtime AS usage
COPY --from=build /runtime/usage/node_modules ./node_modules
COPY --from=build /src/dist/package.json /src/dist/usage.js /src/dist/usage.js.map ./dist/
COPY schema ./schema
USER 1000:1000
EXPOSE 4004
ENTRYPOINT ["node"]
CMD ["dist/usage.js"]

FROM runtime AS retrieval
COPY --from=build /runtime/retrieval/node_modules ./node_modules
COPY --from=build /src/dist/package.json /src/dist/retrieval.js /src/dist/retrieval.js.map ./dist/
COPY schema ./schema
USER 1000:1000
EXPOSE 4003
ENTRYPOINT ["node"]
CMD ["dist/retrieval.js"]

# llama.cpp on the CPU: only @node-llama-cpp/linux-x64 (29 MB of the 737 MB of builds).
FROM runtime AS inference-cpu
COPY --from=build /runtime/inference-cpu/node_modules ./node_modules
COPY --from=build /src/dist/package.json /src/dist/inference.js /src/dist/inference.js.map /src/dist/fetch-model.js /src/dist/fetch-model.js.map ./dist/
COPY schema ./schema
ENV LLAMA_CPP_GPU=cpu
USER 1000:1000
EXPOSE 4002
ENTRYPOINT ["node"]
CMD ["dist/inference.js"]

# llama.cpp on an NVIDIA GPU: the CUDA runtime base, Node.js copied in from its official image, and
# only @node-llama-cpp/linux-x64-cuda. LLAMA_CPP_GPU=cuda fails at start-up rather than running on
# the CPU when the GPU, driver or libraries are missing.
FROM ${NODE_IMAGE} AS node-binary
FROM ${CUDA_IMAGE} AS inference-cuda
COPY --from=node-binary /usr/local/bin/node /usr/local/bin/node
ENV NODE_ENV=production \
    LLAMA_CPP_GPU=cuda
WORKDIR /app
COPY --from=build /runtime/inference-cuda/node_modules ./node_modules
COPY --from=build /src/dist/package.json /src/dist/inference.js /src/dist/inference.js.map /src/dist/fetch-model.js /src/dist/fetch-model.js.map ./dist/
COPY schema ./schema
USER 1000:1000
EXPOSE 4002
ENTRYPOINT ["node"]
CMD ["dist/inference.js"]
