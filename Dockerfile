# One image for every service of the graph: the gateway and each subgraph. TypeScript runs as is
# through tsx (a runtime dependency), so there is no build stage.
#
#   docker build -t federated-ai-graph:0.1.0 .
#   docker run --rm federated-ai-graph:0.1.0                                    # the gateway (CMD)
#   docker run --rm federated-ai-graph:0.1.0 subgraphs/model-registry/main.ts  # a subgraph
#
# The entry point is `node --import tsx`; the arguments (CMD here, `args` in k8s/) name the
# service's main module: gateway/main.ts, or the entryPoint of a subgraph in
# platform/service-catalog.ts.
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

WORKDIR /app

# Dependencies first, so source changes reuse this layer. .npmrc skips onnxruntime's binary
# download; NODE_LLAMA_CPP_SKIP_DOWNLOAD stops node-llama-cpp's postinstall from fetching or
# building llama.cpp (its prebuilt binaries come as optional npm packages).
COPY package.json package-lock.json .npmrc ./
# The workspace of the client package (packages/client), which npm ci expects to find.
COPY packages/client/package.json ./packages/client/
RUN NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm ci --omit=dev \
    && npm cache clean --force

# The source the services import at run time (schema/ holds the SDL and the composed supergraph;
# scripts/ has the operator tools, e.g. scripts/api-keys.ts). Files stay owned by root: the
# services cannot modify their own code.
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

# The `node` user of the base image, by number so Kubernetes can verify runAsNonRoot.
USER 1000:1000

# The gateway's port; subgraphs listen on their <NAME>_PORT (model-registry: 4001).
EXPOSE 4000

# Node handles SIGTERM itself (graceful drain, see platform/lifecycle/stop-on-signals.ts); the
# exec form keeps it PID 1 so the signal reaches it. tsx caches compiled modules in the temporary
# directory: with a read-only root filesystem, mount a writable /tmp.
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["gateway/main.ts"]
