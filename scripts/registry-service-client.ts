/**
 * Calls the model-registry subgraph directly as a service (`npm start` runs before and beside the
 * gateway), with a request context signed by the shared secret: admin rights in tenant `system`.
 */
import { z } from "zod";
import type { CommonConfig } from "../platform/config/common-config.ts";
import { internalContextHeader, InternalContextSigner } from "../platform/context/internal-context-token.ts";
import { resolveSigningSecret } from "../platform/context/signing-secret.ts";

/** A model as `npm start` needs to see it. */
export interface RegisteredModel {
  id: string;
  displayName: string;
  family: string;
  capabilities: string[];
  aliases: string[];
  status: string;
  version: number;
  engine: { kind: string; modelPath: string | null };
}

/** Input of the registry's `registerModel` mutation (see schema/model-registry.graphql). */
export interface ModelRegistration {
  id: string;
  displayName: string;
  family: string;
  capabilities: string[];
  contextLength: number;
  embeddingDimensions: number | null;
  aliases: string[];
  engine: { kind: "LLAMA_CPP"; modelPath: string };
  pricing: { inputPerMillionTokens: number; outputPerMillionTokens: number };
}

/** The registry answered with a GraphQL error; `code` is its `extensions.code` (e.g. `MODEL_ALREADY_EXISTS`). */
export class RegistryRequestError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.name = "RegistryRequestError";
    this.code = code;
  }
}

const modelFields = "id displayName family capabilities aliases status version engine { kind modelPath }";
const registeredModel = z.object({
  id: z.string(),
  displayName: z.string(),
  family: z.string(),
  capabilities: z.array(z.string()),
  aliases: z.array(z.string()),
  status: z.string(),
  version: z.number(),
  engine: z.object({ kind: z.string(), modelPath: z.string().nullable() }),
});
const graphqlResponse = z.object({
  data: z.record(z.string(), z.unknown()).nullable().optional(),
  errors: z.array(z.object({ message: z.string(), extensions: z.object({ code: z.string().optional() }).optional() })).optional(),
});
const modelPage = z.object({
  nodes: z.array(registeredModel),
  pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
});

/** The registry's largest page (`modelPageLimits.maximum`). */
const pageSize = 100;

export class RegistryServiceClient {
  readonly #url: string;
  readonly #signer: InternalContextSigner;

  private constructor(url: string, signer: InternalContextSigner) {
    this.#url = url;
    this.#signer = signer;
  }

  /** `url`: the subgraph's GraphQL endpoint, e.g. `http://127.0.0.1:4001/graphql`. */
  static async connect(config: CommonConfig, url: string): Promise<RegistryServiceClient> {
    return new RegistryServiceClient(url, new InternalContextSigner(await resolveSigningSecret(config)));
  }

  /** The model whose id or alias is `name`. */
  async find(name: string): Promise<RegisteredModel | undefined> {
    const data = await this.#request(`query($id: ID!) { model(id: $id) { ${modelFields} } }`, { id: name }, "read-model");
    const model = data.model;
    return model === null || model === undefined ? undefined : registeredModel.parse(model);
  }

  /** Every model in the catalogue, ordered by id. */
  async list(): Promise<RegisteredModel[]> {
    const models: RegisteredModel[] = [];
    let after: string | null = null;
    for (;;) {
      const data = await this.#request(
        `query($first: Int!, $after: String) { models(first: $first, after: $after) { nodes { ${modelFields} } pageInfo { hasNextPage endCursor } } }`,
        { first: pageSize, after },
        "list-models",
      );
      const page = modelPage.parse(data.models);
      models.push(...page.nodes);
      if (!page.pageInfo.hasNextPage || page.pageInfo.endCursor === null) return models;
      after = page.pageInfo.endCursor;
    }
  }

  async register(input: ModelRegistration): Promise<void> {
    await this.#request(`mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`, { input }, `register-${input.id}`);
  }

  /** Deletes `id` only if it is still at `expectedVersion` (else `VERSION_CONFLICT`). */
  async delete(id: string, expectedVersion: number): Promise<void> {
    await this.#request(`mutation($id: ID!, $expectedVersion: Int) { deleteModel(id: $id, expectedVersion: $expectedVersion) { id } }`, { id, expectedVersion }, `delete-${id}`);
  }

  async #request(query: string, variables: Record<string, unknown>, purpose: string): Promise<Record<string, unknown>> {
    const response = await fetch(this.#url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [internalContextHeader]: this.#signer.sign({ requestId: `start-stack-${purpose}`, tenantId: "system", apiKeyId: "service:start-stack", roles: ["platform-admin"] }),
      },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = graphqlResponse.safeParse(await response.json().catch(() => undefined));
    if (!body.success) throw new RegistryRequestError(`The model registry answered HTTP ${response.status} with no GraphQL response.`, undefined);
    const error = body.data.errors?.[0];
    if (error !== undefined) throw new RegistryRequestError(error.message, error.extensions?.code);
    return body.data.data ?? {};
  }
}
