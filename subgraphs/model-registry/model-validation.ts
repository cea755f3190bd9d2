import { Template } from "@huggingface/jinja";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import { EgressGuard, EgressRefusedError } from "../../platform/network/egress-policy.ts";
import type { AliasSplitInput, GenerationParametersInput, ModelEngineInput, ModelPricingInput, RegisterModelInput, UpdateModelInput } from "./generated/resolvers-types.ts";
import { modelOwnerTenant } from "../../platform/authorization/model-scope.ts";
import { deploymentNamePattern, deploymentsOf, modelNamePattern, type AliasSplitRecord, type ModelDefinition, type ModelDeploymentRecord, type ModelEngineRecord, type ModelRecord } from "./model-record.ts";

/** Limits on a model definition; the numbers are generous bounds that catch typos, not policy. */
export const modelLimits = {
  maximumContextLength: 10_000_000,
  maximumEmbeddingDimensions: 65_536,
  maximumAliases: 32,
  maximumPricePerMillionTokens: 1_000_000,
  maximumStopSequences: 16,
  maximumStopSequenceLength: 200,
  maximumDisplayNameLength: 200,
} as const;

interface Problem {
  field: string;
  message: string;
}

/** Collects every problem in an input, then fails with all of them (the first also as `field`). */
class ProblemList {
  readonly problems: Problem[] = [];

  add(field: string, message: string): void {
    this.problems.push({ field, message });
  }

  throwIfAny(): void {
    const [first] = this.problems;
    if (first === undefined) return;
    const summary = this.problems.length === 1 ? first.message : `${first.message} (and ${this.problems.length - 1} more problems)`;
    throw new ServiceError(ErrorCode.BadUserInput, summary, { field: first.field, details: { problems: this.problems } });
  }
}

/** Public hosts only: what `definitionFromRegistration` checks engine URLs against unless told otherwise. */
const defaultEngineGuard = new EgressGuard();

/**
 * Turns a registration input into a model definition, or throws `BAD_USER_INPUT` naming each bad field.
 * `engineGuard` decides which OPENAI_COMPATIBLE `baseUrl` hosts are accepted. Default: public hosts only.
 */
export function definitionFromRegistration(input: RegisterModelInput, engineGuard: EgressGuard = defaultEngineGuard): ModelDefinition {
  const problems = new ProblemList();
  checkName(problems, "input.id", input.id);
  const definition: ModelDefinition = {
    id: input.id,
    displayName: input.displayName.trim(),
    family: input.family.trim(),
    capabilities: [...input.capabilities],
    contextLength: input.contextLength,
    embeddingDimensions: input.embeddingDimensions ?? null,
    ...enginesFromInput(problems, input, undefined),
    ...(input.aliasSplits && input.aliasSplits.length > 0 ? { aliasSplits: splitsFromInput(input.aliasSplits) } : {}),
    ...(input.responseCacheTtlSeconds === undefined || input.responseCacheTtlSeconds === null ? {} : { responseCacheTtlSeconds: input.responseCacheTtlSeconds }),
    pricing: pricingFromInput(input.pricing),
    status: input.status ?? "ACTIVE",
    aliases: [...(input.aliases ?? [])],
    defaultParameters: parametersFromInput(input.defaultParameters),
  };
  checkDefinition(problems, definition, engineGuard);
  problems.throwIfAny();
  return definition;
}

/**
 * Applies an update input to a stored model; fields left out keep their value. Throws `BAD_USER_INPUT`.
 * A new `engine` is checked against `engineGuard` (default: public hosts only); a kept one is not, so
 * models stored before a policy change can still be renamed or disabled.
 */
export function definitionFromUpdate(current: ModelRecord, input: UpdateModelInput, engineGuard: EgressGuard = defaultEngineGuard): ModelDefinition {
  const problems = new ProblemList();
  const definition: ModelDefinition = {
    id: current.id,
    displayName: input.displayName?.trim() ?? current.displayName,
    family: input.family?.trim() ?? current.family,
    capabilities: input.capabilities ? [...input.capabilities] : current.capabilities,
    contextLength: input.contextLength ?? current.contextLength,
    embeddingDimensions: input.embeddingDimensions === undefined ? current.embeddingDimensions : input.embeddingDimensions,
    ...(input.engine || input.deployments ? enginesFromInput(problems, input, current) : { engine: current.engine, ...(current.deployments === undefined ? {} : { deployments: current.deployments }) }),
    ...(input.routing ? { routing: input.routing } : current.routing === undefined ? {} : { routing: current.routing }),
    ...(input.aliasSplits ? (input.aliasSplits.length > 0 ? { aliasSplits: splitsFromInput(input.aliasSplits) } : {}) : current.aliasSplits === undefined ? {} : { aliasSplits: current.aliasSplits }),
    // null removes the default; left out keeps it.
    ...(input.responseCacheTtlSeconds === null ? {} : input.responseCacheTtlSeconds !== undefined ? { responseCacheTtlSeconds: input.responseCacheTtlSeconds } : current.responseCacheTtlSeconds === undefined ? {} : { responseCacheTtlSeconds: current.responseCacheTtlSeconds }),
    pricing: input.pricing ? pricingFromInput(input.pricing) : current.pricing,
    status: current.status,
    aliases: input.aliases ? [...input.aliases] : current.aliases,
    defaultParameters: input.defaultParameters ? parametersFromInput(input.defaultParameters) : current.defaultParameters,
  };
  for (const field of ["displayName", "family", "capabilities", "contextLength", "engine", "deployments", "routing", "aliasSplits", "pricing", "aliases", "defaultParameters"] as const) {
    if (input[field] === null) problems.add(`input.${field}`, `${field} cannot be null; leave it out to keep the current value.`);
  }
  checkDefinition(problems, definition, input.engine || input.deployments ? engineGuard : undefined);
  problems.throwIfAny();
  return definition;
}

/** Most deployments one model may have. */
const maximumDeployments = 16;

/**
 * `engine` and `deployments` of a definition from an input that gives one of them. Stored
 * deployments keep their API key when the input's deployment of the same name leaves it out.
 */
function enginesFromInput(problems: ProblemList, input: Pick<RegisterModelInput, "engine" | "deployments" | "routing">, current: ModelRecord | undefined): Pick<ModelDefinition, "engine" | "deployments" | "routing"> {
  const routing = input.routing ? { routing: input.routing } : {};
  if (input.engine && input.deployments) problems.add("input.deployments", "Give engine (one engine) or deployments (several), not both.");
  if (input.engine) {
    if (current !== undefined && deploymentsOf(current).length > 1) {
      problems.add("input.engine", `Model ${current.id} has ${deploymentsOf(current).length} deployments: change them with deployments.`);
    }
    return { engine: engineFromInput(input.engine, current?.engine), ...routing };
  }
  const deploymentInputs = input.deployments ?? [];
  if (deploymentInputs.length === 0) {
    problems.add(input.deployments ? "input.deployments" : "input.engine", "A model needs an engine, or at least one deployment.");
    return { engine: current?.engine ?? { kind: "OPENAI_COMPATIBLE", modelPath: null, baseUrl: null, upstreamModel: null, apiKey: null }, ...routing };
  }
  if (deploymentInputs.length > maximumDeployments) problems.add("input.deployments", `A model has at most ${maximumDeployments} deployments, got ${deploymentInputs.length}.`);
  const stored = new Map(current === undefined ? [] : deploymentsOf(current).map((deployment) => [deployment.name, deployment.engine]));
  const deployments = deploymentInputs.map((deployment, index) => {
    const path = `input.deployments[${index}]`;
    if (!deploymentNamePattern.test(deployment.name)) problems.add(`${path}.name`, `"${deployment.name}" is not a deployment name: 1 to 63 lower-case letters, digits or dashes.`);
    const weight = deployment.weight ?? 1;
    const priority = deployment.priority ?? 0;
    if (!Number.isInteger(weight) || weight < 0 || weight > 1_000) problems.add(`${path}.weight`, "weight must be between 0 and 1,000.");
    if (!Number.isInteger(priority) || priority < 0 || priority > 100) problems.add(`${path}.priority`, "priority must be between 0 and 100.");
    const capacity = deployment.maxConcurrentRequests ?? null;
    if (capacity !== null && (capacity < 1 || capacity > 100_000)) problems.add(`${path}.maxConcurrentRequests`, "maxConcurrentRequests must be between 1 and 100,000.");
    return { name: deployment.name, engine: engineFromInput(deployment.engine, stored.get(deployment.name)), weight, priority, maxConcurrentRequests: capacity };
  });
  const names = deployments.map((deployment) => deployment.name);
  if (new Set(names).size !== names.length) problems.add("input.deployments", "Deployment names must be unique within the model.");
  if (deployments.every((deployment) => deployment.weight === 0)) problems.add("input.deployments", "At least one deployment needs a weight above 0.");
  const [first] = deployments as [ModelDeploymentRecord];
  // One deployment is the plain one-engine model (no `deployments` stored).
  return deployments.length === 1 && first.name === "default" && first.weight === 1 && first.priority === 0 && first.maxConcurrentRequests === null ? { engine: first.engine, ...routing } : { engine: first.engine, deployments, ...routing };
}

function engineFromInput(input: ModelEngineInput, current: ModelEngineRecord | undefined): ModelEngineRecord {
  // An omitted apiKey keeps the stored one, so changing the upstream model does not silently drop
  // the credentials; null or "" removes it.
  const keepKey = input.apiKey === undefined && current?.kind === "OPENAI_COMPATIBLE" && input.kind === "OPENAI_COMPATIBLE";
  return {
    kind: input.kind,
    modelPath: input.modelPath?.trim() || null,
    baseUrl: input.baseUrl?.trim().replace(/\/+$/, "") || null,
    upstreamModel: input.upstreamModel?.trim() || null,
    apiKey: keepKey ? (current?.apiKey ?? null) : input.apiKey || null,
    ...(input.chatTemplate === undefined || input.chatTemplate === null || input.chatTemplate.trim() === "" ? {} : { chatTemplate: input.chatTemplate }),
    ...(input.tokenizerPath?.trim() ? { tokenizerPath: input.tokenizerPath.trim() } : {}),
  };
}

function pricingFromInput(input: ModelPricingInput): ModelRecord["pricing"] {
  return {
    inputPerMillionTokens: input.inputPerMillionTokens,
    outputPerMillionTokens: input.outputPerMillionTokens,
    currency: (input.currency ?? "USD").trim().toUpperCase(),
  };
}

function parametersFromInput(input: GenerationParametersInput | null | undefined): ModelRecord["defaultParameters"] {
  return {
    temperature: input?.temperature ?? null,
    topP: input?.topP ?? null,
    maxTokens: input?.maxTokens ?? null,
    stop: input?.stop ? [...input.stop] : null,
  };
}

function checkName(problems: ProblemList, field: string, name: string): void {
  if (!modelNamePattern.test(name)) {
    problems.add(field, `"${name}" is not a valid model name: use 1 to 128 letters, digits or . _ : / @ + -, starting with a letter or digit, after a private model's \`@<tenant>/\` scope.`);
  }
}

/** `engineGuard` undefined: the engine's URL is not checked against the network policy. */
function checkDefinition(problems: ProblemList, definition: ModelDefinition, engineGuard: EgressGuard | undefined): void {
  if (definition.displayName.length === 0 || definition.displayName.length > modelLimits.maximumDisplayNameLength) {
    problems.add("input.displayName", `displayName must have 1 to ${modelLimits.maximumDisplayNameLength} characters.`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(definition.family)) {
    problems.add("input.family", "family must have 1 to 64 letters, digits or . _ -, starting with a letter or digit.");
  }
  if (definition.capabilities.length === 0) problems.add("input.capabilities", "A model needs at least one capability.");
  if (new Set(definition.capabilities).size !== definition.capabilities.length) {
    problems.add("input.capabilities", "capabilities lists a capability twice.");
  }
  if (definition.contextLength < 1 || definition.contextLength > modelLimits.maximumContextLength) {
    problems.add("input.contextLength", `contextLength must be between 1 and ${modelLimits.maximumContextLength} tokens.`);
  }
  checkEmbedding(problems, definition);
  if (definition.deployments === undefined) checkEngine(problems, definition.engine, engineGuard);
  else definition.deployments.forEach((deployment, index) => checkEngine(problems, deployment.engine, engineGuard, `input.deployments[${index}].engine`));
  checkPricing(problems, definition.pricing);
  checkAliases(problems, definition);
  checkAliasSplits(problems, definition);
  const cacheTtl = definition.responseCacheTtlSeconds;
  if (cacheTtl !== undefined && !(Number.isInteger(cacheTtl) && cacheTtl >= 1 && cacheTtl <= 2_592_000)) {
    problems.add("input.responseCacheTtlSeconds", "responseCacheTtlSeconds must be between 1 and 2,592,000 (30 days).");
  }
  checkParameters(problems, definition);
}

function checkEmbedding(problems: ProblemList, definition: ModelDefinition): void {
  const embeds = definition.capabilities.includes("EMBEDDING");
  const dimensions = definition.embeddingDimensions;
  if (embeds && dimensions === null) {
    problems.add("input.embeddingDimensions", "embeddingDimensions is required for a model with the EMBEDDING capability.");
  } else if (!embeds && dimensions !== null) {
    problems.add("input.embeddingDimensions", "embeddingDimensions is only for models with the EMBEDDING capability.");
  } else if (dimensions !== null && (dimensions < 1 || dimensions > modelLimits.maximumEmbeddingDimensions)) {
    problems.add("input.embeddingDimensions", `embeddingDimensions must be between 1 and ${modelLimits.maximumEmbeddingDimensions}.`);
  }
}

function checkEngine(problems: ProblemList, engine: ModelEngineRecord, engineGuard: EgressGuard | undefined, path = "input.engine"): void {
  if (engine.kind === "LLAMA_CPP") {
    if (engine.modelPath === null) problems.add(`${path}.modelPath`, "A LLAMA_CPP engine needs modelPath, the GGUF file to load.");
    else if (!engine.modelPath.endsWith(".gguf") || engine.modelPath.includes("\0")) {
      problems.add(`${path}.modelPath`, "modelPath must name a .gguf file.");
    }
    for (const field of ["baseUrl", "upstreamModel", "apiKey"] as const) {
      if (engine[field] !== null) problems.add(`${path}.${field}`, `${field} is only for OPENAI_COMPATIBLE engines.`);
    }
    if (engine.chatTemplate !== undefined) checkChatTemplate(problems, engine.chatTemplate, path);
    if (engine.tokenizerPath !== undefined) problems.add(`${path}.tokenizerPath`, "tokenizerPath is only for OPENAI_COMPATIBLE engines: a LLAMA_CPP engine counts with its own model.");
    return;
  }
  if (engine.tokenizerPath !== undefined && (!engine.tokenizerPath.endsWith(".gguf") || engine.tokenizerPath.includes("\0"))) {
    problems.add(`${path}.tokenizerPath`, "tokenizerPath must name a .gguf file of the served model.");
  }
  if (engine.chatTemplate !== undefined) {
    if (engine.tokenizerPath === undefined) {
      problems.add(`${path}.chatTemplate`, "chatTemplate needs tokenizerPath on an OPENAI_COMPATIBLE engine: the server applies its own template, and this one is only used to count tokens.");
    } else checkChatTemplate(problems, engine.chatTemplate, path);
  }
  if (engine.baseUrl === null) {
    problems.add(`${path}.baseUrl`, "An OPENAI_COMPATIBLE engine needs baseUrl, for example http://vllm:8000/v1.");
  } else if (!isHttpUrl(engine.baseUrl)) {
    problems.add(`${path}.baseUrl`, `baseUrl must be an http:// or https:// URL, got "${engine.baseUrl}".`);
  } else if (engineGuard !== undefined) {
    checkEngineHost(problems, engine.baseUrl, engineGuard, path);
  }
  if (engine.upstreamModel === null) {
    problems.add(`${path}.upstreamModel`, "An OPENAI_COMPATIBLE engine needs upstreamModel, the model name the server expects.");
  }
  if (engine.modelPath !== null) problems.add(`${path}.modelPath`, "modelPath is only for LLAMA_CPP engines.");
}

/** Longest chat template accepted, in characters (the longest published ones are about 10,000). */
const maximumChatTemplateLength = 65_536;

function checkChatTemplate(problems: ProblemList, template: string, path: string): void {
  if (template.length > maximumChatTemplateLength) {
    problems.add(`${path}.chatTemplate`, `chatTemplate is ${template.length} characters; at most ${maximumChatTemplateLength} are accepted.`);
    return;
  }
  try {
    new Template(template);
  } catch (error) {
    problems.add(`${path}.chatTemplate`, `chatTemplate is not a valid Jinja template: ${(error as Error).message}`);
  }
}

/** The registration-time check (no DNS); inference checks each resolved address again when it connects. */
function checkEngineHost(problems: ProblemList, baseUrl: string, engineGuard: EgressGuard, path: string): void {
  try {
    engineGuard.checkUrl(baseUrl);
  } catch (error) {
    if (!(error instanceof EgressRefusedError)) throw error;
    problems.add(`${path}.baseUrl`, `baseUrl is not allowed: ${error.message}.`);
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname.length > 0;
  } catch {
    return false;
  }
}

function checkPricing(problems: ProblemList, pricing: ModelRecord["pricing"]): void {
  for (const field of ["inputPerMillionTokens", "outputPerMillionTokens"] as const) {
    const price = pricing[field];
    if (!Number.isFinite(price) || price < 0 || price > modelLimits.maximumPricePerMillionTokens) {
      problems.add(`input.pricing.${field}`, `${field} must be between 0 and ${modelLimits.maximumPricePerMillionTokens}, got ${price}.`);
    }
  }
  if (!/^[A-Z]{3}$/.test(pricing.currency)) {
    problems.add("input.pricing.currency", `currency must be a three-letter ISO 4217 code such as USD, got "${pricing.currency}".`);
  }
}

function checkAliases(problems: ProblemList, definition: ModelDefinition): void {
  if (definition.aliases.length > modelLimits.maximumAliases) {
    problems.add("input.aliases", `A model may have at most ${modelLimits.maximumAliases} aliases.`);
  }
  const seen = new Set<string>();
  definition.aliases.forEach((alias, index) => {
    const field = `input.aliases[${index}]`;
    checkName(problems, field, alias);
    if (alias === definition.id) problems.add(field, `The alias "${alias}" is the model's own id.`);
    if (modelOwnerTenant(alias) !== modelOwnerTenant(definition.id)) {
      const owner = modelOwnerTenant(definition.id);
      problems.add(field, owner === undefined ? `The alias "${alias}" has a private scope; a shared model's aliases have none.` : `The aliases of a private model start with its scope "@${owner}/".`);
    }
    if (seen.has(alias)) problems.add(field, `The alias "${alias}" is listed twice.`);
    seen.add(alias);
  });
}

/** Most arms of one alias split. */
const maximumSplitArms = 4;

function splitsFromInput(inputs: readonly AliasSplitInput[]): AliasSplitRecord[] {
  return inputs.map((split) => ({ alias: split.alias, stickiness: split.stickiness ?? "TENANT", arms: split.arms.map((arm) => ({ modelId: arm.modelId, percent: arm.percent })) }));
}

function checkAliasSplits(problems: ProblemList, definition: ModelDefinition): void {
  const seen = new Set<string>();
  (definition.aliasSplits ?? []).forEach((split, index) => {
    const field = `input.aliasSplits[${index}]`;
    if (!definition.aliases.includes(split.alias)) problems.add(`${field}.alias`, `"${split.alias}" is not one of the model's aliases: a split applies to requests that name the model by an alias of its own.`);
    if (seen.has(split.alias)) problems.add(`${field}.alias`, `The alias "${split.alias}" is split twice.`);
    seen.add(split.alias);
    if (split.arms.length === 0 || split.arms.length > maximumSplitArms) problems.add(`${field}.arms`, `A split has 1 to ${maximumSplitArms} arms.`);
    let total = 0;
    split.arms.forEach((arm, armIndex) => {
      const armField = `${field}.arms[${armIndex}]`;
      if (!(arm.percent > 0 && arm.percent <= 100)) problems.add(`${armField}.percent`, "percent must be more than 0 and at most 100.");
      total += arm.percent;
      if (!modelNamePattern.test(arm.modelId)) problems.add(`${armField}.modelId`, `"${arm.modelId}" is not a model id.`);
      else if (arm.modelId === definition.id || definition.aliases.includes(arm.modelId)) problems.add(`${armField}.modelId`, "An arm names another model, not this one.");
      else if (modelOwnerTenant(arm.modelId) !== modelOwnerTenant(definition.id)) problems.add(`${armField}.modelId`, "An arm is a model of the same scope (shared with shared, a tenant's private with its own).");
    });
    if (total > 100 + 1e-9) problems.add(`${field}.arms`, `The arms' shares add up to ${total} %, over 100 %.`);
  });
}

function checkParameters(problems: ProblemList, definition: ModelDefinition): void {
  const { temperature, topP, maxTokens, stop } = definition.defaultParameters;
  if (temperature !== null && !(temperature >= 0 && temperature <= 2)) {
    problems.add("input.defaultParameters.temperature", "temperature must be between 0 and 2.");
  }
  if (topP !== null && !(topP > 0 && topP <= 1)) problems.add("input.defaultParameters.topP", "topP must be greater than 0 and at most 1.");
  if (maxTokens !== null && (maxTokens < 1 || maxTokens > definition.contextLength)) {
    problems.add("input.defaultParameters.maxTokens", `maxTokens must be between 1 and the context length (${definition.contextLength}).`);
  }
  if (stop !== null) {
    if (stop.length > modelLimits.maximumStopSequences) {
      problems.add("input.defaultParameters.stop", `At most ${modelLimits.maximumStopSequences} stop sequences.`);
    }
    stop.forEach((sequence, index) => {
      if (sequence.length === 0 || sequence.length > modelLimits.maximumStopSequenceLength) {
        problems.add(`input.defaultParameters.stop[${index}]`, `A stop sequence must have 1 to ${modelLimits.maximumStopSequenceLength} characters.`);
      }
    });
  }
}
